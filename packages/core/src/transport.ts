import type { EstablishContactsRequestPascalCase } from "@sfmc-contacts/types";

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
  /**
   * The body, in the product page's PascalCase names: the clients always send these (the spec also
   * types the reference schema's camelCase names, which the clients never send).
   */
  body: EstablishContactsRequestPascalCase;
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

/**
 * The default of `maxResponseBytes`: 16 MiB.
 *
 * @internal
 * @example
 * ```ts
 * createSpecClient({ baseUrl, maxResponseBytes: options.maxResponseBytes ?? MAX_RESPONSE_BYTES });
 * ```
 */
export const MAX_RESPONSE_BYTES: number = 2 ** 24;

/**
 * Whether a status is a redirect: a 3xx, or a browser's opaque redirect (status 0). No client
 * follows one: it could carry the keys, the token or the client secret to another origin.
 *
 * @internal
 * @example
 * ```ts
 * if (isRedirect(response.status)) await refuseAnswer(response.status);
 * ```
 */
export const isRedirect = (status: number): boolean => !status || (status > 299 && status < 400);

/**
 * Rejects with the error for an answer the clients do not read: a redirect, a status outside
 * 200-599, or, with `max`, a body over `maxResponseBytes` (a `ContactsApiError`, not retried: the same answer would come again).
 * Its code loads on first use.
 *
 * @internal
 * @example
 * ```ts
 * if (received > maxResponseBytes) await refuseAnswer(statusCode, maxResponseBytes);
 * ```
 */
export const refuseAnswer = async (status: number, max?: number): Promise<never> => {
  throw (await import("./failure.js")).answerRefused(status, max);
};

/**
 * Reads an answer's body as a stream, at most `max` bytes: past that it cancels the rest (so the
 * connection stops) and rejects with {@link refuseAnswer}'s error. Reading it ourselves keeps that
 * error: an engine may turn an error inside a stream into its own (Chromium gives a TypeError).
 * The bytes come back as they are, never in a `Blob`: a test environment may replace the global
 * `Blob` (jsdom's has no `stream()`), and the runtime's `Response` cannot read such a body.
 *
 * @internal
 * @example
 * ```ts
 * const text = new TextDecoder().decode(await readCapped(await fetch(request), 16 * 1024 * 1024));
 * ```
 */
export async function readCapped(response: Response, max: number): Promise<Uint8Array<ArrayBuffer>> {
  const reader = response.body?.getReader();
  const chunks: Uint8Array[] = [];
  let seen = 0;
  // biome-ignore lint/suspicious/noAssignInExpressions: the read in the loop's test is the shortest form (the browser download's size budget)
  for (let read: ReadableStreamReadResult<Uint8Array>; reader && !(read = await reader.read()).done; ) {
    seen += read.value.length;
    if (seen > max) {
      void reader.cancel().catch(() => {});
      await refuseAnswer(response.status, max);
    }
    chunks.push(read.value);
  }
  const bytes = new Uint8Array(seen);
  // Filled from the end, so `seen` counts down to each chunk's offset. (Both loops are written
  // short: this code is in the browser client's download, which has a size budget.)
  for (const chunk of chunks.reverse()) {
    seen -= chunk.length;
    bytes.set(chunk, seen);
  }
  return bytes;
}

/**
 * The establish transport without openapi-fetch: one `fetch` of the spec's body with
 * `redirect: "manual"` and the attempt's signal, the answer read under the cap and decoded. With
 * `send` (an app's fetch), one `Request` goes to it; without, the global `fetch` is looked up at
 * each request (so msw, which replaces it, sees every request) and called with the URL and init,
 * which spares building a `Request` of our own: in Node each `Request` (and each `Response`) is a
 * set of web streams, the largest part of a request's cost. The pipeline refuses a redirect (a
 * 3xx, a browser's opaque 0) and any status it does not use.
 *
 * @internal
 * @example
 * ```ts
 * const transport = middleware.length ? openapiFetchTransport(raw) : fetchTransport(options.fetch);
 * ```
 */
export const fetchTransport =
  (send?: (request: Request) => Promise<Response>): EstablishTransport =>
  async ({ baseUrl, body, headers, signal, maxResponseBytes }) => {
    const url = `${baseUrl}/contacts/v1/establish`;
    const init: RequestInit = {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify(body),
      // Absent when undefined (the browser download has a size budget: no `?? null`).
      signal: signal as AbortSignal,
      redirect: "manual",
    };
    const response = await (send ? send(new Request(url, init)) : fetch(url, init));
    return {
      status: response.status,
      header: (name) => response.headers.get(name),
      // TextDecoder, not `new Response(bytes).text()`: the same UTF-8 decoding (BOM dropped,
      // bad bytes replaced), without a Response and its stream (ten times the cost in Node).
      text: new TextDecoder().decode(await readCapped(response, maxResponseBytes)),
    };
  };
