import type { EstablishContactsRequestPascalCase, EstablishContactsResponse } from "@sfmc-contacts/types";
import type { AuthSource } from "./auth.js";
import { checkNumber } from "./errors.js";
import { type ContactsEventListener, emit } from "./events.js";
// Through the main entry (a cycle, harmless: used only inside functions), so every entry reaches
// the one graph and the build keeps core's shared code in one chunk (see keys.ts).
import { type ContactsError, ContactsTimeoutError } from "./index.js";
import { isError } from "./results.js";
import type { RetryPolicy } from "./retry.js";
import type { RunLink, Throttle } from "./throttle.js";
import { type EstablishTransport, MAX_RESPONSE_BYTES } from "./transport.js";

/**
 * What a client built on core may add to `createContactsCore`'s config: a maker of each
 * attempt's controller, used instead of `new AbortController()`. The pipeline calls only its
 * `abort(reason)` and hands its `signal` to the client's own auth source and transport, nothing
 * else. The Node client gives its undici transport a cheaper one: in Node 20 an AbortSignal
 * costs more to make than the rest of an attempt (see client-node's attempt-abort.ts).
 *
 * @internal
 * @example
 * ```ts
 * createContactsCore({ ...config, attemptControl: () => new AttemptAbort() } as CoreConfig & AttemptControl);
 * ```
 */
export interface AttemptControl {
  /** Makes each attempt's controller. Default: `new AbortController()`. */
  attemptControl?: (() => AbortController) | undefined;
}

/** What the request pipeline needs. @internal */
export interface PipelineConfig extends AttemptControl {
  auth: AuthSource;
  transport: EstablishTransport;
  retry: RetryPolicy;
  timeoutMs?: number | undefined;
  maxResponseBytes?: number | undefined;
  signal?: AbortSignal | undefined;
  onEvent?: ContactsEventListener | undefined;
  /**
   * The gate's holder: the Node client's, shared per credentials; otherwise failure.ts makes this
   * client's own on the first throttling answer. The pipeline does not wait at it (bytes in the
   * browser download): a run's batches wait before they are sent (establish-all.ts), retries
   * before each attempt (failure.ts), and the Node client's single calls before the call.
   */
  throttle?: Throttle | undefined;
}

/** Per-call settings. @internal */
export interface CallOptions {
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  /** The establishAll run this call is a batch of. */
  run?: RunLink | undefined;
}

/** JSON.parse, or undefined. @internal */
export const json = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** A 200's body: the object, or what the product page's one-element array holds. @internal */
export const unwrap = (text: string): EstablishContactsResponse | undefined => {
  const body = json(text) as EstablishContactsResponse | EstablishContactsResponse[] | undefined;
  return Array.isArray(body) && body.length === 1 ? body[0] : (body as EstablishContactsResponse | undefined);
};

/** Whether a 200's body has the answer's arrays and no request-level error: failure.ts says what else. */
const usable = (answer: EstablishContactsResponse | undefined): answer is EstablishContactsResponse =>
  Array.isArray(answer?.items) && Array.isArray(answer.resultMessages) && !answer.resultMessages.some(isError);

/**
 * The default per-attempt time limit (establish attempts and token requests), in ms.
 *
 * @internal
 * @example
 * ```ts
 * const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
 * ```
 */
export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * A signal that aborts when either does; either may be absent. Signals cost in bulk work: two are
 * combined only when there are two.
 * @internal
 * @example
 * ```ts
 * const signal = eitherSignal(clientOptions.signal, callOptions.signal);
 * ```
 */
