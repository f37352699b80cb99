/**
 * The shared gate of one service limit: a timestamp before which no establish attempt starts,
 * an optional client-side budget (maxRequestsPerSecond) and the learned pace of adaptive runs.
 * Plain data (see throttle-registry.ts): the CommonJS and ESM copies of core work on one state.
 * Loaded lazily by failure.ts; the Node client loads it at creation through core/internal.
 */
import { type ContactsApiError, ContactsError } from "./errors.js";
import type { RetryPolicy } from "./retry.js";
import type { ContactsThrottledError } from "./throttled-error.js";

/**
 * The class of every `ContactsThrottledError` the clients throw: the public class's twin, defined
 * in this lazy module so the browser download does not carry a class it only needs once a rate
 * limit is met (the public class is dropped from an app's bundle unless the app imports it). It
 * has the same `code` and `name`, and `instanceof ContactsThrottledError` holds, because errors
 * match by code (see ContactsError): the same rule that serves the CommonJS and ESM copies of
 * this package. `throttled-error.test.ts` checks that the twins agree.
 * @internal
 */
class ThrottledTwin extends ContactsError {
  static readonly code = "CONTACTS_THROTTLED";
  override readonly name = "ContactsThrottledError" as const;
  declare readonly code: "CONTACTS_THROTTLED";
}
// What loggers and Node's inspect print (constructor.name): the public name, not the twin's.
Object.defineProperty(ThrottledTwin, "name", { value: "ContactsThrottledError" });

/**
 * A `ContactsThrottledError`, with every field given (`undefined` when unknown). @internal
 * @example
 * ```ts
 * throw throttledError("paused", { retryAfter: 5, errorcode: undefined, summary: undefined, stoppedBy: "gate" });
 * ```
 */
export const throttledError = (
  message: string,
  init: Pick<ContactsThrottledError, "retryAfter" | "errorcode" | "summary" | "stoppedBy">,
  cause?: unknown,
): ContactsThrottledError =>
  new ThrottledTwin(message, { retryable: true, ...init }, cause) as unknown as ContactsThrottledError;

/** Whether an error is a `ContactsThrottledError`, of any copy. @internal */
export const isThrottled = (error: unknown): error is ContactsThrottledError => error instanceof ThrottledTwin;

/** A token bucket. @internal */
export interface Bucket {
  perSecond: number;
  burst: number;
  tokens: number;
  /** Date.now() of the last refill. */
  at: number;
  /** A learned pace: the rate it was learned at (it grows from there, up to PACE_OUTGROWN times). */
  learned?: number;
}

/**
 * One service limit's client-side state: plain data only (see throttle-registry.ts).
 *
 * @internal
 * @example
 * ```ts
 * const state: RateState = createRateState({ maxRequestsPerSecond: 40 });
 * ```
 */
export interface RateState {
  /** Date.now() until which no establish attempt starts; 0 when open. */
  closedUntil: number;
  /** The client-side budget (maxRequestsPerSecond), when one is set: the lowest of the sharing clients. */
  budget?: Bucket | undefined;
  /** The learned pace for adaptive runs; absent until a 429 (rate limit) is met. */
  pace?: Bucket | undefined;
  /** Learning bookkeeping of the learned pace. */
  period: { openedAt: number; closedAt?: number | undefined; sent: number; failed: number };
  /** The last points [span in s, accepted] of the learned pace. */
  points: Array<[number, number]>;
}

/**
 * What a run tells the pipeline about itself, and hears back (establish-all.ts makes one per run).
 *
 * @internal
 * @example
 * ```ts
 * await send(body, { run: link }); // every attempt of the batch waits at the gate with the run's rules
 * ```
 */
export interface RunLink {
  /** The run's `maxPauseMs`. */
  maxPauseMs: number;
  /** Whether the learned pace applies (adaptive runs). */
  paced: boolean;
  /** Aborts when the run stops for throttling: batches waiting at the gate stop waiting. */
  stop: AbortSignal;
  /** A throttling answer (429, 503 with Retry-After), or a 50200 (`waitMs` undefined), came for one of its batches. */
  throttled(error: ContactsApiError, waitMs: number | undefined): void;
  /** A batch starts (resumeAt) or stops (undefined) waiting at the gate. */
  waiting(resumeAt: number | undefined): void;
  /** The pace last reported to the run (requests/s). */
  perSecond?: number | undefined;
  /** The learned pace that applies to the run changed (undefined: none). */
  pace(perSecond: number | undefined): void;
}

/**
 * The per-client gate holder the pipeline consults before every establish attempt. Absent parts
 * are filled in by failure.ts on the first throttling answer (browser and custom cores).
 *
 * @internal
 * @example
 * ```ts
 * createContactsCore({ ...config, throttle: bindThrottle(sharedRateState(identity), resolveRetry(config.retry)) });
 * ```
 */
export interface Throttle {
  state?: RateState | undefined;
  /** Waits at the gate: undefined (synchronously) when it is open. Rejects when it will not open in time. */
  wait?: ((signal: AbortSignal | undefined, run: RunLink | undefined) => Promise<void> | undefined) | undefined;
}

