/**
 * Reads a Content-Type header the way the service does: only the media type counts, in any case,
 * parameters (`charset`) ignored.
 */

/**
 * The media type of a Content-Type header: lower-cased, without parameters or spaces; `""` for no
 * header.
 *
 * @example
 * ```ts
 * mediaType("Application/JSON; charset=utf-8"); // "application/json"
 * mediaType(null); // ""
 * ```
 */
export function mediaType(contentType: string | null): string {
  if (contentType === null || contentType === undefined) return "";
  // The part before the first ";", without an array of the parts (the proxy asks three times a request).
  const end = contentType.indexOf(";");
  return (end < 0 ? contentType : contentType.slice(0, end)).trim().toLowerCase();
}

/**
 * Whether a Content-Type header names JSON (`application/json`, with or without parameters, or an
 * `application/…+json` type). The service answers 415 to anything else.
 *
 * @example
 * ```ts
 * isJsonContentType("application/json; charset=utf-8"); // true
 * isJsonContentType("application/merge-patch+json"); // true
 * isJsonContentType("text/plain"); // false
 * ```
 */
export function isJsonContentType(contentType: string | null): boolean {
  const type = mediaType(contentType);
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}
