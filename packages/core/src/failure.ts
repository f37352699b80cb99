/**
 * Everything after a failed attempt: the errors for answers the clients do not use (an error
 * status, a redirect, a body over `maxResponseBytes`), the classification of a thrown error,
 * retries with backoff and `Retry-After`, the renewal after a 401, and their events. Loaded on
 * first use, so the code (and the messages) stay out of the browser bundle of an app whose
 * requests succeed.
 */
import type { EstablishContactsResponse, MarketingCloudError } from "@sfmc-contacts/types";
import { text } from "./errors.js";
// Through the entries, so bundlers keep core's shared code in one chunk (see keys.ts).
import {
  ContactsApiError,
  ContactsError,
  ContactsNetworkError,
  ContactsTimeoutError,
  type TransportReply,
} from "./index.js";
import { emit, isRedirect } from "./internal.js";
import type { CallOptions, PipelineConfig } from "./pipeline.js";
import { type Attempt, json, unwrap } from "./pipeline.js";
import { isError } from "./results.js";
import type { RetryPolicy } from "./retry.js";
import { bindThrottle, closeGate, createRateState, isThrottled, sleep } from "./throttle.js";

/** Marketing Cloud's "requests temporarily blocked": its length is unknown, so it is never retried. */
export const BLOCKED = 50200;

/**
 * The error for a redirect, for a status outside 200-599, or (with `max`) for a body over
 * `maxResponseBytes`. Never retried.
 */
export const answerRefused = (status: number, max?: number): ContactsApiError =>
  new ContactsApiError(
    max
      ? `Answer (HTTP ${status}) over maxResponseBytes (${max}): reading stopped`
      : isRedirect(status)
        ? `Redirect (HTTP ${status}) refused: requests use redirect: "manual"; nothing was sent to its Location`
        : `Answer with HTTP status ${status}, outside 200-599, refused`,
    { status, retryable: false },
  );

/** The error for a non-200 answer, with Marketing Cloud's fields when the body has them. @internal */
export function apiError({ status, text, header }: TransportReply): ContactsApiError {
  // Whatever the transport: a redirect, or a status outside 200-599, is refused (never retried),
  // with the same message the spec client gives.
  if (isRedirect(status) || status < 200 || status > 599) return answerRefused(status);
  const parsed = json(text) as MarketingCloudError | undefined;
  // A Marketing Cloud error body has a message; a proxy's error page (HTML, say) does not parse.
  const body = parsed?.message ? parsed : undefined;
  const retryAfterMs = retryAfterHeader(header("retry-after"));
  const blocked = body?.errorcode === BLOCKED;
  return new ContactsApiError(
    `Marketing Cloud answered ${status}${body ? `: ${body.message} (errorcode ${body.errorcode})` : ""}`,
    {
      status,
      body,
      retryAfter: retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000),
      requestId: header("x-request-id") ?? undefined,
      ...(blocked ? { retryable: false } : {}),
    },
  );
}

/**
 * `Retry-After` (seconds, or an HTTP date) in ms from now: the public `parseRetryAfter`'s rule,
 * restated here because importing that export from this lazily loaded module would make bundlers
 * ship it in the app's first download.
 */
const retryAfterHeader = (value: string | null): number | undefined => {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return date >= 0 ? Math.max(0, date - Date.now()) : undefined;
};

/**
 * An answer the pipeline cannot use. A 200 without a usable body throws its error (retried, as an
 * attempt's throw is, unless Marketing Cloud refused the request). Otherwise `undefined` (try
 * again) after a 401 when `renew` says fresh credentials are worth one more attempt, else the
 * answer's error.
 * @internal
 */
export async function answered(
  reply: TransportReply,
  renew: false | (() => boolean | Promise<boolean> | undefined),
): Promise<ContactsError | undefined> {
  if (reply.status === 200) {
    const answer = unwrap(reply.text);
    const refusal =
      Array.isArray(answer?.items) && Array.isArray(answer.resultMessages) && answer.resultMessages.find(isError);
    throw refusal
      ? new ContactsApiError(`Marketing Cloud refused the request: ${refusal.resultCode}: ${refusal.message}`, {
          status: 200,
          retryable: false,
        })
      : new ContactsApiError("Marketing Cloud answered 200 with an unreadable body", { status: 200 });
  }
  return reply.status === 401 && renew && (await renew()) ? undefined : apiError(reply);
}

