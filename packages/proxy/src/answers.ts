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

/**
 * An answer before it becomes a `Response`: the steps build these, the Fetch handler turns one into
 * a `Response`, and `toNodeListener` writes one straight to `node:http` (no web streams either way
 * until a `Response` is asked for). Header names are lower case.
 */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  /** JSON text, or null for an answer without a body (204). */
  body: string | null;
}

/** Headers of an answer: `extra` (CORS, `Allow`, `Retry-After`), then the common ones. */
export function answerHeaders(extra: Record<string, string> | undefined, json: boolean): Record<string, string> {
  return json ? { ...extra, ...COMMON_HEADERS, "content-type": JSON_TYPE } : { ...extra, ...COMMON_HEADERS };
}

/** An answer whose body is JSON text as given (Marketing Cloud's, passed on byte for byte). */
export function jsonTextAnswer(status: number, text: string, extra?: Record<string, string>): Answer {
  return { status, headers: answerHeaders(extra, true), body: text };
}

/** An answer with a Marketing Cloud error body. */
export function errorAnswer(status: number, body: MarketingCloudError, extra?: Record<string, string>): Answer {
  return jsonTextAnswer(status, JSON.stringify(body), extra);
}

/** The proxy's own refusal: errorcode 0 and a message that says what is wrong. */
export function proxyRefusal(status: number, message: string, extra?: Record<string, string>): Answer {
  return errorAnswer(status, marketingCloudError(0, message), extra);
}

/** An answer without a body (204). */
export function emptyAnswer(status: number, extra?: Record<string, string>): Answer {
  return { status, headers: answerHeaders(extra, false), body: null };
}

/** The answer as a Fetch `Response`. */
export function toResponse(answer: Answer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}
