/**
 * msw handlers that behave like Salesforce Marketing Cloud's `POST /contacts/v1/establish` and
 * `POST /v2/token`: stateful, validated like the service, with scenarios for every failure.
 *
 * Entry points: this one (runtime-neutral), `@sfmc-contacts/mocks/node` (`setupContactsServer`),
 * `@sfmc-contacts/mocks/browser` (`setupContactsWorker`) and `@sfmc-contacts/mocks/http-server`
 * (`startContactsHttpServer`, a real server on 127.0.0.1, without msw).
 *
 * State lives in a mock: each {@link createContactsMock} call makes a fresh, isolated one. There is
 * no shared default mock (one no test could reset would leak contacts from test to test).
 *
 * @example
 * ```ts
 * import { setupServer } from "msw/node";
 * import { createContactsMock } from "@sfmc-contacts/mocks";
 *
 * const mock = createContactsMock({ seed: 1 });
 * const server = setupServer(...mock.handlers);
 * ```
 *
 * @packageDocumentation
 */

export type { StoredContact } from "./contact-store.js";
export { ContactStore } from "./contact-store.js";
export {
  contactReference,
  ERROR_DOCUMENTATION_URL,
  type EstablishItemInit,
  establishItem,
  establishResponse,
  FIXTURE_DEFAULTS,
  itemErrorMessage,
  marketingCloudError,
  oauthError,
  resultMessage,
} from "./factories.js";
export type { RecordedRequest } from "./fake-service.js";
export { type ContactsMock, createContactsMock } from "./mock.js";
export type { ContactsMockAuthOptions, ContactsMockOptions } from "./options.js";
export { tenantRoute } from "./route-pattern.js";
export type {
  ContactsScenarios,
  ItemErrorsOptions,
  RetryAfterOptions,
  ScenarioOptions,
  TransportScenarioOptions,
} from "./scenarios.js";
export { formatServiceDateTime } from "./service-time.js";
export { specJson } from "./spec-response.js";
