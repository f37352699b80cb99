/**
 * Reads the bodies the mock's routes receive, JSON or form-encoded, and redacts the secrets of a
 * request for the `requests` log. The token route and the establish route's token check read a
 * body here, and the msw handlers and the loopback HTTP server both record through
 * {@link redactRequest}: one place decides what a secret looks like.
 */
import { isJsonContentType, mediaType } from "@sfmc-contacts/rules";

/** What the mock writes in place of a secret. */
export const REDACTED = "[redacted]";

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

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Redaction for the `requests` log. A body is redacted by every reading, not by the content type
// it declares (apps mislabel bodies: curl -d labels JSON as a form, FormData sends multipart, a
// hand-built form percent-encodes a name): the secrets every reading finds are collected, named
// fields are redacted where a structure holds them, names in text are found in any encoding, and
// the collected values are then replaced wherever else they appear in the record.
// ---------------------------------------------------------------------------------------------

/**
 * A name as an app may have encoded it, decoded: percent-encoding (twice, for a name encoded
 * once more by a proxy), `+` for a space, JSON's `\uXXXX` and other backslash escapes.
 */
function decodeName(name: string): string {
  let out = name;
  for (let pass = 0; pass < 3; pass++) {
    const next = out
      .replace(/\\u([0-9A-Fa-f]{4})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
      .replace(/\\x([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
      .replace(/\\([^ux])/g, "$1")
      .replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
      .replace(/\+/g, " ");
    if (next === out) break;
    out = next;
  }
  return out;
}

/**
 * Whether a field, parameter or header name holds a secret: `client_secret` or `access_token`,
 * in any case, spelled with `_`, `-`, a space or nothing between the words (`clientSecret`), in
 * any encoding (`client%5Fsecret`, `"client\u005fsecret"`), or as the last part of a longer name
 * (`creds[client_secret]`, `x-access-token`).
 */
export function isSecretName(name: string): boolean {
  const squashed = decodeName(name)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
  return squashed.endsWith("clientsecret") || squashed.endsWith("accesstoken");
}

// One token of a text: a double- or single-quoted string, or a run of name characters (letters,
// digits, `_ . - + [ ] /`, percent-escapes, backslash escapes), each maybe followed by a `:` or
// `=` separator. Every alternative consumes whole tokens, so the scan is linear in the text.
const NAME_RUN = String.raw`(?:[A-Za-z0-9_.+\-\[\]/]|%[0-9A-Fa-f]{2}|\\u[0-9A-Fa-f]{4}|\\[^\r\n])+`;
const TOKEN = new RegExp(
  String.raw`"((?:[^"\\\r\n]|\\.)*)"(\s*[:=]\s*)?|'((?:[^'\\\r\n]|\\.)*)'(\s*[:=]\s*)?|(${NAME_RUN})(\s*[:=]\s*)?`,
  "g",
);
// Where an unquoted value ends: the next pair's separator in a form (`&`, `;`), a list or object
// end, or the end of the line. Spaces are kept in the value: redacting too much is harmless.
const UNQUOTED_VALUE_END = /[&;,\r\n}\]]/g;

/** Where the value that starts at `start` ends (exclusive), and where scanning goes on. */
function valueEnd(text: string, start: number): { end: number; next: number } {
  for (const quote of ['\\"', "\\'", '"', "'"]) {
    if (!text.startsWith(quote, start)) continue;
    const from = start + quote.length;
    let at = from;
    // A quoted value: up to its closing quote (not an escaped one), or the end of the text.
    while (at < text.length) {
      const found = text.indexOf(quote, at);
      if (found < 0) return { end: text.length, next: text.length };
      if (quote.length === 1 && text[found - 1] === "\\") {
        let slashes = 0;
        for (let i = found - 1; i >= from && text[i] === "\\"; i--) slashes++;
        if (slashes % 2 === 1) {
          at = found + 1;
          continue;
        }
      }
      return { end: found, next: found + quote.length };
    }
    return { end: text.length, next: text.length };
  }
  UNQUOTED_VALUE_END.lastIndex = start;
  const found = UNQUOTED_VALUE_END.exec(text);
  const end = found ? found.index : text.length;
  return { end, next: end };
}

// A multipart part's header line that names the part: `Content-Disposition: form-data; name="…"`.
const PART_NAME = /content-disposition:[^\r\n]*?\bname\*?\s*=\s*(?:"((?:[^"\\\r\n]|\\.)*)"|([^;\s]+))[^\r\n]*/gi;

/** The value spans `[start, end)` of the secrets of multipart parts named as secrets. */
function multipartSecrets(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  PART_NAME.lastIndex = 0;
  for (let match = PART_NAME.exec(text); match; match = PART_NAME.exec(text)) {
    if (!isSecretName(match[1] ?? match[2] ?? "")) continue;
    const blank = /\r?\n\r?\n/g;
    blank.lastIndex = match.index + match[0].length;
    const gap = blank.exec(text);
    const start = gap ? gap.index + gap[0].length : text.length;
    const boundary = text.indexOf("\n--", start);
    const end = boundary < 0 ? text.length : text[boundary - 1] === "\r" ? boundary - 1 : boundary;
    spans.push([start, Math.max(start, end)]);
    PART_NAME.lastIndex = Math.max(PART_NAME.lastIndex, end);
  }
  return spans;
}

