/**
 * How a REST request presents its access token: only in `Authorization: Bearer <token>`. A token
 * in the URL or the body is refused (401, errorcode 40004), and every 401 names its cause in
 * `WWW-Authenticate`, as RFC 6750 section 3 has it: `error="invalid_token"` for a missing, unknown
 * or expired token (fuel-rest, Salesforce's Node REST library, renews its token only on that), and
 * `error="invalid_request"` for a token outside the header (section 3.1: a request that uses more
 * than one method, or one not allowed, is an invalid request; a new token would not help, so a
 * client must not throw a valid token away for it).
 */
import { bodyFields, readBody } from "./request-body.js";

/** Why a request is not authorized. */
export type UnauthorizedCause = "missing" | "invalid" | "outside-header";

const DESCRIPTIONS: Record<UnauthorizedCause, string> = {
  missing: "No access token: send it as Authorization: Bearer <token>",
  invalid: "The access token is unknown or has expired: request a new one",
  "outside-header": "The access token was sent in the URL or the body: send it in the Authorization header only",
};

/** The `WWW-Authenticate` header of a 401 for this cause (no quotes or backslashes in the description, per RFC 6750). */
export function wwwAuthenticate(cause: UnauthorizedCause): string {
  const error = cause === "outside-header" ? "invalid_request" : "invalid_token";
  return `Bearer error="${error}", error_description="${DESCRIPTIONS[cause]}"`;
}

/** The token of an `Authorization: Bearer <token>` header (the scheme in any case), if there is one. */
export function bearerToken(request: Request): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1];
}

/**
 * Whether a request carries an access token outside the `Authorization` header: an
 * `access_token` query parameter, or an `access_token` field of a JSON or form body (names in any
 * case and encoding, as the service binds them).
 */
export function hasTokenOutsideHeader(request: Request, text: string): boolean {
  const isTokenName = (name: string) => name.toLowerCase() === "access_token";
  // URLSearchParams decodes names (`access%5Ftoken`), as the service's query binder does.
  if ([...new URL(request.url).searchParams.keys()].some(isTokenName)) return true;
  // The body is parsed, never searched as text: the service's JSON reader decodes escapes
  // (`"access\u005ftoken"`), and so does JSON.parse; a form's names are percent-decoded.
  if (text.length === 0) return false;
  return Object.keys(bodyFields(readBody(request.headers.get("content-type"), text)) ?? {}).some(isTokenName);
}
