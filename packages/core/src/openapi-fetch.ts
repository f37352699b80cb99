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
import type { EstablishTransport } from "./transport.js";

type CreateClient = typeof openapiFetch.default;
// openapi-fetch's CommonJS build puts createClient on `exports.default`; our CommonJS build loads
// it with Node's interop, which wraps that object once more. Unwrap either way.
const wrapped = openapiFetch.default as CreateClient | { default: CreateClient };
const createClient: CreateClient = typeof wrapped === "function" ? wrapped : wrapped.default;

/**
 * openapi-fetch's `createClient`, typed with the spec's `paths`, from ESM and CommonJS alike.
 *
 * @example
 * ```ts
 * const raw = createSpecClient({ baseUrl: "https://YOUR_SUBDOMAIN.rest.marketingcloudapis.com" });
 * ```
 */
export function createSpecClient(options: ClientOptions): Client<paths> {
  return createClient<paths>(options);
}

/**
 * The default transport: the typed openapi-fetch client, so its middleware sees every request.
 *
 * @example
 * ```ts
 * const transport = openapiFetchTransport(createClient<paths>({ baseUrl }));
 * ```
 */
export function openapiFetchTransport(client: Client<paths>): EstablishTransport {
  return async ({ baseUrl, body, headers, signal }) => {
    const { response, data, error } = await client.POST("/contacts/v1/establish", {
      baseUrl,
      body,
      headers,
      ...(signal && { signal }),
      parseAs: "text",
    });
    // openapi-fetch parses error bodies as JSON when it can; the pipeline wants the text.
    const text = response.ok ? (data ?? "") : typeof error === "string" ? error : JSON.stringify(error);
    return { status: response.status, header: (name) => response.headers.get(name), text };
  };
}