/**
 * Finds the secrets a text names, whatever its form: `name=value` and `name: value` pairs
 * (separated by `&`, `;`, `,` or lines), JSON or single-quoted members, a name in any case and
 * encoding (see {@link isSecretName}), a JSON string inside a string (`\"client_secret\":\"…\"`),
 * and multipart parts. Returns each value's span.
 */
function secretSpans(text: string): Array<[number, number]> {
  const spans = multipartSecrets(text);
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(text); match; match = TOKEN.exec(text)) {
    if (match[0].length === 0) {
      TOKEN.lastIndex++;
      continue;
    }
    const separator = match[2] ?? match[4] ?? match[6];
    const name = match[1] ?? match[3] ?? match[5] ?? "";
    if (separator === undefined || !isSecretName(name)) continue;
    const start = match.index + match[0].length;
    const { end, next } = valueEnd(text, start);
    const quoteLength = /^\\?["']/.exec(text.slice(start, start + 2))?.[0].length ?? 0;
    spans.push([start + quoteLength, end]);
    TOKEN.lastIndex = Math.max(next, start);
  }
  return spans;
}

/** A text with the spans replaced by `[redacted]` (overlapping spans merged). */
function replaceSpans(text: string, spans: Array<[number, number]>): string {
  if (spans.length === 0) return text;
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  let out = "";
  let at = 0;
  for (const [start, end] of sorted) {
    if (end < at) continue;
    if (start >= at) {
      out += `${text.slice(at, start)}${REDACTED}`;
    }
    at = Math.max(at, end);
  }
  return out + text.slice(at);
}

/** A text with the values of the secrets it names replaced by `[redacted]`, whatever its form. */
export function redactText(text: string): string {
  return replaceSpans(text, secretSpans(text));
}

/** The values of the secrets a text names (see {@link redactText}). */
function secretsInText(text: string): string[] {
  return secretSpans(text).map(([start, end]) => text.slice(start, end));
}

/**
 * Secrets shorter than this are redacted where they are named, but not searched for elsewhere:
 * a short value ("s") would turn every matching letter of the record into `[redacted]`.
 */
const MIN_SEARCHED_SECRET = 6;

/** The values found under secret names, and where else to look for them. */
class Secrets {
  readonly #values = new Set<string>();
  #pattern: RegExp | null | undefined;

  /** Adds a value found under a secret name, raw or decoded, and its encoded forms. */
  add(value: string): void {
    for (const form of encodings(value)) {
      if (form.length >= MIN_SEARCHED_SECRET && form !== REDACTED) this.#values.add(form);
    }
    this.#pattern = undefined;
  }

  /** A text with the named secrets redacted and every collected value replaced by `[redacted]`. */
  redact(text: string): string {
    const named = redactText(text);
    if (this.#pattern === undefined) {
      const escaped = [...this.#values]
        .sort((a, b) => b.length - a.length)
        .map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
      this.#pattern = escaped.length === 0 ? null : new RegExp(escaped.join("|"), "g");
    }
    return this.#pattern ? named.replace(this.#pattern, REDACTED) : named;
  }
}

/** A value as it may stand in a text: itself, percent-encoded, form-encoded, JSON-escaped, decoded. */
function encodings(value: string): string[] {
  const forms = [value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2)];
  forms.push(JSON.stringify(value).slice(1, -1));
  try {
    forms.push(decodeURIComponent(value.replace(/\+/g, " ")));
  } catch {
    // Not percent-encoded: the raw value is already there.
  }
  return forms;
}

/**
 * A parsed body nested deeper than this is recorded as its (redacted) text: `JSON.stringify` and
 * other recursive readers of the log would overflow the stack on it (V8's at a few thousand levels).
 */
const MAX_RECORDED_DEPTH = 256;

/**
 * Calls `found` with every primitive value under a secret name, at any depth (iteratively: no
 * stack limit); returns how deep the value is nested.
 */
function collectFromJson(root: unknown, found: (value: string) => void): number {
  const stack: Array<{ value: unknown; secret: boolean; depth: number }> = [{ value: root, secret: false, depth: 0 }];
  let deepest = 0;
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { value, secret, depth } = item;
    deepest = Math.max(deepest, depth);
    if (value !== null && typeof value === "object") {
      for (const [name, child] of Object.entries(value)) {
        stack.push({ value: child, secret: secret || (!Array.isArray(value) && isSecretName(name)), depth: depth + 1 });
      }
    } else if (secret && value !== null && value !== undefined) {
      found(String(value));
    }
  }
  return deepest;
}

/** The fields of a form read leniently: `&`, `;` and line breaks separate pairs. */
function collectFromForm(text: string, found: (value: string) => void): void {
  for (const pair of text.split(/[&;\r\n]/)) {
    const at = pair.indexOf("=");
    if (at <= 0 || !isSecretName(pair.slice(0, at))) continue;
    found(pair.slice(at + 1));
  }
}

