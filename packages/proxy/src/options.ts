/**
 * The proxy's options, checked once at creation: a bad option throws a `ContactsValidationError`
 * there, never at the first request.
 */
import type { NodeClientOptions } from "@sfmc-contacts/client-node";
import { ContactsValidationError } from "@sfmc-contacts/core";
import { type AllowedOrigins, checkAllowedOrigins } from "./cors.js";
import type { ProxyEvent } from "./events.js";
import { checkBasePath } from "./route.js";

/**
 * What `authorize` decides: `{ identity }` allows the request (the identity goes into events);
 * `{ status: 401 | 403, message? }` refuses it, and `message` is shown to the caller, so it must
 * hold no secret.
 *
 * @example
 * ```ts
 * const allow: AuthorizeDecision<string> = { identity: "user-1" };
 * const refuse: AuthorizeDecision<string> = { status: 403, message: "Forbidden: your plan has no contact sync" };
 * ```
 */
export type AuthorizeDecision<Identity = unknown> =
  | { identity: Identity }
  | { status: 401 | 403; message?: string | undefined };

/**
 * Decides whether a request may go on, from its headers (a session cookie, a bearer token). It
 * runs on every POST that passed the route, origin, content-type and size checks, before the body
 * is read, and must not read the body itself. A throw is a refusal: 401, or 403 when the thrown
 * value has `status: 403` (as Hono's `HTTPException` does). Anything but the two decision shapes
 * is a 401: the proxy fails closed.
 *
 * @example
 * ```ts
 * const authorize: Authorize<string> = async (request) => {
 *   const user = await sessionFrom(request.headers.get("cookie"));
 *   return user ? { identity: user.id } : { status: 401 };
 * };
 * ```
 */
export type Authorize<Identity = unknown> = (
  request: Request,
) => AuthorizeDecision<Identity> | Promise<AuthorizeDecision<Identity>>;

/**
 * How the proxy reaches Marketing Cloud: the Node client's options, less the ones the proxy owns
 * (`onEvent`, `middleware`, `signal`). `retry` defaults to `false` here: Marketing Cloud's answers,
 * 429 and 503 with their `Retry-After` included, pass through to the browser client, which
 * retries and honours them. Without `transport` (and `fetch`), the transport is chosen per
 * request (see `transport`).
 *
 * @example
 * ```ts
 * const upstream: ProxyUpstreamOptions = {
 *   subdomain: process.env.SFMC_SUBDOMAIN!,
 *   clientId: process.env.SFMC_CLIENT_ID!,
 *   clientSecret: process.env.SFMC_CLIENT_SECRET!,
 *   timeoutMs: 15_000,
 * };
 * ```
 */
export interface ProxyUpstreamOptions
  extends Omit<NodeClientOptions, "onEvent" | "middleware" | "signal" | "transport"> {
  /**
   * How the establish and token requests travel. Default: chosen per request, `"undici"` (the
   * Node client's own keep-alive connections, about a quarter of `fetch`'s CPU) while Node's
   * `fetch` is untouched, and `"fetch"` while msw or a stub replaced the global `fetch`, undici's
   * global dispatcher is not a default `Agent` (a proxy agent, `MockAgent`, an `Agent` with options
   * or interceptors), or `NODE_USE_ENV_PROXY` makes `fetch` use `HTTP_PROXY`. Each proxy holds its
   * own undici connections: create it once, at module scope.
   *
   * @example
   * ```ts
   * // Your egress settings live somewhere the choice cannot see: always use fetch.
   * createContactsProxy({ authorize, upstream: { subdomain, clientId, clientSecret, transport: "fetch" } });
   * ```
   */
  transport?: "fetch" | "undici";
}

/**
 * Options of {@link createContactsProxy}.
 *
 * @example
 * ```ts
 * const options: ContactsProxyOptions<string> = {
 *   authorize: async (request) => ((await userOf(request)) ? { identity: "user-1" } : { status: 401 }),
 *   basePath: "/api/sfmc",
 *   maxKeysPerRequest: 50,
 *   onEvent: (event) => console.log(JSON.stringify(event)),
 * };
 * ```
 */
