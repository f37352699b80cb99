import { routePattern, TENANT_BASES } from "./route-pattern.js";

/**
 * Token settings of a mock.
 *
 * @example
 * ```ts
 * const auth: ContactsMockAuthOptions = { clientId: "my-id", clientSecret: "my-secret", tokenLifetimeSeconds: 60 };
 * createContactsMock({ auth });
 * ```
 */
export interface ContactsMockAuthOptions {
  /** The client id the token route accepts. Default: any non-empty client id. */
  clientId?: string;
  /** The client secret the token route accepts. Default: any non-empty secret. */
  clientSecret?: string;
  /** The account id (MID) the token route accepts. Default: any, or none. */
  accountId?: string;
  /**
   * A token the establish route accepts without the token route, e.g. what a browser app gets
   * from its own backend. It never expires.
   */
  staticToken?: string;
  /** `expires_in` of issued tokens, in seconds; they stop working after it. Default 1079, as Marketing Cloud. */
  tokenLifetimeSeconds?: number;
  /** The `scope` of issued tokens when the request names none. */
  scope?: string;
}

/**
 * Options of {@link createContactsMock}. Every option is optional.
 *
 * @example
 * ```ts
 * const options: ContactsMockOptions = { seed: 1, latency: [5, 20], responseShape: "array" };
 * createContactsMock(options);
 * ```
 */
export interface ContactsMockOptions {
  /**
   * Where the mock answers. Default: `https://<subdomain>.rest.marketingcloudapis.com` for
   * establish and `https://<subdomain>.auth.marketingcloudapis.com` for tokens, for any subdomain
   * of letters, digits and hyphens (only those hosts: not `https://evil.example/x.rest.…`, not
   * `https://x.rest.marketingcloudapis.com.evil.example`). A string serves both routes under one
   * base (an app's proxy: `http://localhost:3000/api/sfmc`, or in a browser `/api/sfmc`); an
   * object names each.
   */
  baseUrl?: string | { rest: string; auth: string };
  /**
   * Makes contact ids, message GUIDs, tokens, latency and `responseDateTime` deterministic. Without
   * a seed every mock differs, and `responseDateTime` is the current time.
   */
  seed?: number;
  /** Delay before each answer, in milliseconds: fixed, or a `[min, max]` range (seeded). Default 0. */
  latency?: number | readonly [min: number, max: number];
  /** `"object"` (default, as the reference schema) or `"array"` (the product page's one-element array). */
  responseShape?: "object" | "array";
  /**
   * Token settings, or `false` for no auth at all (an app's proxy that adds the token itself).
   * Default: any client credentials get a token; establish needs a token the mock issued.
   */
  auth?: ContactsMockAuthOptions | false;
  /**
   * The `Retry-After` (whole seconds) that the `rateLimited` and `unavailable` scenarios send when
   * not given their own. Default 1: short, so that a client with default retry options waits one
   * second and a test stays fast. 0 makes a client retry on its own backoff alone.
   */
  retryAfter?: number;
}

/** Defaults the mock applies. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 1079;
export const DEFAULT_RETRY_AFTER_SECONDS = 1;
export const DEFAULT_SCOPE =
  "email_read email_write email_send list_and_subscribers_read list_and_subscribers_write data_extensions_read data_extensions_write";
export const DEFAULT_REST_BASE = TENANT_BASES.rest;
export const DEFAULT_AUTH_BASE = TENANT_BASES.auth;

/** Options checked and completed. */
export interface ResolvedOptions {
  rest: string;
  auth: string;
  seed: number;
  deterministicTime: boolean;
  latency: readonly [number, number];
  responseShape: "object" | "array";
  tokens: (Required<Pick<ContactsMockAuthOptions, "tokenLifetimeSeconds" | "scope">> & ContactsMockAuthOptions) | false;
  /** What the token answer names as `rest_instance_url`, when set (the loopback server behind a proxy). */
  restInstanceUrl?: string;
  /** The scenarios' default `Retry-After`, in seconds. */
  retryAfter: number;
}

/**
 * What msw matches for a route under a base (route-pattern.ts): a base with `*` (the default
 * tenant hosts, or a configured one) as a RegExp anchored on the whole URL, each `*` exactly one
 * host label; any other base as msw's own string pattern.
 */