/** The values of multipart parts named as secrets, read by fetch's own parser (with the declared or the first-line boundary). */
async function collectFromMultipart(contentType: string | null, text: string, found: (value: string) => void) {
  const sniffed = /^--([^\r\n]{1,70})\r?\n/.exec(text)?.[1];
  const types = new Set<string>();
  if (mediaType(contentType) === "multipart/form-data" && contentType) types.add(contentType);
  if (sniffed) types.add(`multipart/form-data; boundary=${JSON.stringify(sniffed)}`);
  for (const type of types) {
    try {
      const form = await new Response(text, { headers: { "content-type": type } }).formData();
      form.forEach((value, name) => {
        if (typeof value === "string" && isSecretName(name)) found(value);
      });
    } catch {
      // Not multipart after all: the text scan still finds a named part.
    }
  }
}

/**
 * A parsed value with every field under a secret name replaced by `[redacted]` (at any depth),
 * and every other string (and key) redacted as text. Iterative, so a deeply nested body cannot
 * overflow the stack.
 */
function redactValue(root: unknown, secrets: Secrets): unknown {
  const stack: Array<[object, Record<string, unknown>]> = [];
  const copy = (value: unknown): unknown => {
    if (typeof value === "string") return secrets.redact(value);
    if (value === null || typeof value !== "object") return value;
    const out: unknown = Array.isArray(value) ? [] : {};
    stack.push([value, out as Record<string, unknown>]);
    return out;
  };
  const result = copy(root);
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [source, target] = item;
    const isArray = Array.isArray(source);
    for (const [name, value] of Object.entries(source)) {
      const secret = !isArray && isSecretName(name);
      const key = isArray || secret ? name : secrets.redact(name);
      // defineProperty: a "__proto__" key from JSON stays a plain field.
      Object.defineProperty(target, key, {
        value: secret ? REDACTED : copy(value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return result;
}

// Headers whose value is a credential: the scheme is kept (`Bearer [redacted]`), the rest is not.
const CREDENTIAL_HEADERS = new Set(["authorization", "proxy-authorization"]);

/** A request as the `requests` log keeps it. */
export interface RedactedRequest {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * A request as the `requests` log keeps it, with every secret redacted: the msw handlers and the
 * loopback HTTP server both record through it.
 *
 * - headers: `authorization` and `proxy-authorization` keep their scheme (`Bearer [redacted]`),
 *   `cookie` and any header named as a secret (`access_token`, `client_secret`, any case) are
 *   `[redacted]`;
 * - the URL: the value of a query parameter named as a secret is `[redacted]`;
 * - the body: the fields of a form-encoded body as an object, parsed JSON (whatever the content
 *   type said) unless it is nested more than 256 levels deep, else the text. Fields named as secrets are `[redacted]` at any depth, in every
 *   reading of the text (form, JSON, multipart, `name: value` text), names compared in any case
 *   and encoding;
 * - and every value found under a secret name anywhere in the request (and the credential of the
 *   `Authorization` header) is replaced wherever else it appears, when it is 6 characters or longer.
 */
export async function redactRequest(request: Request, text: string): Promise<RedactedRequest> {
  const contentType = request.headers.get("content-type");
  const secrets = new Secrets();
  const found = (value: string) => secrets.add(value);

  // Collect: what every reading of every part of the request names as a secret.
  request.headers.forEach((value, name) => {
    if (CREDENTIAL_HEADERS.has(name)) found(value.replace(/^\S+\s+/, ""));
    else if (isSecretName(name)) found(value);
    else if (name === "cookie") collectFromForm(value, found);
    else for (const secret of secretsInText(value)) found(secret);
  });
  const query = request.url.indexOf("?");
  if (query >= 0) {
    const search = request.url.slice(query + 1);
    collectFromForm(search, found);
    for (const secret of secretsInText(search)) found(secret);
  }
  collectFromForm(text, found);
  for (const secret of secretsInText(text)) found(secret);
  let json: { value: unknown } | undefined;
  try {
    json = { value: JSON.parse(text) as unknown };
  } catch {
    json = undefined;
  }
  if (json && collectFromJson(json.value, found) > MAX_RECORDED_DEPTH) json = undefined;
  await collectFromMultipart(contentType, text, found);

  // Record: each part redacted.
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    if (CREDENTIAL_HEADERS.has(name)) {
      headers[name] = /\s/.test(value) ? value.replace(/^(\S+\s+).*$/s, `$1${REDACTED}`) : REDACTED;
    } else if (name === "cookie" || isSecretName(name)) headers[name] = REDACTED;
    else headers[name] = secrets.redact(value);
  });
  const url = secrets.redact(request.url);
  let body: unknown;
  if (isFormContentType(contentType)) body = redactValue(parseForm(text), secrets);
  else if (json) body = redactValue(json.value, secrets);
  else body = secrets.redact(text);
  return { url, headers, body };
}