/** The longest any answer closes the gate: a wrong header cannot silence a process for longer. */
export const MAX_GATE_MS = 3_600_000;

/** The learned pace: a share of the measured slope (the service's rate), below it for safety: 0.95 (the design's value) let the answers' latency push it past R in the fault suite (4.4-4.8 % 429s); 0.9 gives 2.8 % and 0.96 R sustained. */
const GAMMA = 0.9;
/** Points (span, accepted) the slope is fitted on. */
const POINTS = 4;
/** Additive probing: the pace grows 1 %/s, the growth doubling every 10 s after a reopening. */
const GROWTH = 0.01;
const GROWTH_DOUBLES_MS = 10_000;
/** The growth doubles at most this many times (to 64 %/s, 1 minute after a reopening). */
const GROWTH_DOUBLINGS = 6;
/**
 * A pace that has grown to this many times the rate it was learned at without meeting the limit
 * again no longer describes the service (the limit was raised, or the 429s came from elsewhere):
 * it is dropped, and the run is held by its concurrency and the gate until the next 429.
 */
const PACE_OUTGROWN = 4;
/** The pace's burst: 100 ms worth of requests (timer lateness), at least 1. */
const BURST_SECONDS = 0.1;

/**
 * A new rate state; with `maxRequestsPerSecond`, a budget (burst: 100 ms worth, at least 1, full).
 *
 * @internal
 * @example
 * ```ts
 * const state = createRateState({ maxRequestsPerSecond: 40 });
 * ```
 */
export function createRateState(options: { maxRequestsPerSecond?: number | undefined } = {}): RateState {
  const now = Date.now();
  const state: RateState = { closedUntil: 0, period: { openedAt: now, sent: 0, failed: 0 }, points: [] };
  setBudget(state, options.maxRequestsPerSecond);
  return state;
}

/**
 * Applies a client's `maxRequestsPerSecond` to a (shared) state: the lowest setting wins.
 *
 * @internal
 * @example
 * ```ts
 * setBudget(sharedRateState(identity), options.maxRequestsPerSecond);
 * ```
 */
export function setBudget(state: RateState, perSecond: number | undefined): void {
  if (perSecond === undefined || (state.budget && state.budget.perSecond <= perSecond)) return;
  const burst = Math.max(1, Math.floor(perSecond / 10));
  state.budget = { perSecond, burst, tokens: burst, at: Date.now() };
}

/**
 * Closes the gate for `waitMs` (capped at 1 h) after a throttling answer; returns when it reopens.
 * @internal
 */
export function closeGate(state: RateState, waitMs: number, now = Date.now()): number {
  state.closedUntil = Math.max(state.closedUntil, now + Math.min(waitMs, MAX_GATE_MS));
  return state.closedUntil;
}

/** Takes a token, or says how long until one is there (ms). */
const take = (bucket: Bucket, now: number): number => {
  bucket.tokens = Math.min(bucket.burst, bucket.tokens + ((now - bucket.at) * bucket.perSecond) / 1000);
  bucket.at = now;
  // Never NaN (a 0 × Infinity refill): a bucket that cannot say how long to wait does not hold.
  if (bucket.tokens >= 1 || !Number.isFinite(bucket.tokens)) {
    bucket.tokens = Math.max(0, Math.min(bucket.burst, bucket.tokens) - 1) || 0;
    return 0;
  }
  return Math.ceil(((1 - bucket.tokens) * 1000) / bucket.perSecond);
};

/**
 * Waits at the gate before an establish attempt. Undefined (synchronously: no promise) when the
 * gate is open and no budget or pace applies. Otherwise a promise that resolves when the attempt
 * may start, and rejects with the signal's reason when it aborts, or with a
 * `ContactsThrottledError` (nothing sent) when the gate stays closed longer than `maxWaitMs`.
 * @internal
 */
export function pass(
  state: RateState,
  signal: AbortSignal | undefined,
  maxWaitMs: number,
  run?: RunLink,
): Promise<void> | undefined {
  const now = Date.now();
  if (now >= state.closedUntil && !state.budget && !(run?.paced && state.pace) && state.period.closedAt === undefined) {
    if (state.period.sent++ === 0) state.period.openedAt = now;
    return undefined;
  }
  return waitSlow(state, signal, maxWaitMs, run);
}

/**
 * Learns the pace from the period the gate just closed (a 429 ended it): accepted requests A over
 * its span T, fitted over the last points (A = B + R·T for a token bucket: the slope is R), and
 * opens the next period. Done by the first pass after the gate reopens, when the period's answers are in.
 * @internal
 */
