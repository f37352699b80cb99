/**
 * How a REST request presents its access token: only in `Authorization: Bearer <token>`. A token
 * in the URL or the body is refused (401, errorcode 40004), and every 401 names its cause in
 * `WWW-Authenticate`, as RFC 6750 section 3 has it (fuel-rest, Salesforce's Node REST library,
 * renews its token only when that header says `invalid_token`).
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
  return `Bearer error="invalid_token", error_description="${DESCRIPTIONS[cause]}"`;
}

/** The token of an `Authorization: Bearer <token>` header (the scheme in any case), if there is one. */
export function bearerToken(request: Request): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1];
}

/**
 * Whether a request carries an access token outside the `Authorization` header: an
 * `access_token` query parameter, or an `access_token` field of a JSON or form body (names in any
 * case, as the service binds them).
 */
export function hasTokenOutsideHeader(request: Request, text: string): boolean {
  const isTokenName = (name: string) => name.toLowerCase() === "access_token";
  if ([...new URL(request.url).searchParams.keys()].some(isTokenName)) return true;
  // Most bodies never name it: read the body only when the name is in it.
  if (!/access(_|%5f)token/i.test(text)) return false;
  return Object.keys(bodyFields(readBody(request.headers.get("content-type"), text)) ?? {}).some(isTokenName);
}
