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

/** The upstream transports the proxy picks between. */
export type UpstreamTransport = "fetch" | "undici";

const GLOBAL_DISPATCHER = Symbol.for("undici.globalDispatcher.1");
// Node's own global fetch reads so in Node 18 to 24 (a lazy wrapper around its bundled undici).
// msw's, a test runner's stub, a Proxy around it or any other wrapper reads otherwise.
const NODE_FETCH_SOURCE = /^function fetch\(input, init = undefined\) \{/;

/**
 * Whether Node's fetch is as Node made it: the global `fetch` is Node's own (not msw's, not a
 * test's stub, not a wrapper) and the global undici dispatcher is unset or an `Agent` as undici
 * makes one by itself (see {@link defaultAgent}). Only then can the proxy send upstream on its own
 * connections without going around something an app or a test put in fetch's way.
 */
export function fetchUntouched(fetchFn: unknown, dispatcher: unknown): boolean {
  if (typeof fetchFn !== "function" || !(dispatcher === undefined || defaultAgent(dispatcher))) return false;
  try {
    return NODE_FETCH_SOURCE.test(Function.prototype.toString.call(fetchFn));
  } catch {
    return false;
  }
}

/**
 * Whether `dispatcher` is an `Agent` as undici makes one by itself: undici's own class (directly
 * under its `DispatcherBase`, not a subclass), its default client factory, no interceptors
 * composed onto it, and no options of its own (Node 20 and 22 store `connect` and `interceptors`
 * undefined, Node 24 and undici 7 `maxOrigins: Infinity` and `connect` undefined). A `ProxyAgent`,
 * `MockAgent`, an `Agent` with `connect` (TLS, lookup, socket path), a `factory` or other
 * settings, one that `compose()` wrapped, a subclass, and anything unknown (undici 8 stores a
 * wrapper here) count as an app's: fetch goes through them.
 */
function defaultAgent(dispatcher: unknown): boolean {
  try {
    if (dispatcher === null || typeof dispatcher !== "object") return false;
    type Proto = { constructor?: { name?: unknown }; dispatch?: unknown } | null;
    const prototype = Object.getPrototypeOf(dispatcher) as Proto;
    if (prototype?.constructor?.name !== "Agent") return false;
    if ((Object.getPrototypeOf(prototype) as Proto)?.constructor?.name !== "DispatcherBase") return false;
    // compose() returns a Proxy whose dispatch runs the interceptors.
    if ((dispatcher as { dispatch?: unknown }).dispatch !== prototype.dispatch) return false;
    const own = (description: string): unknown => {
      const key = Object.getOwnPropertySymbols(dispatcher).find((symbol) => symbol.description === description);
      return key === undefined ? undefined : (dispatcher as Record<symbol, unknown>)[key];
    };
    // A factory given in the options is kept apart from them.
    if ((own("factory") as { name?: unknown } | undefined)?.name !== "defaultFactory") return false;
    const options = own("options");
    if (options === null || typeof options !== "object") return false;
    return Object.entries(options).every(
      ([name, value]) => value === undefined || value === null || (name === "maxOrigins" && value === Infinity),
    );
  } catch {
    return false;
  }
}

/** Whether Node's fetch goes through HTTP_PROXY / HTTPS_PROXY here (Node 22.21+ and 24: NODE_USE_ENV_PROXY, --use-env-proxy). */
export function envProxyInUse(
  process: { env?: Record<string, string | undefined>; execArgv?: readonly string[] } | undefined,
): boolean {
  const env = process?.env ?? {};
  const flag = (value: string | undefined) => value !== undefined && value !== "" && value !== "0";
  return (
    flag(env.NODE_USE_ENV_PROXY) ||
    (env.NODE_OPTIONS ?? "").includes("--use-env-proxy") ||
    (process?.execArgv ?? []).includes("--use-env-proxy")
  );
}

// The last answer of fetchUntouched, for the globals it was given: read per request, computed
// again only when one of them changes (msw's server.listen() and close() replace fetch).
let seenFetch: unknown;
let seenDispatcher: unknown;
let seenUntouched = false;

/** {@link fetchUntouched} for this process's globals, now. */
function globalFetchUntouched(): boolean {
  const fetchFn = (globalThis as { fetch?: unknown }).fetch;
  const dispatcher = (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER];
  if (fetchFn !== seenFetch || dispatcher !== seenDispatcher) {
    seenFetch = fetchFn;
    seenDispatcher = dispatcher;
    seenUntouched = fetchUntouched(fetchFn, dispatcher);
  }
  return seenUntouched;
}

/**
 * The forwarder, made at once from given options (so bad ones throw at creation) or, without
 * them, from the environment at the first forwarded request. A failure then is kept: every later
 * request gets the same error, and nothing is retried per request.
 *
 * Without `upstream.transport` (and `upstream.fetch`), the transport is chosen per request:
 * client-node's `"undici"` transport (its own keep-alive connections: about a quarter of fetch's
 * CPU per request) while Node's fetch is as Node made it, and `"fetch"` while anything stands in
 * fetch's way (msw and the mocks' `setupContactsServer`, a test's stub, a proxy agent, `MockAgent`
 * or an `Agent` with options as the global dispatcher) or Node's fetch uses HTTP_PROXY
 * (NODE_USE_ENV_PROXY). Those then see,
 * route or answer every upstream call, the token request included. Both forwarders share the
 * token cache and the rate-limit gate (they are per credentials).
 */
export class LazyForwarder {
  readonly #made = new Map<UpstreamTransport | "given", UpstreamForwarder>();
  #options: NodeClientOptions | undefined;
  #auto = false;
  #envProxy = false;
  #closed = false;
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
    if (upstream !== undefined) {
      this.#use(upstream);
      this.get();
    }
  }

  #use(upstream: ProxyUpstreamOptions): void {
    this.#options = forwarderOptions(upstream, this.#onEvent);
    this.#auto = upstream.transport === undefined && upstream.fetch === undefined;
    this.#envProxy = envProxyInUse((globalThis as { process?: Parameters<typeof envProxyInUse>[0] }).process);
  }

  /** Which transport a request now takes: the given one, or the automatic choice. */
  transport(): UpstreamTransport | "given" {
    if (!this.#auto) return "given";
    return !this.#envProxy && globalFetchUntouched() ? "undici" : "fetch";
  }

  /** The forwarder for a request now; throws the (kept) error when it cannot be made. */
  get(): UpstreamForwarder {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#options === undefined) {
      try {
        const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
        this.#use(upstreamFromEnv(env));
      } catch (error) {
        this.#failure = error;
        throw error;
      }
    }
    const transport = this.transport();
    const made = this.#made.get(transport);
    if (made) return made;
    // After close() every request is refused as the closed client refuses it: by one made before.
    const closed = this.#closed ? this.#made.values().next().value : undefined;
    if (closed) return closed;
    const options = this.#options as NodeClientOptions;
    let forwarder: UpstreamForwarder;
    try {
      forwarder = this.#factory(transport === "given" ? options : { ...options, transport });
    } catch (error) {
      // Options that make no forwarder make none on any transport: kept, as a missing variable is.
      if (this.#made.size === 0) this.#failure = error;
      throw error;
    }
    this.#made.set(transport, forwarder);
    if (this.#closed) void forwarder.close().catch(() => {});
    return forwarder;
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.all([...this.#made.values()].map((forwarder) => forwarder.close())).then(() => {});
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