export function settle(state: RateState, now: number): void {
  const { openedAt, closedAt = now, sent, failed } = state.period;
  const span = (closedAt - openedAt) / 1000;
  const accepted = Math.max(0, sent - failed);
  const paused = Math.max(0, (now - closedAt) / 1000);
  const points = [...state.points, [span, accepted] as [number, number]].slice(-POINTS);
  state.points = points;
  const meanT = points.reduce((sum, [t]) => sum + t, 0) / points.length;
  const meanA = points.reduce((sum, [, a]) => sum + a, 0) / points.length;
  const sxx = points.reduce((sum, [t]) => sum + (t - meanT) ** 2, 0);
  const slope =
    points.length > 1 && sxx > 0.01
      ? points.reduce((sum, [t, a]) => sum + (t - meanT) * (a - meanA), 0) / sxx
      : Number.NaN;
  const previous = state.pace?.perSecond;
  const lower = accepted / (span + paused);
  const upper = span > 0.001 ? sent / span : (previous ?? 400);
  const perSecond = slope > 0 ? Math.max(lower, GAMMA * slope) : Math.sqrt(lower * Math.min(upper, previous ?? upper));
  // A period that measured nothing (a state made at the first 429, in the browser) or too short
  // to measure (answers within the same ms) teaches nothing: the pace stays as it was.
  if (sent > 0 && perSecond > 0) {
    state.pace = Number.isFinite(perSecond)
      ? {
          perSecond: Math.max(0.1, perSecond),
          burst: Math.max(1, perSecond * BURST_SECONDS),
          tokens: 1,
          at: now,
          learned: Math.max(0.1, perSecond),
        }
      : undefined;
  } else state.points = points.slice(0, -1);
  state.period = { openedAt: now, sent: 0, failed: 0 };
}

/** Takes a pace token, the pace grown lazily first (additive probing). */
const takePaced = (state: RateState, pace: Bucket, now: number): number => {
  const doublings = Math.min(GROWTH_DOUBLINGS, Math.floor((now - state.period.openedAt) / GROWTH_DOUBLES_MS));
  pace.perSecond *= 1 + (GROWTH * 2 ** doublings * Math.max(0, now - pace.at)) / 1000;
  if (!(pace.perSecond <= PACE_OUTGROWN * (pace.learned ?? pace.perSecond))) {
    // Outgrown (or not a number): no pace until the next 429 teaches one.
    state.pace = undefined;
    return 0;
  }
  pace.burst = Math.max(1, pace.perSecond * BURST_SECONDS);
  return take(pace, now);
};

async function waitSlow(state: RateState, signal: AbortSignal | undefined, maxWaitMs: number, run?: RunLink) {
  // Each waiter listens to a signal of its own, never to the caller's or the run's directly: 16
  // batches waiting on one signal would be 16 listeners on it (Node warns from 11), and
  // AbortSignal.any adds none to its sources. Made only here, on the slow path.
  const sources = [signal, run?.stop].filter((source) => source !== undefined);
  const stop = sources.length > 0 ? AbortSignal.any(sources) : undefined;
  let waited = false;
  try {
    for (let guard = 0; guard < 1e6; guard++) {
      stop?.throwIfAborted();
      const now = Date.now();
      let ms = state.closedUntil - now;
      if (ms > 0) {
        if (ms > maxWaitMs) {
          const retryAfter = Math.ceil(ms / 1000);
          throw throttledError(
            `Marketing Cloud's rate limit paused requests of these credentials for ${retryAfter} s more, over the ${maxWaitMs} ms this call waits (${run ? "maxPauseMs" : "retry.maxDelayMs"}): nothing was sent; try again later`,
            { retryAfter, errorcode: undefined, summary: undefined, stoppedBy: "gate" },
          );
        }
        if (!waited) run?.waiting(state.closedUntil);
        waited = true;
      } else {
        if (state.period.closedAt !== undefined) settle(state, now);
        ms = state.budget ? take(state.budget, now) : 0;
        const pace = run?.paced ? state.pace : undefined;
        if (ms === 0 && pace) ms = takePaced(state, pace, now);
        if (run?.paced) {
          const rate = pace && Math.round(pace.perSecond * 10) / 10;
          // Told when it moved by 1 % or more: progress, not a stream of events.
          if (rate === undefined ? run.perSecond !== undefined : Math.abs(rate - (run.perSecond ?? 0)) >= rate / 100)
            run.pace(rate);
        }
        if (ms === 0) {
          if (state.period.sent++ === 0) state.period.openedAt = now;
          return;
        }
      }
      await sleep(ms, stop);
    }
  } finally {
    if (waited) run?.waiting(undefined);
  }
}

/**
 * Waits (a ref'd timer: a pending wait keeps the process alive, so a run cannot exit half done),
 * or rejects with the signal's reason when it aborts first. The gate's waits and failure.ts's
 * retry backoff both use it.
 * @internal
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", abort);
      resolve();
    }, ms);
    if (signal?.aborted) abort();
    else signal?.addEventListener("abort", abort);
  });
}

/**
 * A gate holder for a client: waits at `state`'s gate, bounded by the run's `maxPauseMs` in a run
 * and by `retry.maxDelayMs` for a single call.
 *
 * @internal
 * @example
 * ```ts
 * const throttle = bindThrottle(sharedRateState(tokens.identity), resolveRetry(options.retry));
 * ```
 */
export function bindThrottle(state: RateState, retry: RetryPolicy): Required<Throttle> {
  return {
    state,
    wait: (signal, run) => pass(state, signal, run ? run.maxPauseMs : retry.maxDelayMs, run),
  };
}
