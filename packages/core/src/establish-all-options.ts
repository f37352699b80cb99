import type { EstablishContactsResponse } from "@sfmc-contacts/types";
import { ContactsValidationError, checkNumber } from "./errors.js";
import type { AcknowledgedKey, ContactResult, FailedKey } from "./results.js";

/**
 * The most requests an `establishAll` run keeps in flight: the Node client's undici agent has
 * 128 connections, and more only queue while the results waiting for a reader grow with them.
 *
 * @example
 * ```ts
 * const run = client.establishAll(keys, { concurrency: Math.min(wanted, MAX_CONCURRENCY) });
 * ```
 */
export const MAX_CONCURRENCY = 128;

/**
 * The most keys `establishAll` puts in one request. Marketing Cloud documents no hard maximum
 * (50 is its soft limit for synchronous calls, and the default); 10,000 keys keep a request and its
 * answer to a few MB, well inside the default response cap, and larger batches are almost
 * certainly a mistake.
 *
 * @example
 * ```ts
 * const run = client.establishAll(keys, { batchSize: Math.min(wanted, MAX_BATCH_SIZE) });
 * ```
 */
export const MAX_BATCH_SIZE = 10_000;

/**
 * Options of `establishAll`.
 *
 * @example
 * ```ts
 * const run = client.establishAll(keys, { batchSize: 50, concurrency: 4, onProgress: (p) => console.log(p.processed) });
 * const summary = await run.done();
 * ```
 */
export interface EstablishAllOptions {
  /**
   * `false`: fire and forget. Each batch is only acknowledged: its keys come back as
   * `AcknowledgedKey`s, without ids or new-contact flags. Default `true`.
   */
  returnResults?: boolean;
  /**
   * Keys per request: a whole number from 1 to {@link MAX_BATCH_SIZE} (10,000). Default 50,
   * Marketing Cloud's published soft limit for synchronous calls.
   */
  batchSize?: number;
  /** Requests in flight at once: a whole number from 1 to {@link MAX_CONCURRENCY} (128). Default 4. */
  concurrency?: number;
  /**
   * How long a partial batch waits for more keys, in ms: once this long has passed since its first
   * key was read, it is sent even if it is not full, so a slow source (a pipe, a queue) sees its
   * keys established as they come. A whole number >= 0 (0: send what has been read whenever the
   * input makes the run wait); above 2,147,483,647 (about 24.8 days, a timer's limit) it is that.
   * Default 1000.
   */
  flushMs?: number;
  /**
   * Aborts the run, even while the input is waiting for its next key: requests in flight are
   * cancelled and their keys reported `ABORTED`; keys read but not yet sent are reported
   * `NOT_SENT`. The run settles promptly: within 500 ms when the input was waiting for its next
   * key (see `EstablishAllRun.stop()` for a key it gives meanwhile). The client's own `signal`
   * (`ClientOptions.signal`) ends the run the same way.
   */
  signal?: AbortSignal | undefined;
  /**
   * Called after each batch is answered, when the number in flight or the pace changes, when the
   * run starts waiting for Marketing Cloud's throttling to pass, and once at the end.
   */
  onProgress?: (progress: EstablishAllProgress) => void;
  /**
   * `false`: keep `concurrency` batches in flight whatever happens, with no learned pace (the
   * behaviour before adaptive runs). The shared pause on throttling and `maxRequestsPerSecond`
   * still apply: they are how the client honours the service. Default `true`: `concurrency` is the
   * ceiling; the run halves the number in flight on each throttling episode and adds one back per
   * window of batches established.
   */
  adaptive?: boolean;
  /**
   * The longest the run waits for throttling to pass, in ms: one `Retry-After` longer than this, a
   * pause another call started that lasts longer, or throttling with no batch established for this
   * long, stops the run (`done()` rejects a `ContactsThrottledError`; keys never sent are
   * `NOT_SENT`). Throttled batches are sent again without using up `retry.attempts`. A whole number
   * from 0 to 2,147,483,647, checked when the run starts (another value fails it with a
   * `ContactsValidationError` before a key is read). Default 300,000 (5 minutes).
   */
  maxPauseMs?: number;
}

/**
 * Progress of a run.
 *
 * @example
 * ```ts
 * const line = (p: EstablishAllProgress) => `${p.processed} keys, ${p.failed} failed, ${p.inFlight} batches in flight`;
 * ```
 */
export interface EstablishAllProgress {
  /** Keys read from the input so far. */
  total: number;
  /** Keys with a final result so far. */
  processed: number;
  established: number;
  /** Of the established keys, how many were new. */
  created: number;
  /** Keys that failed, whatever the code (`NOT_SENT` ones included). */
  failed: number;
  /** Of the failed keys, those read but never sent (code `NOT_SENT`): send them again. */
  notSent: number;
  /** Batches sent and answered (or failed). */
  batches: number;
  /** Batches waiting for an answer. */
  inFlight: number;
  /** The most batches the run keeps in flight now: `concurrency`, or fewer while throttled (adaptive). */
  concurrency: number;
  /** Answers so far that throttled this run's requests (429, or 503 with Retry-After). */
  throttled: number;
  /** While the run waits for the shared pause to pass: when it ends (like Date.now()). */
  resumeAt?: number;
  /** The learned pace in requests/s, while one applies to this run. */
  perSecond?: number;
}