export interface ContactsProxyOptions<Identity = unknown> {
  /**
   * Decides, from the request's headers, whether it may go on: `{ identity }` allows,
   * `{ status: 401 | 403, message? }` refuses, a throw refuses (401, or 403 when the thrown value
   * has `status: 403`), and anything else is a 401. Required: there is no open default. It runs on
   * every POST that passed the route, origin, content-type and size checks, before the body is
   * read, and must not read the body (a used body is a 500). Under `toNodeListener` its request
   * has no body at all (`body` null; its body methods reject, and count as reading it): the proxy
   * reads the Node request's body itself.
   *
   * @example
   * ```ts
   * createContactsProxy({
   *   authorize: async (request) => {
   *     const user = await sessionFrom(request.headers.get("cookie"));
   *     return user ? { identity: user.id } : { status: 401 };
   *   },
   * });
   * ```
   */
  authorize: Authorize<Identity>;
  /**
   * The path before `/contacts/v1/establish`; the browser client's `baseUrl` is the same path.
   * Default `"/api/sfmc"`. `""`, or `/seg(/seg)*` with the characters `A-Z a-z 0-9 . _ ~ -`, no `.`
   * or `..` segment and no trailing `/` (`"/"` alone reads as `""`). Compared byte for byte, with no
   * decoding: any other path is a 404.
   *
   * @example
   * ```ts
   * // Answers POST /internal/mc/contacts/v1/establish; the browser uses baseUrl: "/internal/mc".
   * createContactsProxy({ authorize, basePath: "/internal/mc" });
   * ```
   */
  basePath?: string | undefined;
  /**
   * Marketing Cloud credentials and client settings: the Node client's options, less `onEvent`,
   * `middleware` and `signal`. Given options are checked at once. Default: read from the
   * environment at the first forwarded request, once, as `createContactsClientFromEnv` reads it
   * (`SFMC_SUBDOMAIN`, `SFMC_CLIENT_ID`, `SFMC_CLIENT_SECRET`, `SFMC_ACCOUNT_ID`,
   * `SFMC_REST_BASE_URL`, `SFMC_AUTH_BASE_URL`); a missing variable then makes every forwarded
   * request a 500 (reason `misconfigured`). `retry` defaults to `false`: the browser client retries.
   * `transport` defaults to a choice per request: undici while Node's `fetch` is untouched, `fetch`
   * while msw, a stub or a proxy agent stands in its way (see {@link ProxyUpstreamOptions}).
   *
   * @example
   * ```ts
   * createContactsProxy({
   *   authorize,
   *   upstream: {
   *     subdomain: process.env.SFMC_SUBDOMAIN!,
   *     clientId: process.env.SFMC_CLIENT_ID!,
   *     clientSecret: process.env.SFMC_CLIENT_SECRET!,
   *     timeoutMs: 15_000,
   *   },
   * });
   * ```
   */
  upstream?: ProxyUpstreamOptions | undefined;
  /**
   * Exact origins (`"https://app.example.com"`) allowed cross-origin, with CORS: their answers
   * carry `Access-Control-Allow-Origin`, `-Allow-Credentials` and `-Expose-Headers: Retry-After,
   * X-Request-Id`, and their preflights get a 204. Default none: same-origin only, and a cross-site
   * POST is a 403. `"*"`, `"null"`, paths, trailing slashes and upper-case hosts are refused at creation.
   *
   * @example
   * ```ts
   * createContactsProxy({ authorize, allowedOrigins: ["https://app.example.com", "http://localhost:5173"] });
   * ```
   */
  allowedOrigins?: readonly string[] | undefined;
  /**
   * At most this many contact keys per request: a whole number from 1 to 10,000. Default 50,
   * Marketing Cloud's synchronous batch size and the browser client's `establishAll` batch size.
   * More keys get a 400 (errorcode 10005), and nothing is forwarded.
   *
   * @example
   * ```ts
   * // The browser then runs client.establishAll(keys, { batchSize: 20 }).
   * createContactsProxy({ authorize, maxKeysPerRequest: 20 });
   * ```
   */
  maxKeysPerRequest?: number | undefined;
  /**
   * At most this many body bytes: a whole number from 256 to 16,777,216. Default
   * `1024 × maxKeysPerRequest + 4096` (55,296 for 50 keys of 254 characters in any script). A
   * larger body is a 413, from its `Content-Length` or as soon as the streamed body passes the cap.
   *
   * @example
   * ```ts
   * createContactsProxy({ authorize, maxBodyBytes: 64 * 1024 });
   * ```
   */
  maxBodyBytes?: number | undefined;
  /**
   * How long the body may take to arrive, in milliseconds, from when the proxy starts reading it
   * (after `authorize`): a whole number from 100 to 600,000. Default 30,000. A body still arriving
   * then is a 408 and nothing is forwarded, so a caller that sends a byte now and then cannot hold
   * the request (and its memory) until the server's own time limit.
   *
   * @example
   * ```ts
   * createContactsProxy({ authorize, bodyTimeoutMs: 10_000 });
   * ```
   */
  bodyTimeoutMs?: number | undefined;
  /**
   * Request, decision, upstream and response events, with a `requestId` and the identity
   * `authorize` returned. Never a header, a body, a cookie or a token. A listener that throws or
   * rejects is reported once and ignored.
   *
   * @example
   * ```ts
   * createContactsProxy({
   *   authorize,
   *   onEvent: (event) => {
   *     if (event.type === "response") console.log(event.requestId, event.status, event.reason, event.identity);
   *   },
   * });
   * ```
   */
  onEvent?: ((event: ProxyEvent<Identity>) => void) | undefined;
}

