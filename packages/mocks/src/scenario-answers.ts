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

/** The scenarios whose answer is one status with a Marketing Cloud error body. @internal */
export type StatusScenario = "unauthorized" | "forbidden" | "rateLimited" | "blocked" | "serverError" | "unavailable";

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
