import type { EstablishContactsResponse } from "@sfmc-contacts/types";
import { ContactsValidationError, checkNumber } from "./errors.js";
import type { AcknowledgedKey, ContactResult, FailedKey } from "./results.js";

/**
 * Options of `establishAll`.
 *
 * @example
 * ```ts
 * await client.establishAll(keys, { batchSize: 50, concurrency: 4, onProgress: (p) => console.log(p.processed) });
 * ```
 */
export interface EstablishAllOptions {
  /**
   * `false`: fire and forget. Each batch is only acknowledged: its keys come back as
   * `AcknowledgedKey`s, without ids or new-contact flags. Default `true`.
   */
  returnResults?: boolean;
  /** Keys per request. Default 50, Marketing Cloud's published soft limit for synchronous calls. */
  batchSize?: number;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
  /** Aborts the run: requests in flight are cancelled and their keys reported `ABORTED`. */
  signal?: AbortSignal;
  /** Called after each batch is answered (and once at the end). */
  onProgress?: (progress: EstablishAllProgress) => void;
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
  failed: number;
  /** Batches sent and answered (or failed). */
  batches: number;
  /** Batches waiting for an answer. */
  inFlight: number;
}

/**
 * The totals of a finished run. Every input key is counted exactly once.
 *
 * @example
 * ```ts
 * const summary = await client.establishAll(keys);
 * if (summary.failed > 0) process.exitCode = 1;
 * ```
 */
export interface EstablishAllSummary extends Omit<EstablishAllProgress, "inFlight"> {
  /** Established keys that already existed (0 in fire-and-forget runs, which do not say). */
  existing: number;
  /** Whether `stop()` or the signal ended the run before the input did. */
  stopped: boolean;
}

/**
 * A running `establishAll`: iterate it for per-key results as batches are answered, and/or await
 * it for the summary. Results are streamed: memory stays bounded by batch size × concurrency.
 *
 * @example
 * ```ts
 * const run = client.establishAll(readKeys());
 * for await (const result of run) if (!result.ok) console.error(result.key, result.reason);
 * const summary = await run;
 * ```
 */
export interface EstablishAllRun<Result = ContactResult>
  extends AsyncIterable<Result>,
    PromiseLike<EstablishAllSummary> {
  /** Stops taking new batches; batches in flight finish. The summary then has `stopped: true`. */
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
 * at the call), and returns them resolved.
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
  const { batchSize: size = 50, concurrency = 4 } = options;
  checkNumber(size, "batchSize", 1, true);
  checkNumber(concurrency, "concurrency", 1, true);
  return { size, concurrency, open };
}