export const eitherSignal = (a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined =>
  a && b ? AbortSignal.any([a, b]) : (a ?? b);

/**
 * setTimeout fires at once for delays over 2^31-1 ms, so larger values (and Infinity) are refused.
 * Per-call values are checked by the client when the call is made (`establishAll`'s included).
 * @internal
 * @example
 * ```ts
 * checkTimeout(options.timeoutMs); // throws ContactsValidationError for -5, 1.5 or 2 ** 31
 * ```
 */
export const checkTimeout = (timeoutMs: number | undefined) =>
  checkNumber(timeoutMs, "timeoutMs", 1, true, 2 ** 31 - 1);

/**
 * One attempt of a call: the answer, or what went wrong for {@link recover} (failure.ts) to judge:
 * an error, or `undefined` when credentials were renewed after a 401 and the attempt is worth
 * repeating. Rejects only when the caller's signal aborted.
 * @internal
 */
export type Attempt = (
  attempt: number,
  renewed: boolean,
) => Promise<EstablishContactsResponse | ContactsError | undefined>;

/**
 * Sends one establish body with auth, a per-attempt timeout, retries with backoff that honours
 * `Retry-After`, and one renewal of credentials after a 401. The first attempt is inline: an app
 * whose requests succeed never loads the recovery (failure.ts). A 429 (but 50200), or a 503 with
 * `Retry-After`, closes `throttle`'s gate (made on first use when not given). Exported on
 * `@sfmc-contacts/core/internal` for client-node's forwarder, which captures each attempt's answer
 * through its own `transport`.
 * @internal
 * @example
 * ```ts
 * const send = createPipeline({ auth, transport, retry: resolveRetry(false), timeoutMs: 10_000 });
 * const answer = await send({ ContactKeys: ["Key1"] }, { signal });
 * ```
 */
export function createPipeline(config: PipelineConfig) {
  const {
    auth,
    transport,
    signal,
    onEvent,
    timeoutMs: defaultTimeout = DEFAULT_TIMEOUT_MS,
    maxResponseBytes = MAX_RESPONSE_BYTES,
    attemptControl = () => new AbortController(),
  } = config;
  checkTimeout(defaultTimeout);
  checkNumber(maxResponseBytes, "maxResponseBytes", 1, true);
  return async (
    body: EstablishContactsRequestPascalCase,
    options: CallOptions = {},
  ): Promise<EstablishContactsResponse> => {
    const timeoutMs = options.timeoutMs ?? defaultTimeout;
    const outer = eitherSignal(signal, options.signal);
    const attempt: Attempt = async (attempt, renewed) => {
      outer?.throwIfAborted();
      // Every attempt has a time limit, so its own signal.
      const controller = attemptControl();
      const abort = () => controller.abort(outer?.reason);
      outer?.addEventListener("abort", abort);
      const timer = setTimeout(() => controller.abort(new ContactsTimeoutError(timeoutMs)), timeoutMs);
      try {
        const credentials = await auth.credentials(controller.signal);
        const headers: Record<string, string> = credentials.authorization
          ? { authorization: credentials.authorization }
          : {};
        if (onEvent)
          emit(onEvent, {
            type: "request",
            attempt,
            url: `${credentials.baseUrl}/contacts/v1/establish`,
            keys: body.ContactKeys.length,
          });
        const started = Date.now();
        const reply = await transport({
          baseUrl: credentials.baseUrl,
          body,
          headers,
          maxResponseBytes,
          signal: controller.signal,
        });
        if (onEvent)
          emit(onEvent, { type: "response", attempt, status: reply.status, durationMs: Date.now() - started });
        const answer = reply.status === 200 ? unwrap(reply.text) : undefined;
        if (usable(answer)) return answer;
        // Error answers (an unusable 200 included) are rare: their code loads on first use, within
        // this attempt's time limit, which covers a renewal of credentials after a 401 too.
        return await (await import("./failure.js")).answered(
          reply,
          !renewed && (() => auth.renew?.(credentials, controller.signal)),
        );
      } catch (caught) {
        if (outer?.aborted) throw outer.reason;
        return (await import("./failure.js")).classify(caught, controller.signal.reason);
      } finally {
        clearTimeout(timer);
        outer?.removeEventListener("abort", abort);
      }
    };
    const first = await attempt(1, false);
    return (first as EstablishContactsResponse | undefined)?.items
      ? (first as EstablishContactsResponse)
      : (await import("./failure.js")).recover(first, attempt, config, outer, options);
  };
}