/** The options with their defaults applied. */
export interface ResolvedOptions<Identity> {
  authorize: Authorize<Identity>;
  basePath: string;
  upstream: ProxyUpstreamOptions | undefined;
  allowedOrigins: AllowedOrigins;
  maxKeysPerRequest: number;
  maxBodyBytes: number;
  bodyTimeoutMs: number;
  onEvent: ((event: ProxyEvent<Identity>) => void) | undefined;
}

/** Throws unless `value` is undefined or a whole number from `min` to `max`. */
function checkWholeNumber(value: unknown, name: string, min: number, max: number): void {
  if (value === undefined || (Number.isInteger(value) && (value as number) >= min && (value as number) <= max)) return;
  let shown: string;
  try {
    shown = typeof value === "string" ? JSON.stringify(value.slice(0, 50)) : String(value);
  } catch {
    shown = `[${typeof value}]`;
  }
  throw new ContactsValidationError(`${name} must be a whole number from ${min} to ${max}, got ${shown}`, {
    reason: name,
  });
}

/** How long a body may take to arrive by default: long for 55 kB, short beside Node's 300 s. */
const DEFAULT_BODY_TIMEOUT_MS = 30_000;
/** The default of `maxKeysPerRequest`: Marketing Cloud's synchronous batch size. */
export const DEFAULT_MAX_KEYS = 50;

/** Checks the options and applies the defaults; throws a `ContactsValidationError` naming the option. */
export function resolveOptions<Identity>(options: ContactsProxyOptions<Identity>): ResolvedOptions<Identity> {
  if (options === null || typeof options !== "object") {
    throw new ContactsValidationError(
      "createContactsProxy needs an options object with authorize: the proxy has no open default",
      { reason: "no options" },
    );
  }
  if (options.authorize === undefined || options.authorize === null) {
    throw new ContactsValidationError(
      "authorize is required: the proxy has no open default. Pass authorize(request) returning { identity } to allow or { status: 401 | 403 } to refuse.",
      { reason: "authorize" },
    );
  }
  if (typeof options.authorize !== "function") {
    throw new ContactsValidationError(
      `authorize must be a function of the request, got ${typeof options.authorize}: the proxy has no open default`,
      { reason: "authorize" },
    );
  }
  if (options.onEvent !== undefined && typeof options.onEvent !== "function") {
    throw new ContactsValidationError(`onEvent must be a function, got ${typeof options.onEvent}`, {
      reason: "onEvent",
    });
  }
  if (options.upstream !== undefined && (options.upstream === null || typeof options.upstream !== "object")) {
    throw new ContactsValidationError(
      "upstream must be the Node client's options (clientId, clientSecret, subdomain ...), or left out to read them from the environment",
      { reason: "upstream" },
    );
  }
  checkWholeNumber(options.maxKeysPerRequest, "maxKeysPerRequest", 1, 10_000);
  const maxKeysPerRequest = options.maxKeysPerRequest ?? DEFAULT_MAX_KEYS;
  checkWholeNumber(options.maxBodyBytes, "maxBodyBytes", 256, 16_777_216);
  checkWholeNumber(options.bodyTimeoutMs, "bodyTimeoutMs", 100, 600_000);
  return {
    authorize: options.authorize,
    basePath: checkBasePath(options.basePath),
    upstream: options.upstream,
    allowedOrigins: checkAllowedOrigins(options.allowedOrigins),
    maxKeysPerRequest,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * maxKeysPerRequest + 4096,
    bodyTimeoutMs: options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS,
    onEvent: options.onEvent,
  };
}
