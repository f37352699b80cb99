/**
 * The answers of the six status scenarios (401, 403, 429 twice, 500, 503), without msw: the msw
 * scenarios (`scenarios.ts`) and the loopback HTTP server (`http-server.ts`) both build them here,
 * so the two kinds of mock answer the same bytes for the same options. This module must never
 * import msw: the HTTP server's entry is installed without it.
 */
import { marketingCloudError } from "./factories.js";
import type { FakeService } from "./fake-service.js";
import { specJson } from "./spec-response.js";

const ESTABLISH = "POST /contacts/v1/establish";

/**
 * Options every scenario takes.
 *
 * @example
 * ```ts
 * server.use(mock.scenarios.serverError({ once: true } satisfies ScenarioOptions));
 * ```
 */
export interface ScenarioOptions {
  /** Answer one request only, then give way to the handlers below (msw's `{ once: true }`). */
  once?: boolean;
}

/**
 * Options of `rateLimited` and `unavailable`.
 *
 * @example
 * ```ts
 * server.use(mock.scenarios.rateLimited({ retryAfter: 2, once: true } satisfies RetryAfterOptions));
 * ```
 */
export interface RetryAfterOptions extends ScenarioOptions {
  /**
   * Seconds in the `Retry-After` header (and, for 429, the body's `retryAfter`). Default: the
   * mock's `retryAfter` option, 1 unless set.
   */
  retryAfter?: number;
}

/**
 * The six status scenarios, as both kinds of mock offer them: msw's return a handler for
 * `server.use(...)` (`Result` is `HttpHandler`), the loopback HTTP server's set themselves on the
 * server (`Result` is `void`). The same options give the same answer in both.
 *
 * @example
 * ```ts
 * server.use(mock.scenarios.rateLimited({ retryAfter: 2, once: true })); // msw
 * service.mock.scenarios.rateLimited({ retryAfter: 2, once: true }); // startContactsHttpServer
 * ```
 */
export interface StatusScenarios<Result> {
  /**
   * 401 `Not Authorized` (errorcode 0), as for a missing, unknown or expired token, with
   * `WWW-Authenticate: Bearer error="invalid_token"`.
   * @example server.use(mock.scenarios.unauthorized({ once: true }));
   */
  unauthorized(options?: ScenarioOptions): Result;
  /**
   * 403, errorcode 20002: the package lacks the Contact Builder permissions.
   * @example server.use(mock.scenarios.forbidden());
   */
  forbidden(options?: ScenarioOptions): Result;
  /**
   * 429, errorcode 50100, with `Retry-After` and the body's `retryAfter` (default: the mock's
   * `retryAfter` option, 1 s unless set, so a client with default retry options waits one second).
   * @example server.use(mock.scenarios.rateLimited({ retryAfter: 2, once: true }));
   */
  rateLimited(options?: RetryAfterOptions): Result;
  /**
   * 429, errorcode 50200: requests temporarily blocked, without `Retry-After`.
   * @example server.use(mock.scenarios.blocked());
   */
  blocked(options?: ScenarioOptions): Result;
  /**
   * 500 with a Marketing Cloud error body.
   * @example server.use(mock.scenarios.serverError({ once: true }));
   */
  serverError(options?: ScenarioOptions): Result;
  /**
   * 503, errorcode 50300, with `Retry-After` (default: the mock's `retryAfter` option, 1 s unless set).
   * @example server.use(mock.scenarios.unavailable({ retryAfter: 1 }));
   */
  unavailable(options?: RetryAfterOptions): Result;
}

/** The scenarios whose answer is one status with a Marketing Cloud error body. @internal */
export type StatusScenario = keyof StatusScenarios<unknown>;

function checkSeconds(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new TypeError(`scenarios.${name}: retryAfter must be a whole number of seconds >= 0, got ${String(value)}`);
  }
  return value;
}

/** A Marketing Cloud error answer; with `retryAfter`, the header too (and, for 429, the body's field). */
function errorAnswer(
  status: 403 | 429 | 500 | 503,
  errorcode: number,
  message: string,
  retryAfter?: number,
): () => Response {
  return () =>
    specJson(
      ESTABLISH,
      status,
      marketingCloudError(errorcode, message, status === 429 && retryAfter !== undefined ? { retryAfter } : {}),
      retryAfter === undefined ? {} : { "retry-after": String(retryAfter) },
    );
}

/**
 * The answer of one status scenario of `fake`, for `options` (whose `once` it ignores: that is the
 * caller's to apply). `retryAfter` defaults to the fake's `retryAfter` option and is checked now,
 * so a bad value throws where the scenario is set up, not at the request. Each call of the
 * returned function builds a fresh `Response`.
 * @internal
 */
export function statusAnswer(kind: StatusScenario, fake: FakeService, options: RetryAfterOptions = {}): () => Response {
  switch (kind) {
    case "unauthorized":
      return () => fake.notAuthorized();
    case "forbidden":
      return errorAnswer(403, 20002, "Insufficient privileges to complete this action.");
    case "rateLimited": {
      const seconds = checkSeconds(options.retryAfter ?? fake.options.retryAfter, kind);
      return errorAnswer(429, 50100, `Rate limit exceeded. Retry after ${seconds} seconds.`, seconds);
    }
    case "blocked":
      return errorAnswer(429, 50200, "Requests are temporarily blocked.");
    case "serverError":
      return errorAnswer(500, 0, "An error occurred while processing the request.");
    case "unavailable": {
      const seconds = checkSeconds(options.retryAfter ?? fake.options.retryAfter, kind);
      return errorAnswer(503, 50300, `Service unavailable. Retry after ${seconds} seconds.`, seconds);
    }
  }
}
