/**
 * The upstream half of `@sfmc-contacts/proxy`: one establish body sent through core's own pipeline
 * (token cache, host rule, per-attempt timeout, body cap, redirect refusal, one token renewal after
 * a 401), with Marketing Cloud's last HTTP answer handed back as it came, so a proxy can pass the
 * status, the body and `Retry-After` on byte for byte. `establish()` cannot: it maps results, forces
 * fields, and turns answers into errors.
 */
import {
  type ContactsEventListener,
  ContactsThrottledError,
  type EstablishTransport,
  type TransportReply,
} from "@sfmc-contacts/core";
import { createPipeline, eitherSignal, isRedirect, resolveRetry } from "@sfmc-contacts/core/internal";
import { bindThrottle, sharedRateState, type Throttle } from "@sfmc-contacts/core/throttle";
import type { EstablishContactsRequestPascalCase } from "@sfmc-contacts/types";
import type { NodeClientOptions } from "./index.js";
import { createUpstream } from "./upstream.js";

/**
 * Per-call options of {@link Forwarder.forward}.
 *
 * @example
 * ```ts
 * const options: ForwardOptions = { signal: request.signal, onEvent: (event) => log(requestId, event) };
 * ```
 */
export interface ForwardOptions {
  /** Aborts the call (the caller went away); the forward then rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /**
   * This call's `request`, `response`, `retry`, `throttle` and `error` events, instead of the
   * options' `onEvent` (which still gets the token events: they belong to no single call).
   */
  onEvent?: ContactsEventListener | undefined;
}

/**
 * Sends establish bodies as given and hands back Marketing Cloud's answer as it came.
 *
 * @example
 * ```ts
 * const forwarder: Forwarder = createForwarder({ clientId, clientSecret, subdomain });
 * const reply = await forwarder.forward({ ContactKeys: ["Key1"] });
 * return new Response(reply.text, { status: reply.status });
 * ```
 */
export interface Forwarder {
  /**
   * Sends one establish body as given, with the client's rules: token, host rule, per-attempt
   * timeout, body cap, no redirects, one token renewal after a 401, and `retry` as configured
   * (default here: `false`, one attempt). Resolves the LAST HTTP answer as it came (status,
   * `header()`, text): 200s, 4xx (a 401 that stayed after the renewal included), 429 and 5xx alike.
   *
   * Rejects only when there is no answer to hand back:
   * - `ContactsThrottledError` (`stoppedBy: "gate"`, `retryAfter` in whole seconds, at least 1)
   *   when the shared rate-limit gate of these credentials is closed: a 429 (or a 503 with
   *   `Retry-After`) that this process met, through any client or forwarder with the same
   *   credentials, asked to wait. Nothing is sent: a proxy answers 429 with that `Retry-After`
   *   itself, so a paused tenant is not hit again;
   * - `ContactsTimeoutError`, `ContactsNetworkError`;
   * - `ContactsAuthError` (the token route refused, or an untrusted `rest_instance_url`);
   * - `ContactsApiError` (a refused redirect, an answer over `maxResponseBytes`, the token route's errors);
   * - `ContactsValidationError` (the forwarder is closed);
   * - the signal's reason when the caller's signal aborted.
   */
  forward(body: EstablishContactsRequestPascalCase, options?: ForwardOptions): Promise<TransportReply>;
  /** Closes keep-alive connections (undici); later calls are refused with nothing sent. */
  close(): Promise<void>;
}

/**
 * Creates a forwarder. The options are the Node client's (`createContactsClient`'s), checked at
 * once; `retry` defaults to `false` here (answers pass through; the browser client retries and
 * honours `Retry-After`). The token cache and the rate-limit gate are shared with every client of
 * the process that has the same credentials.
 *
 * @example
 * ```ts
 * const forwarder = createForwarder({ clientId, clientSecret, subdomain, timeoutMs: 10_000 });
 * try {
 *   const reply = await forwarder.forward(call.body, { signal: request.signal });
 *   const retryAfter = reply.header("retry-after");
 * } catch (error) {
 *   if (error instanceof ContactsThrottledError) return tooManyRequests(error.retryAfter);
 *   throw error;
 * }
 * ```
 */
export function createForwarder(options: NodeClientOptions): Forwarder {
  const up = createUpstream(options, "createForwarder");
  const retry = resolveRetry(options.retry ?? false);
  const base = {
    auth: up.auth,
    retry,
    timeoutMs: options.timeoutMs,
    maxResponseBytes: options.maxResponseBytes,
    attemptControl: up.attemptControl,
  };
  // Checks timeoutMs and maxResponseBytes now, as createContactsClient does (core's checks).
  createPipeline({ ...base, transport: up.transport });
  const state = sharedRateState(up.identity, { maxRequestsPerSecond: options.maxRequestsPerSecond });
  // The pipeline's gate holder: a 429 or 503 with Retry-After it meets closes the shared gate (for
  // every client of these credentials), and a configured retry waits there up to retry.maxDelayMs.
  const throttle: Throttle = bindThrottle(state, retry);
  // Before a call: never waits at a closed gate (a paused tenant is answered by the proxy, not
  // waited for), but waits for a budget token (maxRequestsPerSecond) as a client would.
  const atGate = bindThrottle(state, { ...retry, maxDelayMs: 0 }).wait as NonNullable<Throttle["wait"]>;

  return {
    async forward(body, call = {}) {
      const signal = eitherSignal(options.signal, call.signal);
      try {
        const waiting = atGate(signal, undefined);
        if (waiting) await waiting;
      } catch (caught) {
        if (!(caught instanceof ContactsThrottledError) || signal?.aborted) throw caught;
        const retryAfter = Math.max(1, caught.retryAfter ?? 1);
        throw new ContactsThrottledError(
          `Marketing Cloud's rate limit paused requests of these credentials for ${retryAfter} s more: nothing was sent. Answer 429 with Retry-After: ${retryAfter}, or try again then.`,
          { retryAfter, stoppedBy: "gate" },
        );
      }
      // Each attempt resets it first: a renewal or a retry never hands back an earlier answer, and
      // an attempt without an answer (timeout, network, over the cap) leaves none. A redirect (or
      // a status outside 200-599) is no answer to pass on either: the fetch transport hands it to
      // the pipeline, which refuses it (ContactsApiError), and nothing is sent to its Location.
      let last: TransportReply | undefined;
      const capture: EstablishTransport = async (request) => {
        last = undefined;
        const reply = await up.transport(request);
        if (!isRedirect(reply.status) && reply.status >= 200 && reply.status <= 599) last = reply;
        return reply;
      };
      const send = createPipeline({
        ...base,
        transport: capture,
        throttle,
        onEvent: call.onEvent ?? options.onEvent,
      });
      try {
        await send(body, signal ? { signal } : {});
      } catch (error) {
        // The pipeline judged the answer (a 429, a 401 after the renewal, a 500...): the answer
        // itself is what a proxy passes on. An abort stays an abort.
        if (last && !signal?.aborted) return last;
        throw error;
      }
      return last as TransportReply;
    },
    close: up.close,
  };
}
