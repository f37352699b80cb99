/**
 * The openapi-fetch transport, as its own entry (`@sfmc-contacts/core/openapi-fetch`) so a
 * bundle loads it only where it is used: the Node client always, the browser client only for
 * middleware.
 *
 * @example
 * ```ts
 * import { openapiFetchTransport } from "@sfmc-contacts/core/openapi-fetch";
 * ```
 *
 * @packageDocumentation
 */
import type { paths } from "@sfmc-contacts/types";
import type { Client, ClientOptions } from "openapi-fetch";
import * as openapiFetch from "openapi-fetch";
import { checkNumber } from "./errors.js";
// Through the entries, so bundles keep one copy of core's code in one chunk.
import { ContactsTimeoutError, ContactsValidationError, type EstablishTransport } from "./index.js";
import { DEFAULT_TIMEOUT_MS, isRedirect, MAX_RESPONSE_BYTES, readCapped, refuseAnswer } from "./internal.js";

/**
 * Where a spec client keeps its sender without its own time limit: the establish transport's
 * requests have the pipeline's per-attempt limit (a call's `timeoutMs` may exceed the client's).
 * A symbol property, so a proxy of the client (the browser's lazily loaded one) forwards it.
 */
const UNTIMED = Symbol("sfmc-contacts.untimed");

type Send = (request: Request, init?: RequestInit) => Promise<Response>;

/** The answer with its body read under the cap (a null body, as of a 204 or an opaque redirect, as is). */
const capped = async (response: Response, max: number) =>
  response.body ? new Response(await readCapped(response, max), response) : response;

type CreateClient = typeof openapiFetch.default;
// openapi-fetch's CommonJS build puts createClient on `exports.default`; our CommonJS build loads
// it with Node's interop, which wraps that object once more. Unwrap either way.
const wrapped = openapiFetch.default as CreateClient | { default: CreateClient };
const createClient: CreateClient = typeof wrapped === "function" ? wrapped : wrapped.default;

/**
 * Options of {@link createSpecClient}: openapi-fetch's, plus the body cap.
 *
 * @example
 * ```ts
 * const options: SpecClientOptions = { baseUrl, maxResponseBytes: 1024 * 1024 };
 * ```
 */
export interface SpecClientOptions extends ClientOptions {
  /** The most bytes of an answer body to read (see `ClientOptions.maxResponseBytes`). Default 16 MiB. */
  maxResponseBytes?: number | undefined;
  /**
   * Time limit of each request, reading the answer included, in ms (see `ClientOptions.timeoutMs`):
   * past it the request is aborted and rejects with a `ContactsTimeoutError`. Default 30 000.
   * The establish transport's requests ({@link openapiFetchTransport}) have the pipeline's instead.
   */
  timeoutMs?: number | undefined;
  /**
   * The `Authorization` header value (e.g. `Bearer ...`) for each request that has none, asked
   * for before every such request, ahead of any middleware; nothing is set when it gives none.
   */
  authorization?: (() => string | undefined | Promise<string | undefined>) | undefined;
}

/**
 * openapi-fetch's `createClient`, typed with the spec's `paths`, from ESM and CommonJS alike, with
 * the rules of every client: each request goes out with `redirect: "manual"` (whatever mode a
 * caller asks for), a 3xx answer rejects with a `ContactsApiError` (nothing is sent to its
 * `Location`), a body is read (as a stream, at most `maxResponseBytes`, else a
 * `ContactsApiError`) before openapi-fetch and the middleware see the answer, and a path that does
 * not start with `/` is a `ContactsValidationError` before anything is sent.
 *
 * @example
 * ```ts
 * const raw = createSpecClient({ baseUrl: "https://YOUR_SUBDOMAIN.rest.marketingcloudapis.com" });
 * ```
 */
