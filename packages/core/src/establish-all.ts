import type { EstablishContactsRequestPascalCase } from "@sfmc-contacts/types";
import { correlate } from "./correlate.js";
import { type ContactsApiError, ContactsValidationError, checkNumber, text } from "./errors.js";
import {
  checkRun,
  type EstablishAllOptions,
  type EstablishAllProgress,
  type EstablishAllRun,
  type EstablishAllSummary,
  type SendBatch,
} from "./establish-all-options.js";
import { type ContactsEventListener, emit } from "./events.js";
import { keyProblem } from "./keys.js";
import { type CallOptions, type createPipeline, eitherSignal, type PipelineConfig } from "./pipeline.js";
import type { AcknowledgedKey, ContactResult } from "./results.js";
import { isThrottled, type RunLink, throttledError } from "./throttle.js";
import type { ContactsThrottledError, ThrottledStop } from "./throttled-error.js";

type Result = ContactResult | AcknowledgedKey;

/** What a wait for the input resolves with when stop(), the signal or the flush timer ends it. */
const WOKEN = Symbol("woken");

/** The longest a timer waits: a longer delay would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Longest wait, once the run has stopped, for the input: for the key it was already asked for (see
 * `drain`), and for its `return()` when it is not stuck in `next()`.
 */
const LATE_KEY_WAIT_MS = 500;

const NOT_SENT_REASON = "the run ended before this key was sent";

/** The default `maxPauseMs`: 5 minutes. */
const MAX_PAUSE_MS = 300_000;

/**
 * Units of work (an item read, a batch taken) between checks that the event loop still turns. A
 * run that does no I/O (an endless source of invalid keys, batches that fail before any request)
 * would otherwise chain microtasks forever: no timer (a stop() from a timer, a signal's timeout)
 * and no I/O could ever run.
 */
const TURN_EVERY = 1024;

/**
 * Refuses a sparse array: a hole would be read as `undefined`, and what was meant is anyone's guess.
 * Here rather than in `checkRun`, which ships with `establish` in the browser bundle.
 */
function refuseHoles(keys: readonly unknown[]): void {
  for (let index = 0; index < keys.length; index++) {
    if (!(index in keys)) {
      const reason = "is a hole in a sparse array; pass an array with a key at every index";
      throw new ContactsValidationError(`keys[${index}] ${reason}`, { reason, index });
    }
  }
}

/**
 * A client's `establishAll`: each batch is the call's body shape with the batch's keys, sent
 * through the client's pipeline with the call's options as they are (the pipeline reads only their
 * signal and timeoutMs) and the run's link to the gate, which the run sets. The run ends on the
 * client's signal too ("aborts every call of this client"); each batch's request gets the run's own
 * signal, which the pipeline combines with the client's. Here, not in client.ts, so the browser
 * download does not carry it.
 * @internal
 */
export function clientRun(
  keys: Iterable<unknown> | AsyncIterable<unknown>,
  send: ReturnType<typeof createPipeline>,
  shape: EstablishContactsRequestPascalCase,
  options: EstablishAllOptions,
  config: Pick<PipelineConfig, "signal" | "onEvent" | "throttle">,
): EstablishAllRun<Result> {
  const call: CallOptions = { ...options };
  const signal = eitherSignal(config.signal, options.signal);
  return establishAll(
    keys,
    (batch) => {
      // Each batch waits at the gate before it is sent (its retries wait in failure.ts), outside
      // its time limit. The holder is read at each batch: failure.ts may make it mid-run.
      const gate = config.throttle?.wait?.(signal, call.run);
      const body = { ...shape, ContactKeys: batch };
      return gate ? gate.then(() => send(body, call)) : send(body, call);
    },
    { ...options, signal },
    call,
    config.onEvent,
  );
}

/**
 * Runs establish over any (async) iterable of keys: `concurrency` workers each take the next
 * batch from the input (one reader at a time), send it, and settle every key of it.
 * @internal
 */
