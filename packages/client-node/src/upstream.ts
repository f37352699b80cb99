/**
 * The Node client's plumbing, shared by `createContactsClient` and `createForwarder`
 * (`@sfmc-contacts/client-node/internal`): option checks, the undici agent, the fetch, the token
 * manager, credentials, `raw` with its re-basing, the establish transport and core's auth source.
 * One place, so the proxy's forwarder keeps every rule of the client (host checks, token cache,
 * body cap, redirect refusal, refusal after close()).
 */
import { ContactsValidationError, type CoreConfig, type EstablishTransport } from "@sfmc-contacts/core";
import { type AttemptControl, DEFAULT_TIMEOUT_MS, fetchTransport } from "@sfmc-contacts/core/internal";
import { createSpecClient, openapiFetchTransport } from "@sfmc-contacts/core/openapi-fetch";
import { AttemptAbort } from "./attempt-abort.js";
import type { NodeClientOptions } from "./index.js";
import { TokenManager } from "./token-manager.js";
import { agentFetch, createAgent, undiciTransport } from "./undici-transport.js";
import { checkExplicitBase, checkSubdomain } from "./urls.js";

/** What a client or forwarder is built on. @internal */
export interface Upstream {
  /** The spec client for `raw` calls (re-based onto the REST host, with the token). */
  raw: ReturnType<typeof createSpecClient>;
  /** How establish requests travel (fetch, openapi-fetch with middleware, or undici). */
  transport: EstablishTransport;
  /** Core's auth source: cached or fetched credentials, one renewal after a 401. */
  auth: CoreConfig["auth"];
  /** The undici transport's cheaper attempt controller (see attempt-abort.ts); absent with fetch. */
  attemptControl?: AttemptControl["attemptControl"];
  /** The token cache's identity of these credentials: the key of the shared rate-limit gate. */
  identity: string;
  /** Closes the agent (undici); every later request is refused with nothing sent. Idempotent. */
  close(): Promise<void>;
}

/** Placeholder base of `raw`: every raw request is re-based onto the real REST host before it is sent. */
const PENDING_BASE = "https://rest.base.pending.invalid";

/**
 * Checks the options and builds the plumbing. Throws a `ContactsValidationError` for bad options
 * (`caller` names the function in the "needs an options object" message). Options core checks
 * (timeoutMs, retry, maxResponseBytes) are checked by whoever builds on it.
 * @internal
 */
