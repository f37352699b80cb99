/**
 * The proxy's own answers: always JSON in Marketing Cloud's error shape, so the browser client
 * reads `message` and `errorcode` from a proxy refusal exactly as from the service's own, and never
 * cached or sniffed (an answer is per caller, and its body is data, not a page).
 */
import { marketingCloudError } from "@sfmc-contacts/rules";
import type { MarketingCloudError } from "@sfmc-contacts/types";

/** Headers on every answer the proxy sends, its own and Marketing Cloud's passed back. */
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
};

/** Why a body that another middleware read first is refused (the proxy can check and cap only what it reads). */
export const BODY_ALREADY_READ =
  "the request body was already read by another middleware: mount the proxy before body parsers (express.json() and the like)";

const JSON_TYPE = "application/json; charset=utf-8";

/** Headers of an answer: the common ones, then `extra` (CORS, `Allow`, `Retry-After`). */
export function answerHeaders(extra: HeadersInit | undefined, json: boolean): Headers {
  const headers = new Headers(extra);
  for (const [name, value] of Object.entries(COMMON_HEADERS)) headers.set(name, value);
  if (json) headers.set("content-type", JSON_TYPE);
  return headers;
}

/** An answer whose body is JSON text as given (Marketing Cloud's, passed on byte for byte). */
export function jsonTextAnswer(status: number, text: string, extra?: HeadersInit): Response {
  return new Response(text, { status, headers: answerHeaders(extra, true) });
}

/** An answer with a Marketing Cloud error body. */
export function errorAnswer(status: number, body: MarketingCloudError, extra?: HeadersInit): Response {
  return jsonTextAnswer(status, JSON.stringify(body), extra);
}

/** The proxy's own refusal: errorcode 0 and a message that says what is wrong. */
export function proxyRefusal(status: number, message: string, extra?: HeadersInit): Response {
  return errorAnswer(status, marketingCloudError(0, message), extra);
}

/** An answer without a body (204). */
export function emptyAnswer(status: number, extra?: HeadersInit): Response {
  return new Response(null, { status, headers: answerHeaders(extra, false) });
}
