/**
 * Reads an establish request the way the service does: JSON only, field names bound
 * case-insensitively (PascalCase from the product page, camelCase from the reference), flags as
 * booleans or their strings, and Marketing Cloud's error codes for what it rejects.
 */
import type { MarketingCloudError } from "@sfmc-contacts/types";
import { marketingCloudError } from "./factories.js";
import { isJsonContentType } from "./request-body.js";

/** A request the service accepts, with every default applied. */
export interface EstablishCall {
  contactKeys: string[];
  contactType: number;
  returnResults: boolean;
  correlateResponseItem: boolean;
  includeNewContactAwareness: boolean;
}

/** Why the service refuses a request: the status and the body it answers with. */
export interface EstablishRefusal {
  status: 400 | 415;
  body: MarketingCloudError;
}

/**
 * The longest contact key the service takes, in UTF-16 code units: the service is .NET, and the
 * mock counts as it does, with `string.length` (127 emoji fit, 128 do not).
 */
export const MAX_CONTACT_KEY_LENGTH = 254;

const FLAGS = {
  returnresults: "returnResults",
  correlateresponseitem: "correlateResponseItem",
  includenewcontactawareness: "includeNewContactAwareness",
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
function readContactType(value: unknown): number | EstablishRefusal {
  if (value === 0 || (typeof value === "string" && value.toLowerCase() === "default")) return 0;
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

/**
 * Parses an establish body, or says how the service refuses it.
 *
 * - not JSON, or JSON that is not an object: 400, errorcode 10004;
 * - `ContactKeys` missing: 10002; of the wrong type: 10001;
 * - `ContactKeys` empty, or a key empty or over 254 characters (UTF-16 code units, as .NET counts): 10005;
 * - a flag that is neither a boolean nor `"true"` / `"false"` (any case), a `ContactType` that is
 *   neither an integer nor a string, or any optional field sent as `null`: 10001;
 * - a `ContactType` other than `0` or `"Default"` (any case): 10005.
 */
export function parseEstablishRequest(contentType: string | null, text: string): EstablishCall | EstablishRefusal {
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

  const call: EstablishCall = {
    contactKeys: keys as string[],
    contactType: 0,
    returnResults: true,
    correlateResponseItem: true,
    includeNewContactAwareness: true,
  };

  const type = fields.get("contacttype");
  if (type === null) return refuseNull("ContactType");
  if (type !== undefined) {
    const contactType = readContactType(type);
    if (typeof contactType !== "number") return contactType;
    call.contactType = contactType;
  }

  for (const [lower, name] of Object.entries(FLAGS) as Array<
    [keyof typeof FLAGS, (typeof FLAGS)[keyof typeof FLAGS]]
  >) {
    const raw = fields.get(lower);
    const pascal = name.charAt(0).toUpperCase() + name.slice(1);
    if (raw === null) return refuseNull(pascal);
    if (raw === undefined) continue;
    const flag = readFlag(raw, pascal);
    if (typeof flag !== "boolean") return flag;
    call[name] = flag;
  }
  return call;
}

/** Whether a parse result is a refusal. */
export function isRefusal(result: EstablishCall | EstablishRefusal): result is EstablishRefusal {
  return "status" in result;
}
