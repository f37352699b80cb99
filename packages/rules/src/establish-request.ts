/**
 * Reads an establish request the way the service does: JSON only, field names bound
 * case-insensitively (PascalCase from the product page, camelCase from the reference), flags as
 * booleans or their strings, and Marketing Cloud's error codes for what it rejects.
 */
import type { MarketingCloudError } from "@sfmc-contacts/types";
import { isJsonContentType } from "./content-type.js";
import { marketingCloudError } from "./error-body.js";

/**
 * The path of the establish route, relative to the tenant's REST base URL.
 *
 * @example
 * ```ts
 * const url = new URL(ESTABLISH_PATH, "https://mc123.rest.marketingcloudapis.com");
 * ```
 */
export const ESTABLISH_PATH = "/contacts/v1/establish";

/**
 * An establish body in its canonical form: the product page's PascalCase names, the flags as real
 * booleans, `ContactType` as its number, and only the fields the caller sent. It is a valid
 * `EstablishContactsRequestPascalCase` (from `@sfmc-contacts/types`).
 *
 * @example
 * ```ts
 * const body: CanonicalEstablishRequest = { ContactKeys: ["Key1"], ReturnResults: false };
 * ```
 */
export interface CanonicalEstablishRequest {
  /** The contact keys, as sent. */
  ContactKeys: string[];
  /** `0` when the caller sent `0` or `"Default"` (any case); absent when it sent nothing. */
  ContactType?: number;
  /** Present only when the caller sent it. */
  ReturnResults?: boolean;
  /** Present only when the caller sent it. */
  CorrelateResponseItem?: boolean;
  /** Present only when the caller sent it. */
  IncludeNewContactAwareness?: boolean;
}

/**
 * A request the service accepts: every field with its default applied, and the canonical body.
 *
 * @example
 * ```ts
 * const call = parseEstablishRequest("application/json", '{"contactKeys":["Key1"],"returnResults":"false"}');
 * if (!isRefusal(call)) {
 *   call.returnResults; // false
 *   call.body; // { ContactKeys: ["Key1"], ReturnResults: false }
 * }
 * ```
 */
export interface EstablishCall {
  /** The contact keys, in request order. */
  contactKeys: string[];
  /** The contact type; default `0`. */
  contactType: number;
  /** Whether the answer lists the contacts; default `true`. */
  returnResults: boolean;
  /** Whether items come back in request order; default `true`. */
  correlateResponseItem: boolean;
  /** Whether each item carries `isNewContact`; default `true`. */
  includeNewContactAwareness: boolean;
  /**
   * The request as the service reads it, in PascalCase with real booleans and only the fields that
   * were sent: what a proxy forwards. It is an allowlist: no unknown field (`access_token`,
   * anything else) is in it. Absent fields stay absent because the service's documents disagree
   * on some defaults (`IncludeNewContactAwareness`), so the service should apply its own.
   */
  body: CanonicalEstablishRequest;
}

/**
 * Why the service refuses a request: the status and the body it answers with.
 *
 * @example
 * ```ts
 * const refusal = parseEstablishRequest("text/plain", "{}");
 * if (isRefusal(refusal)) return Response.json(refusal.body, { status: refusal.status });
 * ```
 */
export interface EstablishRefusal {
  /** 415 for a body that is not JSON by its content type, 400 for every other refusal. */
  status: 400 | 415;
  /** Marketing Cloud's error body, with the service's errorcode. */
  body: MarketingCloudError;
}

/**
 * Limits stricter than the service's own, for a proxy.
 *
 * @example
 * ```ts
 * const result = parseEstablishRequest(contentType, text, { maxKeys: 50 });
 * ```
 */
