/**
 * msw handlers that behave like Salesforce Marketing Cloud's `POST /contacts/v1/establish` and
 * `POST /v2/token`: stateful, validated like the service, with scenarios for every failure.
 *
 * Entry points: this one (runtime-neutral), `@sfmc-contacts/mocks/node` (`setupContactsServer`),
 * `@sfmc-contacts/mocks/browser` (`setupContactsWorker`) and `@sfmc-contacts/mocks/http-server`
 * (`startContactsHttpServer`, a real server on 127.0.0.1, without msw).
 *
 * @example
 * ```ts
 * import { setupServer } from "msw/node";
 * import { handlers } from "@sfmc-contacts/mocks";
 *
 * const server = setupServer(...handlers);
 * ```
 *
 * @packageDocumentation
 */
import { createContactsMock } from "./mock.js";

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
export type {
  ContactsScenarios,
  ItemErrorsOptions,
  RetryAfterOptions,
  ScenarioOptions,
  TransportScenarioOptions,
} from "./scenarios.js";
export { formatServiceDateTime } from "./service-time.js";
export { specJson } from "./spec-response.js";

/**
 * The default happy-path handlers, from a default mock (no seed, any client credentials). For
 * state, scenarios or exact data, create your own with {@link createContactsMock}.
 *
 * @example
 * ```ts
 * import { setupServer } from "msw/node";
 * import { handlers } from "@sfmc-contacts/mocks";
 *
 * export const server = setupServer(...handlers);
 * ```
 */
export const handlers = createContactsMock().handlers;