/**
 * The error for a failed attempt: the attempt's timeout, a typed error as it is, anything else
 * (no HTTP answer) a network error.
 * @internal
 */
export const classify = (caught: unknown, reason: unknown): ContactsError =>
  reason instanceof ContactsTimeoutError
    ? reason
    : caught instanceof ContactsError
      ? caught
      : new ContactsNetworkError(caught);

/** The least backoff between repeated throttling answers of one call (with `retry.baseDelayMs` 0). */
const MIN_THROTTLE_BACKOFF_MS = 100;
/** The most that floor grows to under a short Retry-After: one request a second per batch. */
const MAX_THROTTLE_FLOOR_MS = 1000;

/**
 * Goes on from a first attempt that gave no answer: retries what can be retried (with backoff,
 * never sooner than `Retry-After`), repeats an attempt once after credentials were renewed, and
 * reports `retry` and `error` events. A throttling answer (429 but 50200, 503 with Retry-After)
 * closes the shared gate, which every later attempt waits at; in a run, it is sent again after the
 * pause without using up an attempt, unless the pause is over `maxPauseMs` or the run has had no
 * success for that long (then the run stops: see establish-all.ts).
 * @internal
 */
export async function recover(
  outcome: EstablishContactsResponse | ContactsError | undefined,
  attempt: Attempt,
  config: Pick<PipelineConfig, "retry" | "onEvent" | "throttle">,
  outer: AbortSignal | undefined,
  { run }: CallOptions,
): Promise<EstablishContactsResponse> {
  const { retry, onEvent } = config;
  // This client's own gate, made here on first use when the client has none (see PipelineConfig).
  config.throttle ??= {};
  const throttle = config.throttle;
  let renewed = false;
  let last: ContactsError | undefined;
  // Every attempt after the first waits at the gate first, outside its time limit (the first
  // waited before the call: see PipelineConfig's throttle).
  // A run stopped by throttling (50200, or a pause over maxPauseMs) sends nothing more: no retry
  // and no re-send of its batches (their last answer stands). Also for a browser gate, which a
  // 50200 alone does not make.
  const again = async (n: number, renewed: boolean) => {
    run?.stop.throwIfAborted();
    const gate = throttle.wait?.(outer, run);
    if (gate) await gate;
    return attempt(n, renewed);
  };
  // Throttling answers this call met: from the second on, the wait has a floor (see below), so a
  // Retry-After of 0 or a date in the past never re-sends at once (a run's re-sends use up no
  // attempt, so nothing else would bound them).
  let throttles = 0;
  for (let n = 1; ; ) {
    if (!outcome) renewed = true;
    else if (!(outcome instanceof Error)) return outcome;
    else {
      const error = outcome;
      last = error;
      const { retryAfter, status, errorcode } = error as ContactsApiError;
      const retryAfterMs = retryAfter === undefined ? undefined : retryAfter * 1000;
      if ((status === 429 && errorcode !== BLOCKED) || (status === 503 && retryAfterMs !== undefined)) {
        // Throttling: one pause for every caller of this limit.
        // Without Retry-After: the usual backoff, doubling up to maxDelayMs. With one, honoured as
        // it is, but from the second answer on never less than a floor that doubles up to 1 s: a
        // Retry-After of 0 (or a date in the past) costs each batch at most one request a second,
        // and a real Retry-After (1 s and more) is not lengthened, since every longer wait would
        // pause the whole run at the shared gate.
        const doubling = Math.max(retry.baseDelayMs, MIN_THROTTLE_BACKOFF_MS) * 2 ** Math.max(0, throttles - 1);
        const wait =
          retryAfterMs === undefined
            ? Math.min(retry.maxDelayMs, Math.max(retry.baseDelayMs, MIN_THROTTLE_BACKOFF_MS) * 2 ** throttles)
            : throttles === 0
              ? retryAfterMs
              : Math.max(retryAfterMs, Math.min(MAX_THROTTLE_FLOOR_MS, retry.maxDelayMs, doubling));
        throttles++;
        throttle.state ??= createRateState();
        const state = throttle.state;
        throttle.wait ??= bindThrottle(state, retry).wait;
        if (status === 429) {
          // Feeds the learned pace: this 429 ends the open period (see throttle.ts).
          state.period.failed++;
          state.period.closedAt ??= Date.now();
        }
        const resumeAt = closeGate(state, wait);
        emit(onEvent, { type: "throttle", status, errorcode, retryAfterMs, resumeAt });
        if (run) {
          run.throttled(error as ContactsApiError, wait);
          // Sent again after the pause, without using up an attempt (retry: false: one attempt).
          if (retry.attempts > 1 && !run.stop.aborted) {
            emit(onEvent, { type: "retry", attempt: n, delayMs: wait, reason: error.message, status, retryAfterMs });
            try {
              outcome = await again(n + 1, renewed);
            } catch (caught) {
              // Stopped at the gate (the run stopped, or the pause outlasts maxPauseMs): the batch
              // was sent, so it fails with its answer; an abort stays an abort.
              if (outer?.aborted) throw caught;
              emit(onEvent, { type: "error", error });
              throw error;
            }
            continue;
          }
          emit(onEvent, { type: "error", error });
          throw error;
        }
      } else if (run && errorcode === BLOCKED) run.throttled(error as ContactsApiError, undefined);
      const delay = n < retry.attempts && error.retryable ? retryDelay(n, retry, retryAfterMs) : undefined;
      if (delay === undefined) {
        emit(onEvent, { type: "error", error });
        throw error;
      }
      emit(onEvent, { type: "retry", attempt: n, delayMs: delay, reason: error.message, status, retryAfterMs });
      // A run's backoff also ends when throttling stops the run: the batch fails with its answer.
      try {
        await sleep(delay, run ? AbortSignal.any(outer ? [outer, run.stop] : [run.stop]) : outer);
      } catch (caught) {
        if (run && !outer?.aborted && isThrottled(caught)) {
          emit(onEvent, { type: "error", error });
          throw error;
        }
        throw caught;
      }
      n++;
    }
    // After a renewal, the same attempt again.
    try {
      outcome = await again(n, renewed);
    } catch (caught) {
      // A call stopped at the gate after it was sent once (a run's batch, or a single call whose
      // retry would wait longer than retry.maxDelayMs): it fails with its last answer, which was
      // sent, not with "nothing was sent".
      if (last && !outer?.aborted && isThrottled(caught)) {
        emit(onEvent, { type: "error", error: last });
        throw last;
      }
      throw caught;
    }
  }
}

