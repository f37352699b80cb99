/**
 * Reads the bodies the mock's routes receive, JSON or form-encoded, and redacts the secrets in
 * them. The token route, the establish route's token check and the `requests` log all read a body
 * here, so no body form the routes accept can reach the log with its secret.
 */

/** What the mock writes in place of a secret. */
export const REDACTED = "[redacted]";

/** Field and parameter names that hold a secret, compared in lower case. */
const SECRET_NAMES = new Set(["client_secret", "access_token"]);

/** The fields of a form-encoded body; a field sent more than once keeps every value, in order. */
export type FormFields = Record<string, string | string[]>;

/**
 * A body read the way its content type says:
 * - `json`: `application/json` (or `+json`) that parses;
 * - `malformed-json`: a JSON content type whose text does not parse;
 * - `form`: `application/x-www-form-urlencoded`;
 * - `other`: any other content type, or none.
 */
export type RequestBody =
  | { kind: "json"; value: unknown }
  | { kind: "malformed-json"; text: string }
  | { kind: "form"; fields: FormFields }
  | { kind: "other"; contentType: string | null; text: string };

const mediaType = (contentType: string | null): string => contentType?.split(";")[0]?.trim().toLowerCase() ?? "";

/** Whether a Content-Type header names JSON (`application/json`, with or without parameters, or `+json`). */
export function isJsonContentType(contentType: string | null): boolean {
  const type = mediaType(contentType);
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

/** Whether a Content-Type header names a form (`application/x-www-form-urlencoded`). */
export function isFormContentType(contentType: string | null): boolean {
  return mediaType(contentType) === "application/x-www-form-urlencoded";
}

/** The fields of a form-encoded text. */
export function parseForm(text: string): FormFields {
  const fields: FormFields = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const seen = fields[name];
    fields[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return fields;
}

/** Reads a body by its content type. */
export function readBody(contentType: string | null, text: string): RequestBody {
  if (isFormContentType(contentType)) return { kind: "form", fields: parseForm(text) };
  if (!isJsonContentType(contentType)) return { kind: "other", contentType, text };
  try {
    return { kind: "json", value: JSON.parse(text) as unknown };
  } catch {
    return { kind: "malformed-json", text };
  }
}

/** The top-level fields of a body, when it has any (a JSON object, or a form). */
export function bodyFields(body: RequestBody): Record<string, unknown> | undefined {
  if (body.kind === "form") return body.fields;
  if (body.kind === "json" && isPlainObject(body.value)) return body.value;
  return undefined;
}

/** Whether a field or parameter name holds a secret (`client_secret`, `access_token`, in any case). */
export function isSecretName(name: string): boolean {
  return SECRET_NAMES.has(name.toLowerCase());
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function redactFields<T extends Record<string, unknown>>(fields: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) out[name] = isSecretName(name) ? REDACTED : value;
  return out as T;
}

// In text that does not parse: `"client_secret": "..."` (the closing quote may be missing) and
// `client_secret=...` (up to the next `&` or white space), names in any case.
const JSON_SECRET = /("(?:client_secret|access_token)"\s*:\s*")(?:[^"\\]|\\.)*("|$)/gi;
const FORM_SECRET = /((?:^|[&?\s])(?:client_secret|access_token)=)[^&\s]*/gi;

/** A text with the values of its secrets replaced, whatever its form. */
export function redactText(text: string): string {
  return text.replace(JSON_SECRET, `$1${REDACTED}$2`).replace(FORM_SECRET, `$1${REDACTED}`);
}

/**
 * A body as the `requests` log keeps it, with every secret field redacted: a form's fields as an
 * object, parsed JSON (whatever the content type said, so an app's mislabelled JSON still reads as
 * JSON), else the text.
 */
export function recordedBody(contentType: string | null, text: string): unknown {
  if (isFormContentType(contentType)) return redactFields(parseForm(text));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return redactText(text);
  }
  return isPlainObject(value) ? redactFields(value) : value;
}

/**
 * A URL with the values of its secret query parameters (`access_token`, in any case) replaced by
 * `[redacted]`; every other byte of the query stays as sent.
 */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.search.length < 2) return url;
  let redacted = false;
  const segments = parsed.search
    .slice(1)
    .split("&")
    .map((segment) => {
      const at = segment.indexOf("=");
      const rawName = at < 0 ? segment : segment.slice(0, at);
      if (!isSecretName(new URLSearchParams(`${rawName}=`).keys().next().value ?? "")) return segment;
      redacted = true;
      return `${rawName}=${REDACTED}`;
    });
  if (!redacted) return url;
  parsed.search = segments.join("&");
  return parsed.href;
}
