import { ContactsError } from "./errors.js";
import type { EstablishAllSummary } from "./establish-all-options.js";

/**
 * What stopped a call or a run, on `ContactsThrottledError.stoppedBy`:
 * - `"blocked"`: Marketing Cloud answered 50200 (requests temporarily blocked);
 * - `"retry-after"`: a throttling answer asked to wait longer than `maxPauseMs` (its `Retry-After`,
 *   or the backoff of repeated throttling);
 * - `"no-progress"`: throttled with no batch established for `maxPauseMs`;
 * - `"gate"`: a pause another call of the same credentials started lasts longer than this call or
 *   run may wait (`retry.maxDelayMs` or `maxPauseMs`); nothing was sent for it.
 *
 * @example
 * ```ts
 * if (error instanceof ContactsThrottledError && error.stoppedBy === "blocked") alertOps();
 * ```
 */
export type ThrottledStop = "blocked" | "retry-after" | "no-progress" | "gate";

/**
 * Marketing Cloud's rate limit stopped a call or a run, with nothing more sent: `establishAll`
 * stopped on `50200` (requests temporarily blocked), on a `Retry-After` over `maxPauseMs`, or after
 * `maxPauseMs` of throttling with no batch established; or `establish` found the shared pause
 * (closed by another call of the same credentials) longer than `retry.maxDelayMs`. The run's keys
 * never sent are `NOT_SENT`: send them again later. The clients throw its twin from lazy code
 * (see throttle.ts), so an app's bundle carries this class only when the app imports it; the
 * twin matches `instanceof ContactsThrottledError`.
 *
 * @example
 * ```ts
 * try {
 *   await client.establishAll(keys).done();
 * } catch (error) {
 *   if (error instanceof ContactsThrottledError) console.error(`retry in ${error.retryAfter ?? "?"} s`, error.summary);
 * }
 * ```
 */
export class ContactsThrottledError extends ContactsError {
  /** The `code` of this class's errors (set on each by the base constructor). @internal */
  static readonly code = "CONTACTS_THROTTLED";
  override readonly name = "ContactsThrottledError" as const;
  declare readonly code: "CONTACTS_THROTTLED";
  /** Seconds Marketing Cloud asked to wait, when it said (undefined for 50200). */
  declare readonly retryAfter: number | undefined;
  /** Marketing Cloud's `errorcode` of the answer that stopped it (50200, 50100), when there was one. */
  declare readonly errorcode: number | undefined;
  /** The run's summary, when a run stopped (every key read has its result). */
  declare readonly summary: EstablishAllSummary | undefined;
  /** What stopped it (see {@link ThrottledStop}); undefined only for one an app made without it. */
  declare readonly stoppedBy: ThrottledStop | undefined;

  constructor(
    message: string,
    init: {
      retryAfter?: number | undefined;
      errorcode?: number | undefined;
      summary?: EstablishAllSummary | undefined;
      stoppedBy?: ThrottledStop | undefined;
    },
    cause?: unknown,
  ) {
    super(
      message,
      {
        retryAfter: undefined,
        errorcode: undefined,
        summary: undefined,
        stoppedBy: undefined,
        retryable: true,
        ...init,
      },
      cause,
    );
  }
}
