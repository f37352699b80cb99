import { checkNumber } from "./errors.js";

/**
 * Retry settings. Establish is idempotent (it creates or returns a contact), so retrying the POST
 * is safe. Network errors, timeouts, 429, 500, 502, 503 and 504 are retried; 400, 401 (but see
 * token renewal), 403 and 415 never are.
 *
 * @example
 * ```ts
 * createContactsClient({ baseUrl, retry: { attempts: 5, baseDelayMs: 2_000, maxDelayMs: 30_000 } });
 * ```
 */
export interface RetryOptions {
  /** Attempts in all, the first included. Default 4. */
  attempts?: number;
  /** The first backoff, doubled on each retry (with jitter). Default 1000 ms. */
  baseDelayMs?: number;
  /**
   * The longest backoff. A `Retry-After` longer than this is not waited for: the error is thrown
   * with its `retryAfter` so the caller can schedule. Default 30 000 ms.
   */
  maxDelayMs?: number;
}

/** @internal */
export type RetryPolicy = Required<RetryOptions>;

/**
 * Checks retry options and fills in defaults. `false` means one attempt.
 * @internal
 * @example
 * ```ts
 * const policy = resolveRetry(options.retry); // { attempts: 4, baseDelayMs: 1000, maxDelayMs: 30000 }
 * ```
 */
export function resolveRetry(options: RetryOptions | false = {}): RetryPolicy {
  const { attempts = 4, baseDelayMs = 1000, maxDelayMs = 30_000 } = options === false ? { attempts: 1 } : options;
  checkNumber(attempts, "retry.attempts", 1, true);
  checkNumber(baseDelayMs, "retry.baseDelayMs", 0);
  checkNumber(maxDelayMs, "retry.maxDelayMs", 0);
  return { attempts, baseDelayMs, maxDelayMs };
}

/**
 * Parses `Retry-After` (seconds, or an HTTP date) into milliseconds from now.
 *
 * @example
 * ```ts
 * parseRetryAfter("30"); // 30000
 * ```
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  // failure.ts restates this rule rather than import it (it would then ship in the browser
  // download): change both.
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return date >= 0 ? Math.max(0, date - now) : undefined;
}