/**
 * The wait before retry number `retry` (1 for the first retry): exponential backoff with jitter,
 * capped; never shorter than `Retry-After`. Undefined when `Retry-After` exceeds the cap.
 * @internal
 */
export function retryDelay(
  retry: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  if (retryAfterMs !== undefined && retryAfterMs > policy.maxDelayMs) return undefined;
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.max(retryAfterMs ?? 0, Math.round(backoff * (0.5 + random() / 2)));
}

/** Listeners already told about: one warning per listener, however often it fails. */
const told = new WeakSet<object>();

/**
 * Tells that an `onEvent` listener failed (see `emit`): once per listener, as a process warning
 * in Node and with `console.warn` elsewhere. It cannot throw: whatever the listener threw (a
 * null-prototype object, a Symbol, an object whose `toString` throws) becomes text safely, and a
 * warning that fails, or a listener a WeakSet refuses, is dropped.
 * @internal
 */
export function listenerFailed(listener: unknown, error: unknown): void {
  try {
    if (!told.has(listener as object)) {
      told.add(listener as object);
      ((globalThis as { process?: { emitWarning?(message: string): void } }).process?.emitWarning ?? console.warn)(
        `An onEvent listener failed (told once, then ignored): ${text(error)}`,
      );
    }
  } catch {}
}