export function establishAll(
  input: Iterable<unknown> | AsyncIterable<unknown>,
  send: SendBatch,
  options: EstablishAllOptions = {},
  call?: CallOptions,
  onEvent?: ContactsEventListener,
): EstablishAllRun<Result> {
  const [size, concurrency, flushMs, open] = checkRun(input, options);
  const { signal, onProgress } = options;
  const adaptive = options.adaptive !== false;
  const maxPauseMs = options.maxPauseMs ?? MAX_PAUSE_MS;
  const t = {
    total: 0,
    processed: 0,
    established: 0,
    created: 0,
    existing: 0,
    failed: 0,
    notSent: 0,
    batches: 0,
    inFlight: 0,
    concurrency,
    throttled: 0,
  } as EstablishAllProgress & { existing: number };
  const acknowledgeOnly = options.returnResults === false;
  // Results wait here for the reader; while someone iterates, workers pause when it is full.
  const queue: Result[] = [];
  let streaming = false;
  let stopped = false;
  /** The input has no more keys (or failed). */
  let ended = false;
  /** The input's own error, when reading it failed: the run rejects with it, after the accounting. */
  let failure: { error: unknown } | undefined;
  let finished = false;
  let tick!: () => void;
  let changed!: Promise<void>;
  const next = () => {
    const previous = tick;
    changed = new Promise((resolve) => (tick = resolve));
    previous?.();
  };
  next();
  /** Why throttling stopped the run: set once; the run then reads no more and sends nothing new. */
  let halt:
    | {
        error: ContactsApiError | ContactsThrottledError;
        retryAfter: number | undefined;
        reason: string;
        stoppedBy: ThrottledStop;
      }
    | undefined;
  const halter = new AbortController();
  /** The reason unsent keys of a stopped run get. */
  const haltReason = () => halt && `the run stopped: ${halt.reason}`;
  const halted = () => stopped || halt !== undefined || signal?.aborted === true;
  /** The in-flight limit (AIMD), and batches holding a slot (reserved before their read). */
  let limit = concurrency;
  let active = 0;
  /** Batches established since the limit last changed (or the last throttle). */
  let okSince = 0;
  /** Throttling answers before this Date.now() belong to the episode that last cut the limit. */
  let episodeUntil = 0;
  /** Batches waiting at the gate, and since when the run has been paused. */
  let waiters = 0;
  let pausedSince = 0;
  let pausedMs = 0;
  let work = 0;
  /** Whether a macrotask ran since the last check: a timer armed at each check says so. */
  let turned = false;
  /** Waits one macrotask unless one ran since the last check: bounded (one per TURN_EVERY units) and cheap. */
  const pause = async () => {
    work = 0;
    if (!turned) await new Promise((resolve) => setTimeout(resolve));
    turned = false;
    setTimeout(() => (turned = true));
  };
  // Ends the reader's wait for the input (stop, abort, flush), and wakes everyone else.
  let wake: ((woken: typeof WOKEN) => void) | undefined;
  const interrupt = () => {
    wake?.(WOKEN);
    next();
  };

  /** Tells the listeners the in-flight limit and the pace as they are now. */
  const announce = (previous: number) => {
    if (onEvent)
      emit(onEvent, {
        type: "concurrency",
        concurrency: limit,
        previous,
        ceiling: concurrency,
        perSecond: t.perSecond,
      });
    onProgress?.({ ...t });
  };

  const setLimit = (value: number) => {
    if (value === limit) return;
    const previous = limit;
    limit = t.concurrency = value;
    okSince = 0;
    announce(previous);
    next();
  };

  /** Stops the run for throttling: batches waiting at the gate stop, unread keys are not read. */
  const stopFor = (stop: NonNullable<typeof halt>, cause: ContactsApiError | ContactsThrottledError) => {
    halt = stop;
    halter.abort(
      throttledError(
        `establishAll: the run stopped: ${stop.reason}`,
        { retryAfter: stop.retryAfter, errorcode: stop.error.errorcode, summary: undefined, stoppedBy: stop.stoppedBy },
        cause,
      ),
    );
    interrupt();
  };

  let throttledSince: number | undefined;
  const link: RunLink = {
    maxPauseMs,
    paced: adaptive,
    stop: halter.signal,
    throttled(error, waitMs) {
      t.throttled++;
      okSince = 0;
      const now = Date.now();
      // Throttled since the last batch established (or since the first throttle of the run): not
      // since the run was made, nor across an idle input's wait for its next key.
      throttledSince ??= now;
      if (waitMs === undefined || waitMs > maxPauseMs || now - throttledSince > maxPauseMs) {
        if (halt) return;
        const retryAfter = waitMs === undefined ? undefined : Math.ceil(waitMs / 1000);
        const reason =
          waitMs === undefined
            ? `Marketing Cloud temporarily blocked requests of these credentials (HTTP ${error.status}, errorcode ${error.errorcode})`
            : waitMs > maxPauseMs
              ? `Marketing Cloud asked to wait ${retryAfter} s (its Retry-After, or longer after repeated throttling), over maxPauseMs (${maxPauseMs} ms)`
              : `Marketing Cloud throttled its requests with no batch established for over maxPauseMs (${maxPauseMs} ms)`;
        const stoppedBy = waitMs === undefined ? "blocked" : waitMs > maxPauseMs ? "retry-after" : "no-progress";
        stopFor({ error, retryAfter, reason, stoppedBy }, error);
      } else if (adaptive && now >= episodeUntil) {
        // One cut per episode: the answers to batches already in flight at the cut arrive before the gate reopens.
        episodeUntil = now + waitMs;
        setLimit(Math.max(1, Math.floor(limit / 2)));
      }
    },
    pace(perSecond) {
      link.perSecond = perSecond;
      if (perSecond === undefined) delete t.perSecond;
      else t.perSecond = perSecond;
      announce(limit);
    },
    waiting(resumeAt) {
      const now = Date.now();
      if (resumeAt === undefined) {
        if (--waiters === 0) {
          pausedMs += now - pausedSince;
          delete t.resumeAt;
        }
        return;
      }
      if (waiters++ === 0) pausedSince = now;
      if (resumeAt > (t.resumeAt ?? 0)) {
        t.resumeAt = resumeAt;
        onProgress?.({ ...t });
      }
    },
  };
  if (call) call.run = link;

  const settle = (results: Result[]) => {
    for (const result of results) {
      t.processed++;
      if (!result.ok) {
        t.failed++;
        if (result.code === "NOT_SENT") t.notSent++;
      } else {
        t.established++;
        if ("isNew" in result) result.isNew ? t.created++ : t.existing++;
      }
      if (streaming) queue.push(result);
    }
    next();
  };

  let iterator: Iterator<unknown> | AsyncIterator<unknown>;
  /** A `next()` of the input that a read stopped waiting for (flush): the next read takes its result first. */
  let pending: Promise<unknown> | undefined;
  let reading: Promise<unknown> = Promise.resolve();

  /** Takes one iterator result: a valid key joins the batch, an invalid one is settled. False at the end. */
  const take = (item: unknown, keys: string[], at: number[]): boolean => {
    if (typeof item !== "object" || item === null) {
      throw new ContactsValidationError(
        `keys: the iterator's next() gave ${item === null ? "null" : typeof item}, not an iterator result object`,
        { reason: "keys" },
      );
    }
    const { done, value } = item as IteratorResult<unknown>;
    work++;
    if (done) {
      ended = true;
      return false;
    }
    const problem = keyProblem(value);
    if (problem) {
      const reason = `the key ${problem}`;
      // text(), not String(): a key with no text form (a null-prototype object, a throwing
      // toString) is an invalid key, not the input's failure.
      settle([{ ok: false, key: text(value), index: t.total, code: "INVALID_KEY", reason, messages: [] }]);
    } else {
      keys.push(value as string);
      at.push(t.total);
    }
    t.total++;
    return true;
  };

  /** Settles keys that were read but will never be sent. */
  const notSent = (keys: string[], at: number[]) =>
    settle(
      keys.map((key, i) => ({
        ok: false,
        key,
        index: at[i] as number,
        code: "NOT_SENT",
        reason: haltReason() ?? NOT_SENT_REASON,
        messages: [],
      })),
    );

  /**
   * The next batch of valid keys with their input positions; invalid keys are settled on the way.
   * Reads at most `size` items, valid or not, so a source of bad keys still lets the run pause and stop.
   * Never rejects: a failing input ends the input, and the keys already read are returned to be sent.
   */
  const read = async (): Promise<{ keys: string[]; at: number[] }> => {
    const keys: string[] = [];
    const at: number[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let woken: Promise<typeof WOKEN> | undefined;
    try {
      for (let n = 0; n < size && !ended && !halted(); n++) {
        let item: unknown;
        if (!pending) {
          item = iterator.next();
          // Any thenable is a result to come: another realm's promises and hand-made thenables too.
          // A synchronous iterator's results need no await: that is one microtask per key saved.
          if (typeof (item as PromiseLike<unknown> | null | undefined)?.then === "function") {
            pending = Promise.resolve(item);
          }
        }
        if (pending) {
          // The partial batch waits at most flushMs from its first key (read just before this wait).
          if (keys.length > 0 && timer === undefined) timer = setTimeout(interrupt, Math.min(flushMs, MAX_TIMER_MS));
          woken ??= new Promise((resolve) => (wake = resolve));
          // Raced, so that stop(), the signal and the flush timer end a wait on an idle input.
          item = await Promise.race([pending, woken]);
          if (item === WOKEN) break;
          pending = undefined;
        }
        if (!take(item, keys, at)) break;
      }
    } catch (error) {
      // The input failed: it ends here, and the keys it gave before are still sent.
      ended = true;
      failure = { error };
      pending = undefined;
    } finally {
      clearTimeout(timer);
      wake = undefined;
    }
    return { keys, at };
  };

  /**
   * After the workers: the input was asked for a key (a next() that stop(), the signal or a flush
   * stopped waiting for) and no worker is left to read it. The run waits for it, at most
   * LATE_KEY_WAIT_MS: a key that comes by then was read, and gets its result (NOT_SENT); one that
   * comes later never reaches the run (which has settled), so it is neither read nor counted.
   */
  const drain = async () => {
    const keys: string[] = [];
    const at: number[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const item = await Promise.race([
        pending,
        new Promise((resolve) => (timer = setTimeout(resolve, LATE_KEY_WAIT_MS, WOKEN))),
      ]);
      if (item === WOKEN) return;
      pending = undefined;
      take(item, keys, at);
    } catch (error) {
      ended = true;
      failure = { error };
      pending = undefined;
    } finally {
      clearTimeout(timer);
    }
    notSent(keys, at);
  };

  const worker = async () => {
    for (;;) {
      while (((streaming && queue.length >= size * concurrency) || active >= limit) && !halted()) await changed;
      if (halted() || ended) return;
      if (++work > TURN_EVERY) await pause();
      // The slot is taken before the read: workers that passed the check together cannot overshoot it.
      active++;
      // One reader at a time: each worker queues its read behind the previous one.
      const batch = reading.then(read);
      reading = batch;
      const { keys, at } = await batch;
      if (keys.length === 0) {
        active--;
        next();
        continue;
      }
      if (signal?.aborted || halt) {
        // Read, but the run was aborted (or throttling stopped it) before they could be sent (stop() still sends them).
        active--;
        notSent(keys, at);
        continue;
      }
      t.inFlight++;
      let results: Result[];
      try {
        const answer = await send(keys, signal);
        throttledSince = undefined;
        if (adaptive && limit < concurrency && ++okSince >= limit) setLimit(limit + 1);
        results = acknowledgeOnly
          ? keys.map((key, i) => ({
              ok: true,
              acknowledged: true,
              key,
              index: at[i] as number,
              messages: answer.resultMessages,
            }))
          : correlate(keys, answer.items, at);
      } catch (error) {
        const aborted = signal?.aborted === true;
        // Stopped at the gate before its first attempt: never sent.
        const unsent = !aborted && isThrottled(error);
        const reason = aborted
          ? "aborted before the answer arrived"
          : (unsent && haltReason()) || (error as Error).message;
        // The gate stays closed longer than maxPauseMs (another call of these credentials closed
        // it): the run stops, as for a Retry-After over maxPauseMs.
        if (unsent && !halt) {
          const refusal = error as ContactsThrottledError;
          stopFor(
            {
              error: refusal,
              retryAfter: refusal.retryAfter,
              reason: `Marketing Cloud's rate limit paused requests of these credentials for ${refusal.retryAfter} s more, over maxPauseMs (${maxPauseMs} ms)`,
              stoppedBy: "gate",
            },
            refusal,
          );
        }
        const code = aborted ? "ABORTED" : unsent ? "NOT_SENT" : "REQUEST_FAILED";
        results = keys.map((key, i) => ({
          ok: false,
          key,
          index: at[i] as number,
          code,
          reason,
          messages: [],
          error,
        }));
      }
      t.inFlight--;
      active--;
      t.batches++;
      settle(results);
      onProgress?.({ ...t });
    }
  };

  /**
   * Lets the input clean up (a generator's `finally` closes its file, say), without ever waiting on
   * it without bound. An input stuck in `next()` cannot return before that next() does, so it is
   * not waited for at all. The accounting is done by now: a failure to close changes nothing in it.
   */
  const close = async () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const closing = Promise.resolve(iterator.return?.());
      closing.catch(() => {});
      if (!pending)
        await Promise.race([closing, new Promise((resolve) => (timer = setTimeout(resolve, LATE_KEY_WAIT_MS)))]);
    } catch {
      // A synchronous throw or a rejection of return(): nothing left to account for.
    } finally {
      clearTimeout(timer);
    }
  };

  let summary: Promise<EstablishAllSummary> | undefined;
  const start = () =>
    (summary ??= (async () => {
      signal?.addEventListener("abort", interrupt);
      try {
        try {
          // Here, not in checkRun (bytes in the browser download), and inside the run, so that it
          // rejects done() and the iteration (a run never started, or only stopped, leaves no
          // unhandled rejection): a bad value fails the run before it reads anything.
          checkNumber(options.maxPauseMs, "maxPauseMs", 0, true, MAX_TIMER_MS);
          if (Array.isArray(input)) refuseHoles(input);
          iterator = open.call(input);
          if (typeof iterator?.next !== "function") {
            throw new ContactsValidationError("keys: the iterable's iterator has no next() method", { reason: "keys" });
          }
        } catch (error) {
          ended = true;
          failure = { error };
        }
        const outcomes = await Promise.allSettled(Array.from({ length: concurrency }, worker));
        if (pending) await drain();
        if (!ended) await close();
        if (failure) throw failure.error;
        const rejected = outcomes.find((o) => o.status === "rejected");
        if (rejected) throw rejected.reason;
        const { inFlight, concurrency: _limit, resumeAt, perSecond, ...totals } = t;
        onProgress?.({ ...t });
        const result = { ...totals, stopped: !ended, pausedMs };
        // Set by the link's callbacks, which the compiler cannot see.
        const stop = halt as typeof halt;
        if (stop) {
          const { error, retryAfter, reason, stoppedBy } = stop;
          const refused = result.failed - result.notSent;
          throw throttledError(
            `establishAll stopped: ${reason}. ${result.notSent} keys were not sent (NOT_SENT) and ${refused} failed (REQUEST_FAILED or invalid). Wait before sending them again${error.errorcode === 50200 ? ", and lower concurrency or set maxRequestsPerSecond" : ""}.`,
            { retryAfter, errorcode: error.errorcode, summary: result, stoppedBy },
            error,
          );
        }
        return result;
      } finally {
        signal?.removeEventListener("abort", interrupt);
        finished = true;
        next();
      }
    })());

  return {
    done: start,
    stop: () => {
      stopped = true;
      interrupt();
    },
    [Symbol.asyncIterator]() {
      if (streaming || summary) {
        const reason = "a run is iterated at most once, and before done(): done() alone keeps no per-key results";
        throw new ContactsValidationError(`establishAll: ${reason}`, { reason });
      }
      streaming = true;
      const run = start();
      run.catch(() => {});
      return {
        async next(): Promise<IteratorResult<Result>> {
          for (;;) {
            const result = queue.shift();
            if (result) {
              next();
              return { value: result, done: false };
            }
            if (finished) return run.then(() => ({ value: undefined, done: true }));
            await changed;
          }
        },
        async return(): Promise<IteratorResult<Result>> {
          stopped = true;
          queue.length = 0;
          interrupt();
          return { value: undefined, done: true };
        },
      };
    },
  };
}
