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
  /** The tenant's REST base URL, or your proxy's (`/api/sfmc` or an absolute URL). */
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
  const { accessToken, baseUrl: base, middleware = [] } = options;
  if (!/^(https?:\/\/[^/]|\/)/.test(base)) {
    throw new ContactsValidationError(`baseUrl must be an http(s) URL or a /path, got ${base}`, {
      reason: "baseUrl",
    });
  }
  const baseUrl = base.replace(/\/+$/, "");
  const send = options.fetch ?? ((request: Request) => fetch(request));
  const authorization = async () => {
    const token = typeof accessToken === "function" ? await accessToken() : accessToken;
    return token && `Bearer ${token}`;
  };
  const raw = lazyClient({ baseUrl, fetch: send }, [
    {
      async onRequest({ request }) {
        const value = !request.headers.has("authorization") && (await authorization());
        if (value) request.headers.set("authorization", value);
      },
    },
    ...middleware,
  ]);
  // Without middleware, establish needs none of openapi-fetch: a plain fetch of the spec's body.
  const transport: EstablishTransport = middleware.length
    ? async (request) => (await import("@sfmc-contacts/core/openapi-fetch")).openapiFetchTransport(raw)(request)
    : async ({ baseUrl, body, headers, signal }) => {
        const response = await send(
          new Request(`${baseUrl}/contacts/v1/establish`, {
            method: "POST",
            headers: { ...headers, "content-type": "application/json" },
            body: JSON.stringify(body),
            signal: signal ?? null,
          }),
        );
        return { status: response.status, header: (name) => response.headers.get(name), text: await response.text() };
      };
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
