import type { EstablishTransport } from "@sfmc-contacts/core";
import { Agent, request } from "undici";

/**
 * The fast path for Node: undici's `request` on a keep-alive agent. It skips the `Request` and
 * body-stream objects that `fetch` builds for every call, which is most of fetch's cost in bulk
 * work, and keeps the spec's types at both ends (a typed body in, the answer's text out).
 * @internal
 */
export function undiciTransport(agent: Agent): EstablishTransport {
  return async ({ baseUrl, body, headers, signal }) => {
    const response = await request(`${baseUrl}/contacts/v1/establish`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
      signal,
      dispatcher: agent,
    });
    const text = await response.body.text();
    return {
      status: response.statusCode,
      header: (name) => {
        const value = response.headers[name.toLowerCase()];
        return Array.isArray(value) ? value.join(", ") : (value ?? null);
      },
      text,
    };
  };
}

/** A keep-alive agent for one client. @internal */
export function createAgent(): Agent {
  return new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 128 });
}
