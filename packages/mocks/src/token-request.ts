/**
 * Reads a client-credentials token request the way the spec says the token route does: JSON or
 * form-encoded (RFC 6749 section 4.4.2), fields of the right types, `account_id` a MID (digits, as
 * a string or an integer, as sfmc-sdk and FuelSDK send it), `scope` a space-separated string of
 * scope names (RFC 6749 section 3.3). Whether the credentials are the configured ones is the
 * fake's business, not this reader's.
 */
import type { OAuthError } from "@sfmc-contacts/types";
import { oauthError } from "./factories.js";
import { readBody } from "./request-body.js";

/** A token request the route accepts. */
export interface TokenCall {
  clientId: string;
  clientSecret: string;
  /** The MID as a string, whichever form it came in. */
  accountId?: string;
  /** The requested scopes, when the request names any. */
  scope?: string;
}

/** Why the token route refuses a request: the status and the OAuth error it answers with. */
export interface TokenRefusal {
  status: 400 | 401;
  body: OAuthError;
}

/** RFC 6749 section 3.3: scope names of printable ASCII without space, `"` or `\`, one space apart. */
const SCOPE = /^([!#-[\]-~]+( [!#-[\]-~]+)*)?$/;

const invalidRequest = (description: string): TokenRefusal => ({
  status: 400,
  body: oauthError("invalid_request", description),
});

/** `401 invalid_client`, as the token route answers credentials it does not accept. */
export const INVALID_CLIENT: TokenRefusal = {
  status: 401,
  body: oauthError(
    "invalid_client",
    "Client authentication failed. Make sure that the client ID and client secret are valid and have access to the account.",
  ),
};

/**
 * Parses a token request, or says how the route refuses it:
 * - a body neither JSON nor form-encoded, JSON that does not parse or is not an object, or a form
 *   field sent twice: 400 `invalid_request`;
 * - `grant_type` missing or not a string: `invalid_request`; another grant: `unsupported_grant_type`;
 * - `client_id` or `client_secret` not a string, `account_id` not a MID, `scope` not a
 *   space-separated string of scope names: `invalid_request`;
 * - `client_id` or `client_secret` missing or empty: 401 `invalid_client`.
 */
export function parseTokenRequest(contentType: string | null, text: string): TokenCall | TokenRefusal {
  const body = readBody(contentType, text);
  let fields: Record<string, unknown>;
  switch (body.kind) {
    case "other":
      return invalidRequest(
        `Send the token request as application/json or application/x-www-form-urlencoded, not ${body.contentType ?? "without a content type"}.`,
      );
    case "malformed-json":
      return invalidRequest("The request body is not valid JSON.");
    case "json":
      if (body.value === null || typeof body.value !== "object" || Array.isArray(body.value)) {
        return invalidRequest("The request body must be a JSON object.");
      }
      fields = body.value as Record<string, unknown>;
      break;
    case "form": {
      // RFC 6749 section 3.1: a parameter must not be sent more than once.
      const repeated = Object.entries(body.fields).find(([, value]) => Array.isArray(value));
      if (repeated) return invalidRequest(`${repeated[0]} is sent more than once.`);
      fields = body.fields;
      break;
    }
  }

  const { grant_type: grantType, client_id: clientId, client_secret: clientSecret, account_id, scope } = fields;
  if (grantType === undefined) return invalidRequest("grant_type is required: send client_credentials.");
  if (typeof grantType !== "string") return invalidRequest("grant_type must be a string.");
  if (grantType !== "client_credentials") {
    return {
      status: 400,
      body: oauthError(
        "unsupported_grant_type",
        'Use "authorization_code" or "refresh_token" or "client_credentials" or "urn:ietf:params:oauth:grant-type:jwt-bearer" as the grant type.',
      ),
    };
  }
  for (const [name, value] of [
    ["client_id", clientId],
    ["client_secret", clientSecret],
  ] as const) {
    if (value !== undefined && typeof value !== "string") return invalidRequest(`${name} must be a string.`);
  }
  let accountId: string | undefined;
  if (account_id !== undefined) {
    if (typeof account_id === "string" && /^\d+$/.test(account_id)) accountId = account_id;
    else if (typeof account_id === "number" && Number.isSafeInteger(account_id) && account_id >= 0) {
      accountId = String(account_id);
    } else {
      return invalidRequest(
        "account_id must be the MID of a business unit: digits, as a string or a non-negative integer.",
      );
    }
  }
  if (scope !== undefined && (typeof scope !== "string" || !SCOPE.test(scope))) {
    return invalidRequest(
      'scope must be a space-separated string of scope names, for example "list_and_subscribers_read list_and_subscribers_write".',
    );
  }
  if (typeof clientId !== "string" || clientId === "" || typeof clientSecret !== "string" || clientSecret === "") {
    return INVALID_CLIENT;
  }
  const call: TokenCall = { clientId, clientSecret };
  if (accountId !== undefined) call.accountId = accountId;
  if (typeof scope === "string" && scope !== "") call.scope = scope;
  return call;
}

/** Whether a parse result is a refusal. */
export function isTokenRefusal(result: TokenCall | TokenRefusal): result is TokenRefusal {
  return "status" in result;
}
