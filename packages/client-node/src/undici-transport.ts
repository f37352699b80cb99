import { Readable } from "node:stream";
import type { EstablishTransport } from "@sfmc-contacts/core";
import { refuseAnswer } from "@sfmc-contacts/core/internal";
import { Agent, request as undiciRequest } from "undici";

/**
 * The fast path for Node: undici's `request` on a keep-alive agent. It skips the `Request` and
 * body-stream objects that `fetch` builds for every call, which is most of fetch's cost in bulk
 * work, and keeps the spec's types at both ends (a typed body in, the answer's text out).
 * @internal
 */
export function undiciTransport(agent: Agent): EstablishTransport {
  return async ({ baseUrl, body, headers, signal, maxResponseBytes }) => {
    // undici's request never follows a redirect: a 3xx comes back as it is, and the pipeline
    // refuses it.
    const response = await undiciRequest(`${baseUrl}/contacts/v1/establish`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
      ...(signal && { signal }),
      dispatcher: agent,
    });
    // Read as a stream and stop past the cap (leaving the loop destroys the body and its socket).
    const chunks: Buffer[] = [];
    let received = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > maxResponseBytes) await refuseAnswer(response.statusCode, maxResponseBytes);
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString("utf8");
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
    const status = response.statusCode;
    // A Response cannot hold a status outside 200-599 (it throws a RangeError, which looked like a
    // network error and was retried): such an answer is refused as the spec client refuses it.
    if (status < 200 || status > 599) {
      // Destroying an unread body emits undici's RequestAbortedError: expected here, not a crash.
      response.body.on("error", () => {}).destroy();
      await refuseAnswer(status);
    }
    // Null-body statuses: a Response with a body and one of these throws a TypeError.
    const empty = status === 204 || status === 205 || status === 304;
    if (empty) response.body.resume();
    // A stream, not a buffer: the spec client's body cap (maxResponseBytes) stops reading it.
    return new Response(empty ? null : (Readable.toWeb(response.body) as ReadableStream<Uint8Array>), {
      status,
      headers,
    });
  };
}