export function routeMatcher(base: string, path: string): string | RegExp {
  return routePattern(base, path, "createContactsMock: baseUrl");
}

/**
 * Checks an absolute http(s) URL without query or fragment, as given to a server option; returns
 * it with exactly one trailing slash (a base for relative paths). Throws a `TypeError` naming it.
 */
export function checkInstanceUrl(url: unknown, name: string): string {
  let parsed: URL | undefined;
  try {
    parsed = typeof url === "string" ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || !["http:", "https:"].includes(parsed.protocol) || parsed.search || parsed.hash) {
    throw new TypeError(
      `${name} must be an absolute http(s) URL without query or fragment, got ${JSON.stringify(url)}`,
    );
  }
  return `${trimSlash(parsed.href)}/`;
}

const trimSlash = (url: string): string => url.replace(/\/+$/, "");

function checkBase(url: string, name: string): string {
  // A wildcard pattern: each * exactly one host label (routePattern throws a TypeError naming the
  // option for a * anywhere else).
  if (url.includes("*")) {
    routePattern(url, "", `createContactsMock: ${name}`);
    return trimSlash(url);
  }
  // A path on the page's own origin (browser apps behind their own proxy).
  if (/^\/(?!\/)/.test(url)) return trimSlash(url);
  try {
    const parsed = new URL(url);
    if (parsed.search || parsed.hash) throw new Error("query or fragment");
  } catch {
    throw new TypeError(
      `createContactsMock: ${name} must be an absolute URL or a path starting with "/", without query or fragment, got ${JSON.stringify(url)}`,
    );
  }
  return trimSlash(url);
}

/** Checks options and fills in defaults; throws a `TypeError` naming the bad option. */
export function resolveOptions(options: ContactsMockOptions, randomSeed: () => number): ResolvedOptions {
  const {
    baseUrl,
    seed,
    latency = 0,
    responseShape = "object",
    auth = {},
    retryAfter = DEFAULT_RETRY_AFTER_SECONDS,
  } = options;
  let rest = DEFAULT_REST_BASE;
  let authBase = DEFAULT_AUTH_BASE;
  if (typeof baseUrl === "string") {
    rest = authBase = checkBase(baseUrl, "baseUrl");
  } else if (baseUrl !== undefined) {
    rest = checkBase(baseUrl.rest, "baseUrl.rest");
    authBase = checkBase(baseUrl.auth, "baseUrl.auth");
  }
  if (seed !== undefined && !Number.isInteger(seed)) {
    throw new TypeError(`createContactsMock: seed must be an integer, got ${String(seed)}`);
  }
  const range: readonly [number, number] = typeof latency === "number" ? [latency, latency] : latency;
  if (!range.every((n) => Number.isFinite(n) && n >= 0) || range[0] > range[1]) {
    throw new TypeError(
      `createContactsMock: latency must be a number of ms >= 0 or a [min, max] range, got ${JSON.stringify(latency)}`,
    );
  }
  if (responseShape !== "object" && responseShape !== "array") {
    throw new TypeError(
      `createContactsMock: responseShape must be "object" or "array", got ${JSON.stringify(responseShape)}`,
    );
  }
  if (!Number.isInteger(retryAfter) || retryAfter < 0) {
    throw new TypeError(
      `createContactsMock: retryAfter must be a whole number of seconds >= 0, got ${String(retryAfter)}`,
    );
  }
  let tokens: ResolvedOptions["tokens"] = false;
  if (auth !== false) {
    const lifetime = auth.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS;
    if (!Number.isInteger(lifetime) || lifetime <= 0) {
      throw new TypeError(
        `createContactsMock: auth.tokenLifetimeSeconds must be a positive integer, got ${String(lifetime)}`,
      );
    }
    if (auth.staticToken !== undefined && auth.staticToken.length === 0) {
      throw new TypeError("createContactsMock: auth.staticToken must not be empty");
    }
    tokens = { ...auth, tokenLifetimeSeconds: lifetime, scope: auth.scope ?? DEFAULT_SCOPE };
  }
  return {
    rest,
    auth: authBase,
    seed: (seed ?? randomSeed()) >>> 0,
    deterministicTime: seed !== undefined,
    latency: range,
    responseShape,
    tokens,
    retryAfter,
  };
}
