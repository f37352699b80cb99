/**
 * A tiny, typed browser client for Salesforce Marketing Cloud's `POST /contacts/v1/establish`.
 * It holds no secrets: give it a token from your own backend, or point it at your proxy, which
 * adds the token. `raw` is the typed openapi-fetch client, loaded on first use.
 *
 * @example
 * ```ts
 * import { createContactsClient } from "@sfmc-contacts/client-browser";
 *
 * const client = createContactsClient({ baseUrl: "/api/sfmc" });
 * const { contacts, failures } = await client.establish(["Key1", "Key2"]);
 * ```
 *
 * @packageDocumentation
 */
import {
  type ClientOptions,
  type ContactsClient,
  ContactsValidationError,
  createContactsCore,
  type EstablishTransport,
} from "@sfmc-contacts/core";
import { fetchTransport } from "@sfmc-contacts/core/internal";
import type { Middleware } from "openapi-fetch";
import { lazyClient } from "./lazy-raw.js";

export * from "@sfmc-contacts/core";

/**
 * Options of the browser client. There is no client-secret option: a browser must never hold one.
 *
 * @example
 * ```ts
 * const options: BrowserClientOptions = {
 *   baseUrl: "https://YOUR_SUBDOMAIN.rest.marketingcloudapis.com",
 *   accessToken: () => fetch("/api/sfmc-token").then((r) => r.text()),
 * };
 * ```
 */
export interface BrowserClientOptions extends ClientOptions {
  /**
   * The tenant's REST base URL, or your proxy's: an `https://` URL, `http://` only to localhost or
   * loopback (127.x, [::1]), or a path such as `/api/sfmc`, resolved against the page's `location`
   * at creation (so a relative base needs a page: jsdom and happy-dom count). `//host` and
   * backslashes are refused: they would reach another origin.
   */
  baseUrl: string;
  /**
   * A token from your backend: a string, or a function called before each request (cache in it
   * as you like). After a 401 the function is called again, once. Leave it out when a proxy adds
   * the token.
   */
  accessToken?: string | (() => string | Promise<string>);
  /** The fetch to use. Default: the page's `fetch`, looked up at each request. */
  fetch?: (request: Request) => Promise<Response>;
  /** openapi-fetch middleware, applied to every request, `raw` ones included (loads openapi-fetch). */
  middleware?: Middleware[];
}

/**
 * Creates the browser client.
 *
 * @example
 * ```ts
 * const client = createContactsClient({ baseUrl: "/api/sfmc", timeoutMs: 10_000 });
 * const result = await client.establish(["Key1"]);
 * ```
 */
export function createContactsClient(options: BrowserClientOptions): ContactsClient {
  const { accessToken, baseUrl: base, middleware = [], maxResponseBytes, timeoutMs } = options;
  const baseUrl = resolveBase(base);
  const authorization = async () => {
    const token = typeof accessToken === "function" ? await accessToken() : accessToken;
    return token && `Bearer ${token}`;
  };
  // The token goes on every raw request too (ahead of the middleware), unless it has its own.
  // Without `fetch` (undefined: the cast only says so to exactOptionalPropertyTypes), the spec
  // client looks the global fetch up at each request.
  const send = options.fetch as (request: Request) => Promise<Response>;
  const raw = lazyClient({ baseUrl, fetch: send, maxResponseBytes, timeoutMs, authorization }, middleware);
  // Without middleware, establish needs none of openapi-fetch: a plain fetch of the spec's body,
  // the one core's Node client uses too. A redirect is never followed: the pipeline refuses its
  // 3xx, or a Chromium's opaque redirect (0).
  const transport: EstablishTransport = middleware.length
    ? async (request) => (await import("@sfmc-contacts/core/openapi-fetch")).openapiFetchTransport(raw)(request)
    : fetchTransport(send);
  return createContactsCore({
    ...options,
    raw,
    transport,
    auth: {
      credentials: async () => ({ baseUrl, authorization: await authorization() }),
      ...(typeof accessToken === "function" && { renew: () => true }),
    },
  });
}

/**
 * Checks the base URL and makes it absolute. An absolute URL must be https, or http to localhost
 * or loopback (plain http elsewhere would expose the token). A relative one must be a /path that
 * stays on the page's origin: `//host` and `/\\host` (which URL parsers read as another host) are
 * refused, and so is any relative base when there is no page `location` to resolve it against.
 */
function resolveBase(base: string): string {
  const page = globalThis.location;
  let url: URL | undefined;
  try {
    url = new URL(base, page?.href);
  } catch {}
  if (
    !url ||
    !(/^https?:\/\//i.test(base)
      ? url.protocol === "https:" || /^(localhost|127(\.\d+){3}|\[::1\])$/.test(url.hostname)
      : base[0] === "/" && url.origin === page.origin)
  ) {
    throw new ContactsValidationError(
      `baseUrl must be https (http only to loopback) or a /path on this page's origin, got ${base}`,
      { reason: "baseUrl" },
    );
  }
  return url.href.replace(/\/+$/, "");
}
