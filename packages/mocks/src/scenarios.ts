/**
 * Ready-made answers for `server.use(...)` / `worker.use(...)`: each is one msw handler for one
 * route, and takes `{ once: true }` to answer a single request and then give way to the happy path.
 */
import type { ResultMessage } from "@sfmc-contacts/types";
import { delay, type HttpHandler, HttpResponse, http } from "msw";
import type { FakeService } from "./fake-service.js";
import { routeMatcher } from "./options.js";
import {
  type RetryAfterOptions,
  type ScenarioOptions,
  type StatusScenario,
  type StatusScenarios,
  statusAnswer,
} from "./scenario-answers.js";

// Defined beside the answers (msw-free), so the loopback HTTP server's types can name them too.
export type { RetryAfterOptions, ScenarioOptions } from "./scenario-answers.js";

/**
 * Options of the scenarios that can also hit the token route.
 *
 * @example
 * ```ts
 * server.use(mock.scenarios.networkError({ route: "token", once: true } satisfies TransportScenarioOptions));
 * ```
 */
export interface TransportScenarioOptions extends ScenarioOptions {
  /** Which route fails. Default `"establish"`. */
  route?: "establish" | "token";
}

/**
 * Options of `itemErrors`.
 *
 * @example
 * ```ts
 * server.use(mock.scenarios.itemErrors(["bad-key"], { message: { resultCode: "ContactKeyLocked" } } satisfies ItemErrorsOptions));
 * ```
 */
export interface ItemErrorsOptions extends ScenarioOptions {
  /** Fields of the error message to put on each failed item (default: `ContactNotEstablished`). */
  message?: Partial<ResultMessage>;
}

/**
 * The scenarios of one mock: the six status scenarios (shared with the loopback HTTP server's,
 * see {@link StatusScenarios}) and those only msw can play. Handlers of a scenario record requests into the same `requests` and,
 * where they answer 200, establish contacts into the same `store` as the mock's happy path.
 *
 * @example
 * ```ts
 * const { scenarios }: { scenarios: ContactsScenarios } = createContactsMock();
 * server.use(scenarios.unavailable({ retryAfter: 1, once: true }));
 * ```
 */
export interface ContactsScenarios extends StatusScenarios<HttpHandler> {
  /**
   * A 200 whose JSON body is cut off mid-way.
   * @example server.use(mock.scenarios.malformedJson({ once: true }));
   */
  malformedJson(options?: ScenarioOptions): HttpHandler;
  /**
   * A network error (the fetch rejects), on the establish route or the token route.
   * @example server.use(mock.scenarios.networkError({ route: "token", once: true }));
   */
  networkError(options?: TransportScenarioOptions): HttpHandler;
  /**
   * Waits `ms` milliseconds, then lets the happy path answer (it records nothing itself).
   * @example server.use(mock.scenarios.slow(5_000, { once: true }));
   */
  slow(ms: number, options?: TransportScenarioOptions): HttpHandler;
  /**
   * The happy path, answered in the product page's one-element array.
   * @example server.use(mock.scenarios.arrayWrapped());
   */
  arrayWrapped(options?: ScenarioOptions): HttpHandler;
  /**
   * A 200 whose items for these keys carry a `resultClass: "Error"` message; the other keys are
   * established as usual. Failed keys are not stored.
   * @example server.use(mock.scenarios.itemErrors(["bad-key"]));
   */
  itemErrors(keys: Iterable<string>, options?: ItemErrorsOptions): HttpHandler;
  /**
   * The token route answers 401 `invalid_client`.
   * @example server.use(mock.scenarios.invalidClient({ once: true }));
   */
  invalidClient(options?: ScenarioOptions): HttpHandler;
}

const matcherOf = (fake: FakeService, route: "establish" | "token"): string | RegExp =>
  route === "establish"
    ? routeMatcher(fake.options.rest, "/contacts/v1/establish")
    : routeMatcher(fake.options.auth, "/v2/token");

/**
 * The msw handler for one route of a fake: the fake serves it (records the request, waits the
 * mock's latency, answers) with the route's happy path, or with a scenario's `answer`.
 * @internal
 */
export function routeHandler(
  fake: FakeService,
  route: "establish" | "token",
  answer?: (request: Request, text: string) => Response | Promise<Response>,
  options: ScenarioOptions = {},
): HttpHandler {
  return http.post(matcherOf(fake, route), ({ request }) => fake.serve(route, request, answer), {
    once: options.once ?? false,
  });
}

/** Builds the scenarios of one fake. @internal */
export function createScenarios(fake: FakeService): ContactsScenarios {
  // The six status answers are shared with the loopback HTTP server (scenario-answers.ts).
  const status = (kind: StatusScenario, options: RetryAfterOptions = {}) =>
    routeHandler(fake, "establish", statusAnswer(kind, fake, options), options);

  return {
    unauthorized: (options) => status("unauthorized", options),
    forbidden: (options) => status("forbidden", options),
    rateLimited: (options) => status("rateLimited", options),
    blocked: (options) => status("blocked", options),
    serverError: (options) => status("serverError", options),
    unavailable: (options) => status("unavailable", options),
    malformedJson: (options) =>
      routeHandler(
        fake,
        "establish",
        () =>
          new Response('{"items":[{"value":{"requestedContactKey":', {
            status: 200,
            headers: { "content-type": "application/json; charset=utf-8" },
          }),
        options,
      ),
    networkError: ({ route = "establish", ...options } = {}) =>
      routeHandler(fake, route, () => HttpResponse.error(), options),
    slow: (ms, { route = "establish", ...options } = {}) => {
      if (!Number.isFinite(ms) || ms < 0) throw new TypeError(`scenarios.slow: ms must be >= 0, got ${String(ms)}`);
      // Answers nothing: after the wait msw hands the request to the next handler (the happy path).
      return http.post(
        matcherOf(fake, route),
        async () => {
          await delay(ms);
        },
        { once: options.once ?? false },
      );
    },
    arrayWrapped: (options) =>
      routeHandler(fake, "establish", (request, text) => fake.establish(request, text, { shape: "array" }), options),
    itemErrors: (keys, { message = {}, ...options } = {}) => {
      const failures = new Map([...keys].map((key) => [key, message] as const));
      return routeHandler(
        fake,
        "establish",
        (request, text) => fake.establish(request, text, { itemErrors: failures }),
        options,
      );
    },
    invalidClient: (options) => routeHandler(fake, "token", () => fake.invalidClient(), options),
  };
}