export function createUpstream(options: NodeClientOptions, caller = "createContactsClient"): Upstream {
  if (options === null || typeof options !== "object") {
    throw new ContactsValidationError(`${caller} needs an options object`, { reason: "no options" });
  }
  for (const name of ["clientId", "clientSecret"] as const) {
    if (typeof options[name] !== "string" || options[name].length === 0) {
      throw new ContactsValidationError(`${name} must be a non-empty string`, { reason: `missing ${name}` });
    }
  }
  const { accountId } = options;
  if (accountId !== undefined && (typeof accountId !== "string" || accountId.trim() === "")) {
    // "" would be sent as account_id "" (and was cached like no account id): a mistake either way.
    throw new ContactsValidationError(
      "accountId must be the MID of the business unit (a non-empty string), or left out for the package's default",
      { reason: "invalid accountId" },
    );
  }
  const { maxRequestsPerSecond } = options;
  if (
    maxRequestsPerSecond !== undefined &&
    !(typeof maxRequestsPerSecond === "number" && maxRequestsPerSecond >= 0.01 && maxRequestsPerSecond <= 100_000)
  ) {
    // NaN and the infinities fail the bounds too.
    throw new ContactsValidationError(
      `maxRequestsPerSecond must be a number from 0.01 to 100000 (requests per second), got ${String(maxRequestsPerSecond)}`,
      { reason: "maxRequestsPerSecond" },
    );
  }
  const explicitRest = options.baseUrl === undefined ? undefined : checkExplicitBase(options.baseUrl, "baseUrl");
  let authBaseUrl: string;
  if (options.authBaseUrl !== undefined) authBaseUrl = checkExplicitBase(options.authBaseUrl, "authBaseUrl");
  else authBaseUrl = `https://${checkSubdomain(options.subdomain)}.auth.marketingcloudapis.com`;
  if (options.subdomain !== undefined) checkSubdomain(options.subdomain);
  const transportName = options.transport ?? "fetch";
  if (transportName !== "fetch" && transportName !== "undici") {
    throw new ContactsValidationError(`transport must be "fetch" or "undici", got ${JSON.stringify(transportName)}`, {
      reason: "invalid transport",
    });
  }

  const agent = transportName === "undici" ? createAgent() : undefined;
  // After close(), every request fails at once: with undici the closed agent's error looked like a
  // network error and was retried for seconds; with fetch the client went on as if open.
  let closing: Promise<void> | undefined;
  const refuseClosed = () => {
    if (closing) {
      const reason = "client closed";
      throw new ContactsValidationError(
        "The client is closed (close() was called): nothing was sent. Create a new client.",
        { reason },
      );
    }
  };
  // With undici, tokens and `raw` share the agent too, so close() closes every socket.
  const open = options.fetch ?? (agent ? agentFetch(agent) : (request: Request) => fetch(request));
  const fetchFn = async (request: Request) => {
    refuseClosed();
    return open(request);
  };
  // The body cap of establish holds for the token route and `raw` too (core's default when unset).
  const cap = options.maxResponseBytes === undefined ? {} : { maxResponseBytes: options.maxResponseBytes };
  const tokens = new TokenManager({
    authBaseUrl,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    accountId: options.accountId,
    scope: options.scope,
    explicitRestBase: explicitRest !== undefined,
    client: createSpecClient({ fetch: fetchFn, timeoutMs: options.timeoutMs, ...cap }),
    // The same per-attempt limit as establish (core's default, 30 s). core validates `timeoutMs`
    // below, when the client is created, before any token request can use it.
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    onEvent: options.onEvent,
  });
  type Bearer = { baseUrl: string; authorization: string };
  const credentialsOf = (token: { restUrl: string; accessToken: string }): Bearer => ({
    baseUrl: explicitRest ?? token.restUrl,
    authorization: `Bearer ${token.accessToken}`,
  });
  // At once (no promise) with a cached token, the usual case of every request; a throw (a closed
  // client, an untrusted host) is the attempt's error all the same.
  const credentials = (signal?: AbortSignal): Bearer | Promise<Bearer> => {
    refuseClosed();
    const token = tokens.cached();
    return token ? credentialsOf(token) : tokens.token(signal).then(credentialsOf);
  };

  // Every raw request has the client's timeoutMs (establish attempts have their call's: the
  // transport bypasses raw's own limit).
  const raw = createSpecClient({ baseUrl: PENDING_BASE, fetch: fetchFn, timeoutMs: options.timeoutMs, ...cap });
  raw.use({
    async onRequest({ request }) {
      // Establish calls come with their base and token (and a caller may give a request its own
      // baseUrl, which gets no token); `raw` calls get them here.
      if (!request.url.startsWith(PENDING_BASE)) return request;
      // Parsed, not sliced: only a URL on the placeholder's own origin is re-based, from its path
      // and query. Anything else that starts with the placeholder's text is another host or port
      // (core's spec client already refuses a path without a leading "/"; this holds regardless).
      const url = new URL(request.url);
      if (url.origin !== PENDING_BASE) {
        const reason = "a raw request's URL is not on the client's base";
        throw new ContactsValidationError(`${reason}: use a path that starts with "/". Nothing was sent.`, { reason });
      }
      const { baseUrl, authorization } = await credentials(request.signal);
      const rebased = new Request(baseUrl + url.pathname + url.search, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: request.signal,
        duplex: "half",
      } as RequestInit);
      if (!rebased.headers.has("authorization")) rebased.headers.set("authorization", authorization);
      return rebased;
    },
  });
  if (options.middleware) raw.use(...options.middleware);

  // Establish over fetch needs none of openapi-fetch unless there is middleware to see it: one
  // fetch of the spec's body (see core's fetchTransport), with the same rules as the spec client's
  // (redirect: "manual", the body cap, refused after close()). Through openapi-fetch each request
  // was three Requests and two Responses, each with its web streams: most of the client's cost.
  const direct = fetchTransport(options.fetch && fetchFn);
  const transport: EstablishTransport = agent
    ? undiciTransport(agent)
    : options.middleware?.length
      ? openapiFetchTransport(raw)
      : async (request) => {
          refuseClosed();
          return direct(request);
        };

  return {
    raw,
    transport,
    auth: {
      credentials: (signal) => credentials(signal),
      renew: (refused, signal) => tokens.renew(refused.authorization?.replace(/^Bearer /, "") ?? "", signal),
    },
    // Each undici attempt gets a controller without an AbortSignal (see attempt-abort.ts): its
    // signal goes only to the token manager and to undici. fetch needs a real one: core's default.
    ...(agent ? { attemptControl: () => new AttemptAbort() as unknown as AbortController } : {}),
    identity: tokens.identity,
    close: () => (closing ??= agent ? agent.close() : Promise.resolve()),
  };
}
