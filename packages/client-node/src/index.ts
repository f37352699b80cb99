/**
 * A typed Node.js client for Salesforce Marketing Cloud's `POST /contacts/v1/establish`: OAuth
 * client credentials with a process-wide token cache, retries that honour `Retry-After`,
 * keep-alive, and streaming bulk establish.
 *
 * @example
 * ```ts
 * import { createContactsClientFromEnv } from "@sfmc-contacts/client-node";
 *
 * const client = createContactsClientFromEnv();
 * const summary = await client.establishAll(keys, { onProgress: (p) => console.log(p.processed) });
 * await client.close();
 * ```
 *
 * @packageDocumentation
 */
import {
  assertContactKeys,
  type ClientOptions,
  type ContactsClient,
  type CoreConfig,
  createContactsCore,
} from "@sfmc-contacts/core";
import { type AttemptControl, checkTimeout, eitherSignal, resolveRetry } from "@sfmc-contacts/core/internal";
import { bindThrottle, sharedRateState, type Throttle } from "@sfmc-contacts/core/throttle";
import type { Middleware } from "openapi-fetch";
import { optionsFromEnv } from "./env.js";
import { createUpstream } from "./upstream.js";

export * from "@sfmc-contacts/core";
export { clearTokenCache } from "./token-manager.js";
export { isMarketingCloudRest, readRestUrl } from "./urls.js";

/**
 * Options of the Node client.
 *
 * @example
 * ```ts
 * const options: NodeClientOptions = {
 *   subdomain: "mc563885gzs27c5t9-63k636ttgm",
 *   clientId: process.env.SFMC_CLIENT_ID!,
 *   clientSecret: process.env.SFMC_CLIENT_SECRET!,
 *   accountId: "1234567",
 * };
 * ```
 */
export interface NodeClientOptions extends ClientOptions {
  /** The tenant subdomain (letters, digits, hyphens). Required unless both base URLs are set. */
  subdomain?: string;
  /** The installed package's client id. */
  clientId: string;
  /** The installed package's client secret. Kept in memory only; never logged or put in an error. */
  clientSecret: string;
  /**
   * The MID of the business unit to act in (a non-empty string; `""` is refused). Part of the
   * token cache's identity.
   */
  accountId?: string;
  /**
   * Space-separated scopes to narrow the token to. Part of the token cache's identity (as a set:
   * order and repeats do not matter), so a narrow-scope client never gets a broader token another
   * client cached. No `scope` (the package's full grant) and `""` are different identities.
   */
  scope?: string;
  /**
   * The REST base URL. Default: the token's `rest_instance_url` (its origin and path), which must
   * then be `https://YOUR_SUBDOMAIN.rest.marketingcloudapis.com`: https, a tenant's REST host, the
   * default port, no credentials, query or fragment. The rule holds per client and on every use: a client
   * without `baseUrl` refuses (`ContactsAuthError` `untrusted_rest_instance_url`, nothing sent) a
   * cached token whose `rest_instance_url` is another host, even when a client with an explicit
   * `baseUrl` fetched it. Setting it trusts that host with the token; plain http is accepted only
   * for loopback hosts.
   */
  baseUrl?: string;
  /**
   * The auth base URL. Default `https://{subdomain}.auth.marketingcloudapis.com`. Same rules as
   * `baseUrl`. The token route never follows a redirect: a 3xx answer is a `ContactsApiError`
   * (not retried) and neither the client secret nor anything else is sent to its `Location`.
   * The answer must carry an `access_token` of RFC 6750 `b64token` characters, a `token_type` of
   * `Bearer` (any case) and an `expires_in` that is a finite number above 0; anything else is a
   * `ContactsAuthError` (`invalid_access_token`, `unsupported_token_type`, `invalid_expires_in`,
   * `invalid_response`), never retried.
   */
  authBaseUrl?: string;
  /**
   * How requests travel. `"fetch"` (default): the global fetch, looked up at each request, so msw
   * sees every request, the token request included. Establish is one plain fetch of the spec's
   * body, through openapi-fetch only when `middleware` is given (which then sees it); `raw` always
   * goes through openapi-fetch. `"undici"`: undici's `dispatch` on a keep-alive agent, the fast
   * path for bulk work, for establish and, unless `fetch` is given, for the token request and
   * `raw` too: msw sees none of those (it intercepts the global fetch and node:http, not undici's
   * own agents), and `middleware` sees only `raw`.
   */
  transport?: "fetch" | "undici";
  /**
   * The fetch for the token request and `raw` (and establish with the `"fetch"` transport).
   * Default: with `"fetch"`, the global fetch, looked up at each request; with `"undici"`, undici's
   * `request` on the client's agent. `fetch: (request) => fetch(request)` with `"undici"` lets msw
   * answer the token request and `raw` (establish still goes on the agent).
   */
  fetch?: (request: Request) => Promise<Response>;
  /**
   * openapi-fetch middleware for establish and `raw` requests (not for the token route). Give it
   * here: with it, establish goes through openapi-fetch on the `"fetch"` transport. Middleware
   * added later with `raw.use()` sees `raw` requests only.
   */
  middleware?: Middleware[];
  /**
   * A client-side limit: at most this many establish attempts per second (retries and throttled
   * re-sends included; token requests and `raw` are not counted), for teams that know their
   * allocation. A token bucket with a burst of 100 ms worth (at least 1). It is shared, like the
   * gate, by every client of the process with the same credentials (the token cache's identity:
   * auth host, client id, account id, scope, secret): they share one limit, so when they set
   * different values the lowest applies. A finite number from 0.01 to 100,000; default none.
   */
  maxRequestsPerSecond?: number;
}

