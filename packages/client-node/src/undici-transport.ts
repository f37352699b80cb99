import type { EstablishTransport } from "@sfmc-contacts/core";
import { Agent, request as undiciRequest } from "undici";

/**
 * The fast path for Node: undici's `request` on a keep-alive agent. It skips the `Request` and
 * body-stream objects that `fetch` builds for every call, which is most of fetch's cost in bulk
 * work, and keeps the spec's types at both ends (a typed body in, the answer's text out).
 * @internal
 */
export function undiciTransport(agent: Agent): EstablishTransport {
  return async ({ baseUrl, body, headers, signal }) => {
    const response = await undiciRequest(`${baseUrl}/contacts/v1/establish`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
      ...(signal && { signal }),
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

/**
 * A `fetch` over the same keep-alive agent, for the token route and `raw` when the client uses
 * undici: every socket of the client is then the agent's, and `close()` closes them all.
 * @internal
 */
export function agentFetch(agent: Agent): (request: Request) => Promise<Response> {
  return async (request) => {
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const response = await undiciRequest(request.url, {
      method: request.method as "POST",
      headers: Object.fromEntries(request.headers.entries()),
      ...(body ? { body } : {}),
      signal: request.signal,
      dispatcher: agent,
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const bytes = await response.body.arrayBuffer();
    const empty = response.statusCode === 204 || response.statusCode === 304;
    return new Response(empty ? null : bytes, { status: response.statusCode, headers });
  };
}