export interface ParseEstablishOptions {
  /**
   * The most contact keys one request may carry: more are refused with 400, errorcode 10005,
   * before any key is read. A positive integer, or `Infinity` (the default: the service sets no
   * documented limit).
   */
  maxKeys?: number;
  /**
   * Which `ContactType` values pass. `"default"` (the default, the mocks' rule): only `0` and
   * `"Default"`; any other type is account configuration the mock cannot know, refused with 10005.
   * `"any"` (what a proxy passes): any whole number from 0 to 2,147,483,647 and `"Default"` pass,
   * and the account decides the rest; other names are refused with 10005, since only the service
   * knows the account's names.
   */
  contactTypes?: "default" | "any";
}

/**
 * The longest contact key the service takes, in UTF-16 code units: the service is .NET, and the
 * rules count as it does, with `string.length` (127 emoji fit, 128 do not).
 *
 * @example
 * ```ts
 * const fits = key.length >= 1 && key.length <= MAX_CONTACT_KEY_LENGTH;
 * ```
 */
export const MAX_CONTACT_KEY_LENGTH = 254;

const FLAGS = {
  returnresults: ["returnResults", "ReturnResults"],
  correlateresponseitem: ["correlateResponseItem", "CorrelateResponseItem"],
  includenewcontactawareness: ["includeNewContactAwareness", "IncludeNewContactAwareness"],
} as const;

const refuse = (errorcode: number, message: string): EstablishRefusal => ({
  status: 400,
  body: marketingCloudError(errorcode, message),
});

// An optional field is left out to get its default; the service's binder refuses null for a
// boolean or an enum.
const refuseNull = (name: string): EstablishRefusal =>
  refuse(10001, `${name}: null is not accepted; leave the field out to get the default`);

/**
 * The contact type: the integer 0 or its name "Default" (in any case, as .NET parses enum names).
 * Other types are account configuration the mock cannot know: 10005, as the service answers a
 * type the account lacks.
 */
function readContactType(value: unknown, any: boolean): number | EstablishRefusal {
  if (value === 0 || (typeof value === "string" && value.toLowerCase() === "default")) return 0;
  if (any && typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 2_147_483_647) return value;
  if (any && typeof value === "string") {
    return refuse(10005, `ContactType: invalid value: ${JSON.stringify(value)} (send the type's number, or "Default")`);
  }
  if (typeof value === "number" && Number.isInteger(value)) {
    return refuse(10005, `ContactType: invalid value: ${value} (the mock knows only 0, "Default")`);
  }
  if (typeof value === "string") {
    return refuse(10005, `ContactType: invalid value: ${JSON.stringify(value)} (the mock knows only 0, "Default")`);
  }
  return refuse(10001, 'ContactType: invalid data type: expected an integer or the name "Default"');
}

function readFlag(value: unknown, name: string): boolean | EstablishRefusal {
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
  return refuse(10001, `${name}: invalid data type: expected a boolean or "true" / "false"`);
}

// A limit that is not a number would make `length > maxKeys` always false: no limit at all.
function checkMaxKeys(maxKeys: number): void {
  if (maxKeys === Number.POSITIVE_INFINITY || (Number.isInteger(maxKeys) && maxKeys >= 1)) return;
  throw new RangeError(`parseEstablishRequest: maxKeys must be a positive integer or Infinity, got ${String(maxKeys)}`);
}

/**
 * Parses an establish body, or says how the service refuses it.
 *
 * - a content type that is not JSON (see {@link isJsonContentType}): 415, errorcode 0;
 * - not JSON, or JSON that is not an object: 400, errorcode 10004;
 * - `ContactKeys` missing: 10002; of the wrong type: 10001;
 * - more keys than `options.maxKeys`: 10005, before any key is read;
 * - `ContactKeys` empty, or a key empty or over 254 characters (UTF-16 code units, as .NET counts): 10005;
 * - a flag that is neither a boolean nor `"true"` / `"false"` (any case), a `ContactType` that is
 *   neither an integer nor a string, or any optional field sent as `null`: 10001;
 * - a `ContactType` other than `0` or `"Default"` (any case): 10005; with `contactTypes: "any"`, any
 *   whole number from 0 passes (a name other than "Default" is still 10005).
 *
 * Names are bound case-insensitively; when a name is sent in two spellings the last one wins.
 *
 * @throws RangeError when `options.maxKeys` is neither a positive integer nor `Infinity`.
 *
 * @example
 * ```ts
 * const result = parseEstablishRequest(request.headers.get("content-type"), await request.text(), { maxKeys: 50 });
 * if (isRefusal(result)) return Response.json(result.body, { status: result.status });
 * forward(result.body); // { ContactKeys: [...], and only the other fields that were sent }
 * ```
 */
