/**
 * Who may call the proxy from a browser. Same-origin is the default: no CORS header is ever sent,
 * and a POST a browser marks as cross-site (or whose `Origin` is not the request's own) is
 * refused. Browsers already block such calls (they need a preflight, and the proxy takes JSON
 * only); the check is defence in depth. `allowedOrigins` opens the route to exact origins, with
 * the headers a cross-origin browser client needs, `Retry-After` exposed above all.
 */
import { ContactsValidationError } from "@sfmc-contacts/core";

/** The origins allowed cross-origin; empty means same-origin only. */
export type AllowedOrigins = ReadonlySet<string>;

/**
 * The exact origins of `allowedOrigins`, checked: each must be what `new URL(origin).origin` gives
 * for it (`https://app.example.com`, `http://localhost:3000`), over http or https. `"*"`, `"null"`,
 * a path, a trailing slash or an upper-case host are refused with a {@link ContactsValidationError}.
 */
export function checkAllowedOrigins(value: unknown): AllowedOrigins {
  if (value === undefined) return new Set();
  if (!Array.isArray(value)) {
    throw new ContactsValidationError("allowedOrigins must be an array of origins such as https://app.example.com", {
      reason: "allowedOrigins",
    });
  }
  const origins = new Set<string>();
  for (const origin of value as unknown[]) {
    const problem = originProblem(origin);
    if (problem !== undefined) {
      const shown = typeof origin === "string" ? JSON.stringify(origin.slice(0, 100)) : `a ${typeof origin}`;
      throw new ContactsValidationError(
        `allowedOrigins: ${shown} is not an origin: ${problem}. Give exact origins such as "https://app.example.com" (scheme, host and port only, as the browser sends them in Origin).`,
        { reason: "allowedOrigins" },
      );
    }
    origins.add(origin as string);
  }
  return origins;
}

function originProblem(origin: unknown): string | undefined {
  if (typeof origin !== "string") return "not a string";
  if (origin === "*") return '"*" would let every site call it with its users\' sessions';
  if (origin === "null") return '"null" is the origin of sandboxed frames and files, which any site can create';
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return "not a URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "not http or https";
  if (url.origin !== origin) return `it is not written as its origin (${url.origin})`;
  return undefined;
}

/** The outcome of the origin check of a POST. */
export type OriginDecision =
  /** Go on; `cors` is the listed origin to answer with CORS headers, or null (same-origin, server to server). */
  { allowed: true; cors: string | null } | { allowed: false };

const CROSS_SITE = new Set(["cross-site", "same-site"]);

/**
 * The origin check of a POST (§4.1): a listed `Origin` is allowed with CORS; a `Sec-Fetch-Site` of
 * `cross-site` or `same-site` is refused; without `Sec-Fetch-Site`, an `Origin` other than the
 * request URL's own is refused; anything else (same-origin, `none`, no `Origin` at all: a server)
 * goes on without CORS headers.
 */
export function decideOrigin(request: Request, url: { origin: string }, allowed: AllowedOrigins): OriginDecision {
  const origin = request.headers.get("origin");
  if (origin !== null && allowed.has(origin)) return { allowed: true, cors: origin };
  const site = request.headers.get("sec-fetch-site");
  if (site !== null) return CROSS_SITE.has(site.toLowerCase()) ? { allowed: false } : { allowed: true, cors: null };
  if (origin !== null && origin !== url.origin) return { allowed: false };
  return { allowed: true, cors: null };
}

/** The message of a 403 for an origin. */
export function originRefusalMessage(request: Request): string {
  return `Forbidden: origin ${JSON.stringify(request.headers.get("origin")).slice(0, 100)} is not allowed`;
}

/**
 * The CORS headers of an answer to a listed origin (errors included). Without
 * `Access-Control-Expose-Headers` a cross-origin page cannot read `Retry-After`, and the browser
 * client could not honour it.
 */
export function corsHeaders(origin: string | null, allowed: AllowedOrigins): Record<string, string> {
  const headers: Record<string, string> = {};
  // Vary on every answer of the route when origins are listed: a shared cache must not hand one
  // origin's answer (with its Access-Control-Allow-Origin) to another.
  if (allowed.size > 0) headers.vary = "Origin";
  if (origin !== null && allowed.has(origin)) {
    headers["access-control-allow-origin"] = origin;
    headers["access-control-allow-credentials"] = "true";
    headers["access-control-expose-headers"] = "Retry-After, X-Request-Id";
  }
  return headers;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const MAX_ECHOED_HEADERS = 20;
const DEFAULT_ALLOWED_HEADERS = "content-type, authorization";

/**
 * The headers a preflight may allow: the requested list echoed when it is at most 20 valid header
 * names, else `content-type, authorization`. Echoing is safe because the proxy forwards no caller
 * header at all.
 */
export function allowedRequestHeaders(requested: string | null): string {
  if (requested === null) return DEFAULT_ALLOWED_HEADERS;
  const names = requested
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
  if (names.length === 0 || names.length > MAX_ECHOED_HEADERS || !names.every((name) => TOKEN.test(name))) {
    return DEFAULT_ALLOWED_HEADERS;
  }
  return names.join(", ");
}

/** What an OPTIONS request gets. */
export type OptionsOutcome =
  | { kind: "preflight-allowed"; headers: Record<string, string> }
  | { kind: "preflight-refused"; headers: Record<string, string> }
  | { kind: "options"; headers: Record<string, string> };

/**
 * The answer to an OPTIONS request: a preflight (it has `Access-Control-Request-Method`) from a
 * listed origin is allowed; any other preflight, including every one in same-origin mode, is
 * refused; an OPTIONS that is not a preflight learns the allowed methods.
 */
export function answerOptions(request: Request, allowed: AllowedOrigins): OptionsOutcome {
  const vary: Record<string, string> = allowed.size > 0 ? { vary: "Origin" } : {};
  if (request.headers.get("access-control-request-method") === null) {
    return { kind: "options", headers: { ...vary, allow: "OPTIONS, POST" } };
  }
  const origin = request.headers.get("origin");
  if (origin === null || !allowed.has(origin)) return { kind: "preflight-refused", headers: vary };
  return {
    kind: "preflight-allowed",
    headers: {
      "access-control-allow-origin": origin,
      "access-control-allow-credentials": "true",
      "access-control-allow-methods": "POST",
      "access-control-allow-headers": allowedRequestHeaders(request.headers.get("access-control-request-headers")),
      "access-control-max-age": "600",
      vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    },
  };
}
