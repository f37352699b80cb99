import type { HttpHandler } from "msw";
import type { ContactStore } from "./contact-store.js";
import { FakeService, type RecordedRequest } from "./fake-service.js";
import { type ContactsMockOptions, resolveOptions } from "./options.js";
import { randomSeed } from "./random.js";
import { type ContactsScenarios, createScenarios, routeHandler } from "./scenarios.js";

/**
 * A fresh, isolated, stateful fake of Marketing Cloud's establish and token routes.
 *
 * @example
 * ```ts
 * const mock: ContactsMock = createContactsMock({ seed: 1 });
 * server.use(...mock.handlers);
 * ```
 */
export interface ContactsMock {
  /** The happy-path msw handlers: `POST /v2/token` and `POST /contacts/v1/establish`. */
  readonly handlers: readonly HttpHandler[];
  /** Failure and shape scenarios for `server.use(...)`, sharing this mock's store and request log. */
  readonly scenarios: ContactsScenarios;
  /** The contacts this mock has established. */
  readonly store: ContactStore;
  /** Every request that reached this mock's handlers, in order, with credentials redacted. */
  readonly requests: readonly RecordedRequest[];
  /**
   * Forgets contacts, requests and issued tokens. With a seed, the same calls then give the same
   * data again. `server.resetHandlers()` of `setupContactsServer` (and `worker.resetHandlers()` of
   * `setupContactsWorker`) call it for you.
   */
  reset(): void;
  /**
   * Every token issued so far stops working now, as if its `expires_in` had passed (the static
   * token excepted); tokens issued later work. The next call with an old token gets 401 with
   * `WWW-Authenticate: Bearer error="invalid_token"`: a test of token renewal without waiting.
   *
   * @example
   * ```ts
   * await client.establish(["Key1"]);
   * mock.expireTokens();
   * await client.establish(["Key2"]); // the client must renew its token and retry
   * expect(mock.requests.filter((r) => r.route === "token")).toHaveLength(2);
   * ```
   */
  expireTokens(): void;
}

/** Every mock made here, with the fake behind it. */
const fakes = new WeakMap<object, FakeService>();

/**
 * Creates a fresh, isolated, stateful mock of Marketing Cloud's establish route and token route.
 *
 * @example
 * ```ts
 * import { createContactsMock } from "@sfmc-contacts/mocks";
 * import { setupServer } from "msw/node";
 *
 * const mock = createContactsMock({ seed: 1 });
 * const server = setupServer(...mock.handlers);
 * beforeAll(() => server.listen({ onUnhandledRequest: "error" })); // msw 3: onUnhandledFrame
 * afterEach(() => { server.resetHandlers(); mock.reset(); });
 * afterAll(() => server.close());
 *
 * test("retries a rate limit", async () => {
 *   server.use(mock.scenarios.rateLimited({ once: true })); // Retry-After: 1
 *   // ... run the app ...
 *   expect(mock.requests.filter((r) => r.route === "establish")).toHaveLength(2);
 * });
 * ```
 */
export function createContactsMock(options: ContactsMockOptions = {}): ContactsMock {
  const fake = new FakeService(resolveOptions(options, randomSeed));
  const mock: ContactsMock = {
    handlers: Object.freeze([routeHandler(fake, "token"), routeHandler(fake, "establish")]),
    scenarios: createScenarios(fake),
    store: fake.store,
    requests: fake.requests,
    reset: () => fake.reset(),
    expireTokens: () => fake.expireTokens(),
  };
  fakes.set(mock, fake);
  return mock;
}

/** Whether a value is a mock made by {@link createContactsMock}. @internal */
export function isContactsMock(value: unknown): value is ContactsMock {
  return typeof value === "object" && value !== null && fakes.has(value);
}

/** A mock, or the options to create one. @internal */
export function toMock(mockOrOptions: ContactsMock | ContactsMockOptions | undefined): ContactsMock {
  return isContactsMock(mockOrOptions) ? mockOrOptions : createContactsMock(mockOrOptions);
}

/** The fake behind a mock. @internal */
export function fakeOf(mock: ContactsMock): FakeService {
  const fake = fakes.get(mock);
  if (!fake) throw new TypeError("not a mock made by createContactsMock");
  return fake;
}