/**
 * The Node client: `establish`, `establishAll`, `raw`, and `close()`.
 *
 * @example
 * ```ts
 * const client: NodeContactsClient = createContactsClient(options);
 * try {
 *   await client.establish(["Key1"]);
 * } finally {
 *   await client.close();
 * }
 * ```
 */
export interface NodeContactsClient extends ContactsClient {
  /**
   * Closes the client's keep-alive connections (undici transport), after the requests in flight.
   * The client is unusable after: any later call (establish, establishAll's batches, raw, a token
   * request) fails at once, with nothing sent, with a `ContactsValidationError` (`reason`
   * `"client closed"`), never retried. Calling it again is harmless.
   */
  close(): Promise<void>;
}

/**
 * Creates the Node client.
 *
 * @example
 * ```ts
 * const client = createContactsClient({ subdomain, clientId, clientSecret, timeoutMs: 15_000 });
 * const { contacts, failures } = await client.establish(["Key1", "Key2"]);
 * ```
 */
export function createContactsClient(options: NodeClientOptions): NodeContactsClient {
  const up = createUpstream(options);
  // The gate, budget and learned pace of these credentials, shared by every client of the process
  // with the same identity (core's registry). Filled in once core has checked the options, so a
  // refused client never sets the shared budget.
  const throttle: Throttle = {};
  const config: CoreConfig & AttemptControl = {
    ...options,
    throttle,
    raw: up.raw,
    transport: up.transport,
    auth: up.auth,
  };
  if (up.attemptControl) config.attemptControl = up.attemptControl;
  const core = createContactsCore(config);
  // Core has checked the options: a refused client never sets the shared budget. A single call
  // waits at the gate up to its retry.maxDelayMs (30 s by default, also with retry: false).
  Object.assign(
    throttle,
    bindThrottle(
      sharedRateState(up.identity, { maxRequestsPerSecond: options.maxRequestsPerSecond }),
      resolveRetry(options.retry),
    ),
  );
  const gate = throttle.wait as NonNullable<Throttle["wait"]>;
  return {
    ...core,
    // A single call waits at the gate before it starts, outside its time limit (a run's batches
    // and every retry wait in core); no promise is made while the gate is open.
    // Keys and a timeoutMs that core would refuse are refused first, without waiting or taking a
    // budget token; and whatever it throws arrives as a rejection, as from core.
    establish: ((keys, callOptions) => {
      let closed: Promise<void> | undefined;
      try {
        assertContactKeys(keys);
        checkTimeout(callOptions?.timeoutMs);
        closed = gate(eitherSignal(options.signal, callOptions?.signal), undefined);
      } catch (error) {
        return Promise.reject(error);
      }
      return closed ? closed.then(() => core.establish(keys, callOptions)) : core.establish(keys, callOptions);
    }) as ContactsClient["establish"],
    close: up.close,
  };
}

/**
 * Creates the Node client from the environment: `SFMC_SUBDOMAIN`, `SFMC_CLIENT_ID` and
 * `SFMC_CLIENT_SECRET` (required; `SFMC_SUBDOMAIN` may be left out when both
 * `SFMC_REST_BASE_URL` and `SFMC_AUTH_BASE_URL` are set), and `SFMC_ACCOUNT_ID` (optional).
 * When any required variable is missing, the error lists every missing one.
 *
 * @example
 * ```ts
 * const client = createContactsClientFromEnv(process.env, { timeoutMs: 15_000, transport: "undici" });
 * ```
 */
export function createContactsClientFromEnv(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<NodeClientOptions> = {},
): NodeContactsClient {
  return createContactsClient(optionsFromEnv(env, overrides));
}
