import type { EstablishContactsRequest } from "@sfmc-contacts/types";

/**
 * One establish request, as a transport sends it.
 *
 * @example
 * ```ts
 * const request: TransportRequest = {
 *   baseUrl,
 *   body: { ContactKeys: ["Key1"] },
 *   headers: {},
 *   maxResponseBytes: 16 * 1024 * 1024,
 *   signal,
 * };
 * ```
 */
export interface TransportRequest {
  /** The REST base, e.g. `https://tenant.rest.marketingcloudapis.com` (no trailing slash). */
  baseUrl: string;
  body: EstablishContactsRequest;
  /** Extra headers, e.g. `authorization`. */
  headers: Record<string, string>;
  /**
   * The most bytes of answer body to read. A transport reads the body as a stream and, past this,
   * stops and rejects with a `ContactsApiError` naming `maxResponseBytes`.
   */
  maxResponseBytes: number;
  /** Aborts the request, including reading the answer (absent when nothing can abort it). */
  signal?: AbortSignal | undefined;
}

/**
 * An answer, read to the end.
 *
 * @example
 * ```ts
 * const reply: TransportReply = { status: 200, header: () => null, text: "{}" };
 * ```
 */
export interface TransportReply {
  status: number;
  header(name: string): string | null;
  text: string;
}

/**
 * Sends one establish request and reads the answer. Rejects only when no HTTP answer arrives.
 * The Node client plugs in a faster one (undici) for bulk work; the types stay the spec's.
 *
 * @example
 * ```ts
 * const transport: EstablishTransport = async ({ baseUrl, body, headers, signal }) => {
 *   const response = await fetch(`${baseUrl}/contacts/v1/establish`, {
 *     method: "POST",
 *     headers: { ...headers, "content-type": "application/json" },
 *     body: JSON.stringify(body),
 *     signal,
 *   });
 *   return { status: response.status, header: (n) => response.headers.get(n), text: await response.text() };
 * };
 * ```
 */
export type EstablishTransport = (request: TransportRequest) => Promise<TransportReply>;