/**
 * The totals of a finished run. Every key read from the input is counted exactly once. A key is
 * read when the input gives it to the run before the run settles; see `EstablishAllRun.stop()`
 * for a key the input gives after that.
 *
 * @example
 * ```ts
 * const summary = await client.establishAll(keys).done();
 * if (summary.failed > 0) process.exitCode = 1;
 * ```
 */
export interface EstablishAllSummary
  extends Omit<EstablishAllProgress, "inFlight" | "concurrency" | "resumeAt" | "perSecond"> {
  /** Established keys that already existed (0 in fire-and-forget runs, which do not say). */
  existing: number;
  /** Whether `stop()` or the signal ended the run before the input did. */
  stopped: boolean;
  /** Wall time the run spent waiting for throttling to pass, in ms (overlapping waits counted once). */
  pausedMs: number;
}

/**
 * A running `establishAll`: an async iterable of per-key results, streamed as batches are
 * answered (memory stays bounded by batch size × concurrency), with `done()` for the summary.
 * It is not a promise and not a thenable: returning it from an `async` function gives the run.
 *
 * - `await run.done()`: starts the run (if iteration has not) and resolves with the summary once
 *   every key read has its result. It rejects with the input's own error when reading the input
 *   failed, after every key read before the failure got its result; and with a
 *   `ContactsValidationError`, before anything is read, for a sparse array.
 * - `for await (const result of run)`: starts the run and streams the results; then `done()`
 *   gives the summary. Iterate first: a run whose `done()` was called without iteration keeps no
 *   results, and iterating it then (or a second time) throws a `ContactsValidationError`.
 *   Leaving the loop early (`break`) stops the run like `stop()`.
 *
 * @example
 * ```ts
 * const run = client.establishAll(readKeys());
 * for await (const result of run) if (!result.ok) console.error(result.key, result.code, result.reason);
 * const summary = await run.done();
 * ```
 */
export interface EstablishAllRun<Result = ContactResult> extends AsyncIterable<Result> {
  /** Starts the run if nothing has, and resolves with its summary once every key read has its result. */
  done(): Promise<EstablishAllSummary>;
  /**
   * Stops reading the input, even while it is waiting for its next key. The keys already read are
   * still sent (the last batch may be partial) and the batches in flight finish. A batch waiting
   * at the rate-limit gate is sent when the pause ends (at most `maxPauseMs` later); abort the
   * run's `signal` to end it at once instead (its keys are then `NOT_SENT` or `ABORTED`). The
   * summary then has `stopped: true`.
   *
   * If the input was already asked for its next key (its `next()` is pending) when the run stops,
   * here or by the signal, the run waits up to 500 ms for it: a key given by then is read and
   * reported `NOT_SENT`. A key given later is not read: the run has settled, so it gets no result
   * and is not counted. Stop the source first (or let it end) if every key it gives must be counted.
   */
  stop(): void;
}

/**
 * What a fire-and-forget run yields for each key.
 *
 * @example
 * ```ts
 * const run: EstablishAllRun<AcknowledgedResult> = client.establishAll(keys, { returnResults: false });
 * ```
 */
export type AcknowledgedResult = AcknowledgedKey | FailedKey;

/** Sends one batch. @internal */
export type SendBatch = (keys: string[], signal: AbortSignal | undefined) => Promise<EstablishContactsResponse>;

/**
 * Checks a run's input and options before anything starts (synchronously, so bad options throw
 * at the call), and returns them resolved: `[batchSize, concurrency, flushMs, open]` (a tuple:
 * fewer bytes). Kept small: it ships with `establish` in the browser bundle. Sparse arrays are refused by the run itself, before it reads anything.
 * @internal
 */
export function checkRun(input: unknown, options: EstablishAllOptions) {
  const source = input as Partial<AsyncIterable<unknown> & Iterable<unknown>> | null;
  const open = (source?.[Symbol.asyncIterator] ?? source?.[Symbol.iterator]) as
    | ((this: unknown) => Iterator<unknown> | AsyncIterator<unknown>)
    | undefined;
  if (typeof open !== "function") {
    throw new ContactsValidationError("keys must be an iterable or async iterable of contact keys", { reason: "keys" });
  }
  const { batchSize: size = 50, concurrency = 4, flushMs = 1000 } = options;
  checkNumber(size, "batchSize", 1, true, MAX_BATCH_SIZE);
  checkNumber(concurrency, "concurrency", 1, true, MAX_CONCURRENCY);
  // No upper bound here (bytes in the browser bundle): the run caps the wait at a timer's limit.
  checkNumber(flushMs, "flushMs", 0, true);

  return [size, concurrency, flushMs, open] as const;
}