export function parseEstablishRequest(
  contentType: string | null,
  text: string,
  options: ParseEstablishOptions = {},
): EstablishCall | EstablishRefusal {
  const maxKeys = options.maxKeys ?? Number.POSITIVE_INFINITY;
  checkMaxKeys(maxKeys);
  if (!isJsonContentType(contentType)) {
    return {
      status: 415,
      body: marketingCloudError(
        0,
        `Unsupported Media Type: send the body as application/json, not ${contentType ?? "no content type"}`,
      ),
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return refuse(10004, "Invalid message format: the body is not valid JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return refuse(10004, "Invalid message format: the body must be a JSON object");
  }

  // The service binds names case-insensitively; the last spelling wins, as with .NET binders.
  const fields = new Map<string, unknown>();
  for (const [name, value] of Object.entries(parsed)) fields.set(name.toLowerCase(), value);

  const keys = fields.get("contactkeys");
  if (keys === undefined || keys === null) return refuse(10002, "ContactKeys: required field is missing");
  if (!Array.isArray(keys)) return refuse(10001, "ContactKeys: invalid data type: expected an array of strings");
  // Before the per-key loop, so an oversized request is refused without reading its keys.
  if (keys.length > maxKeys) {
    return refuse(10005, `ContactKeys: invalid value: at most ${maxKeys} contact keys per request, got ${keys.length}`);
  }
  if (keys.length === 0) return refuse(10005, "ContactKeys: invalid value: at least one contact key is required");
  for (const [index, key] of keys.entries()) {
    if (typeof key !== "string") {
      return refuse(
        10001,
        `ContactKeys[${index}]: invalid data type: expected a string, got ${key === null ? "null" : typeof key}`,
      );
    }
    if (key.length === 0 || key.length > MAX_CONTACT_KEY_LENGTH) {
      return refuse(
        10005,
        `ContactKeys[${index}]: invalid value: a contact key is 1 to ${MAX_CONTACT_KEY_LENGTH} characters, got ${key.length}`,
      );
    }
  }

  const contactKeys = keys as string[];
  const call: EstablishCall = {
    contactKeys,
    contactType: 0,
    returnResults: true,
    correlateResponseItem: true,
    includeNewContactAwareness: true,
    // A copy of the keys: a caller that changes one array does not change the other.
    body: { ContactKeys: [...contactKeys] },
  };

  const type = fields.get("contacttype");
  if (type === null) return refuseNull("ContactType");
  if (type !== undefined) {
    const contactType = readContactType(type, options.contactTypes === "any");
    if (typeof contactType !== "number") return contactType;
    call.contactType = contactType;
    call.body.ContactType = contactType;
  }

  for (const [lower, [name, pascal]] of Object.entries(FLAGS) as Array<
    [keyof typeof FLAGS, (typeof FLAGS)[keyof typeof FLAGS]]
  >) {
    const raw = fields.get(lower);
    if (raw === null) return refuseNull(pascal);
    if (raw === undefined) continue;
    const flag = readFlag(raw, pascal);
    if (typeof flag !== "boolean") return flag;
    call[name] = flag;
    call.body[pascal] = flag;
  }
  return call;
}

/**
 * Whether a parse result is a refusal.
 *
 * @example
 * ```ts
 * const result = parseEstablishRequest("application/json", text);
 * if (isRefusal(result)) console.log(result.status, result.body.errorcode);
 * else console.log(result.contactKeys.length);
 * ```
 */
export function isRefusal(result: EstablishCall | EstablishRefusal): result is EstablishRefusal {
  return "status" in result;
}