export function createSpecClient(options: SpecClientOptions): Client<paths> {
  const {
    fetch: send,
    maxResponseBytes = MAX_RESPONSE_BYTES,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    authorization,
    ...rest
  } = options;
  checkNumber(maxResponseBytes, "maxResponseBytes", 1, true);
  checkNumber(timeoutMs, "timeoutMs", 1, true, 2 ** 31 - 1);
  // Applied here, after every middleware, so neither a caller's `redirect` nor a middleware's
  // new Request can turn following back on. The global fetch is looked up at each request.
  const untimed = async (request: Request, init?: RequestInit, signal?: AbortSignal) => {
    const manual = new Request(request, { redirect: "manual", signal: signal ?? request.signal });
    const response = await (send ? send(manual) : globalThis.fetch(manual, init));
    const { status } = response;
    // A redirect is never followed; a status outside 200-599 (a server can send one) is no answer
    // a Response can even be copied with: both are refused, not retried.
    return isRedirect(status) || status < 200 || status > 599
      ? refuseAnswer(status)
      : capped(response, maxResponseBytes);
  };
  const client = createClient<paths>({
    ...rest,
    redirect: "manual",
    // Every request has a time limit (the caller's signal still aborts it), reading included.
    // A timer, not AbortSignal.timeout(): Node holds a timeout signal only weakly, and one that is
    // merely a source of AbortSignal.any() can be collected with nothing left to fire it.
    fetch: (async (request: Request, init?: RequestInit) => {
      const limit = new AbortController();
      const timer = setTimeout(() => limit.abort(), timeoutMs);
      try {
        return await untimed(request, init, AbortSignal.any([request.signal, limit.signal]));
      } catch (error) {
        throw limit.signal.aborted ? new ContactsTimeoutError(timeoutMs) : error;
      } finally {
        clearTimeout(timer);
      }
    }) as (request: Request) => Promise<Response>,
  });
  (client as { [UNTIMED]?: Send })[UNTIMED] = untimed;
  client.use({
    // openapi-fetch joins base and path as strings: ".evil.example/x" or ":8443/x" after
    // "https://tenant.rest.marketingcloudapis.com" names another host (or port), and the token
    // would go there. First of all middleware, so nothing (the token included) is asked for.
    onRequest({ schemaPath }) {
      if (schemaPath[0] !== "/") {
        const reason = `path ${JSON.stringify(schemaPath)} must start with "/"`;
        throw new ContactsValidationError(`${reason}; nothing was sent`, { reason });
      }
    },
  });
  if (authorization) {
    client.use({
      async onRequest({ request }) {
        const value = !request.headers.has("authorization") && (await authorization());
        if (value) request.headers.set("authorization", value);
      },
    });
  }
  return client;
}

/**
 * The default transport: the typed openapi-fetch client, so its middleware sees every request.
 * Each request uses `redirect: "manual"` and reads at most the request's `maxResponseBytes`.
 *
 * @example
 * ```ts
 * const transport = openapiFetchTransport(createSpecClient({ baseUrl }));
 * ```
 */
export function openapiFetchTransport(client: Client<paths>): EstablishTransport {
  return async ({ baseUrl, body, headers, signal, maxResponseBytes }) => {
    const { response, data, error } = await client.POST("/contacts/v1/establish", {
      baseUrl,
      body,
      headers,
      ...(signal && { signal }),
      redirect: "manual",
      // The attempt has the pipeline's time limit (its signal), not the spec client's.
      fetch: (client as { [UNTIMED]?: Send })[UNTIMED],
      // Runs first on the answer, before the client's own middleware reads anything.
      middleware: [{ onResponse: ({ response }) => capped(response, maxResponseBytes) }],
      parseAs: "text",
    });
    // openapi-fetch parses error bodies as JSON when it can; the pipeline wants the text.
    const text = response.ok ? (data ?? "") : typeof error === "string" ? error : JSON.stringify(error);
    return { status: response.status, header: (name) => response.headers.get(name), text };
  };
}
