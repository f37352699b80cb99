/**
 * The proxy's one way out: a forwarder that sends the canonical body to Marketing Cloud and hands
 * back its last HTTP answer as it came (client-node's `createForwarder`: token cache, host rule,
 * per-attempt timeout, body cap, no redirects, one token renewal after a 401). The proxy itself
 * never holds a token. This module also turns that answer, or the failure to get one, into what
 * the browser sees (§5.1 of the design).
 */
import type { NodeClientOptions } from "@sfmc-contacts/client-node";
import { optionsFromEnv } from "@sfmc-contacts/client-node/internal";
import {
  type ContactsEventListener,
  ContactsThrottledError,
  ContactsTimeoutError,
  parseRetryAfter,
  type TransportReply,
} from "@sfmc-contacts/core";
import { type CanonicalEstablishRequest, isJsonContentType, marketingCloudError } from "@sfmc-contacts/rules";
import { type Answer, errorAnswer, jsonTextAnswer } from "./answers.js";
import type { ProxyResponseReason } from "./events.js";
import type { ProxyUpstreamOptions } from "./options.js";

/** What the proxy needs of a forwarder: client-node's `Forwarder`, structurally. */
export interface UpstreamForwarder {
  /** Sends one body; resolves Marketing Cloud's last answer, rejects only when there is none. */
  forward(
    body: CanonicalEstablishRequest,
    options?: { signal?: AbortSignal; onEvent?: ContactsEventListener },
  ): Promise<TransportReply>;
  close(): Promise<void>;
}

/** Makes the forwarder from the Node client's options; throws a `ContactsValidationError` for bad ones. */
export type ForwarderFactory = (options: NodeClientOptions) => UpstreamForwarder;

/**
 * The upstream options from the environment, read as `createContactsClientFromEnv` reads them
 * (one reading, in client-node); throws a `ContactsValidationError` listing what is missing.
 */
export function upstreamFromEnv(env: Record<string, string | undefined>): ProxyUpstreamOptions {
  return optionsFromEnv(env, {}, "upstream");
}

/** The Node client's options as the proxy uses them: no retries unless asked for. */
export function forwarderOptions(
  upstream: ProxyUpstreamOptions,
  onEvent?: NodeClientOptions["onEvent"],
): NodeClientOptions {
  // The client's own listener gets the token events only (each forwarded call passes its own
  // listener for its requests, answers and retries): a token belongs to no single request.
  return onEvent ? { retry: false, ...upstream, onEvent } : { retry: false, ...upstream };
}

/**
 * The forwarder, made at once from given options (so bad ones throw at creation) or, without
 * them, from the environment at the first forwarded request. A failure then is kept: every later
 * request gets the same error, and nothing is retried per request.
 */
export class LazyForwarder {
  #forwarder: UpstreamForwarder | undefined;
  #failure: unknown;
  readonly #factory: ForwarderFactory;
  readonly #onEvent: NodeClientOptions["onEvent"];

  constructor(
    upstream: ProxyUpstreamOptions | undefined,
    factory: ForwarderFactory,
    onEvent?: NodeClientOptions["onEvent"],
  ) {
    this.#factory = factory;
    this.#onEvent = onEvent;
    if (upstream !== undefined) this.#forwarder = factory(forwarderOptions(upstream, onEvent));
  }

  /** The forwarder; throws the (kept) error when it cannot be made. */
  get(): UpstreamForwarder {
    if (this.#forwarder) return this.#forwarder;
    if (this.#failure !== undefined) throw this.#failure;
    try {
      const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
      this.#forwarder = this.#factory(forwarderOptions(upstreamFromEnv(env), this.#onEvent));
      return this.#forwarder;
    } catch (error) {
      this.#failure = error;
      throw error;
    }
  }

  close(): Promise<void> {
    return this.#forwarder ? this.#forwarder.close() : Promise.resolve();
  }
}

// A request id worth passing back: printable ASCII, short.
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** The headers of Marketing Cloud's answer that reach the browser: `Retry-After` and `X-Request-Id`, when well formed. */
export function passedHeaders(reply: TransportReply): Record<string, string> {
  const headers: Record<string, string> = {};
  const retryAfter = reply.header("retry-after");
  if (retryAfter !== null && parseRetryAfter(retryAfter) !== undefined) headers["retry-after"] = retryAfter.trim();
  const requestId = reply.header("x-request-id");
  if (requestId !== null && REQUEST_ID.test(requestId)) headers["x-request-id"] = requestId;
  return headers;
}

/**
 * Marketing Cloud's answer as the browser gets it: its status and JSON body verbatim, with only
 * `Retry-After` and `X-Request-Id` copied (never `Set-Cookie` or `WWW-Authenticate`). A 401 left
 * after the forwarder's one renewal is the proxy's credentials failing, not the caller's session:
 * 502. A body that is not JSON (a gateway's HTML page) is never relayed to a page's origin.
 */
export function replyToAnswer(
  reply: TransportReply,
  extra: Record<string, string>,
): { answer: Answer; reason: ProxyResponseReason } {
  const headers = { ...extra, ...passedHeaders(reply) };
  const { status } = reply;
  if (status === 401) {
    return {
      answer: errorAnswer(
        502,
        marketingCloudError(0, "Bad Gateway: Marketing Cloud refused the proxy's credentials"),
        extra,
      ),
      reason: "upstream-credentials",
    };
  }
  const json = isJsonContentType(reply.header("content-type")) && reply.text !== "";
  // Statuses a Response cannot carry a body with, or cannot carry at all, are no usable answer.
  const usable = status >= 200 && status <= 599 && status !== 204 && status !== 205 && status !== 304;
  if (json && usable) return { answer: jsonTextAnswer(status, reply.text, headers), reason: "upstream" };
  const body = marketingCloudError(0, `Marketing Cloud answered ${status} without a JSON body`);
  return {
    answer: errorAnswer(usable && status !== 200 ? status : 502, body, headers),
    reason: "upstream",
  };
}

/** What the browser gets when the forwarder found no answer. */
export function failureAnswer(
  error: unknown,
  signal: AbortSignal,
): {
  status: number;
  reason: ProxyResponseReason;
  message: string;
  errorcode?: number;
  retryAfter?: number;
} {
  if (signal.aborted) {
    // Nobody reads this answer: the caller went away. The status is for the event.
    return { status: 499, reason: "client-closed", message: "Client Closed Request" };
  }
  if (error instanceof ContactsThrottledError) {
    // Marketing Cloud paused these credentials a moment ago and the wait is not over: nothing was
    // sent. The browser gets what Marketing Cloud would say (429, 50100, Retry-After) and waits,
    // instead of hitting a paused tenant again.
    const retryAfter = Math.max(1, Math.ceil(error.retryAfter ?? 1));
    return {
      status: 429,
      reason: "upstream-throttled",
      message: `Too Many Requests: Marketing Cloud's rate limit asks to wait ${retryAfter} s`,
      errorcode: 50100,
      retryAfter,
    };
  }
  if (error instanceof ContactsTimeoutError) {
    return {
      status: 504,
      reason: "upstream-timeout",
      message: "Gateway Timeout: Marketing Cloud did not answer in time",
    };
  }
  return { status: 502, reason: "upstream-unreachable", message: "Bad Gateway: Marketing Cloud could not be reached" };
}
