import type { IncomingHttpHeaders } from "node:http";
import { Readable } from "node:stream";
import type { EstablishTransport, TransportReply } from "@sfmc-contacts/core";
import { refuseAnswer } from "@sfmc-contacts/core/internal";
import { Agent, type Dispatcher, request as undiciRequest } from "undici";

/**
 * The fast path for Node: one request on the client's keep-alive agent through undici's
 * `dispatch`, the layer under its `request`. It skips the `Request` and body-stream objects that
 * `fetch` builds for every call, and `request`'s own per-call objects (an async resource, a
 * body stream and its reader): profiled, that is a third of `request`'s cost per call. The spec's
 * types stay at both ends (a typed body in, the answer's text out), and the rules of every
 * transport hold: no redirect is followed (dispatch never does: a 3xx comes back as it is and the
 * pipeline refuses it), the body is counted as it arrives and past `maxResponseBytes` (or at once,
 * when its content-length says so) the request is aborted and the answer refused, and the
 * attempt's signal aborts it at any point, waiting for a connection included.
 * @internal
 */
export function undiciTransport(agent: Agent): EstablishTransport {
  // The last base and its origin and path prefix: a client sends to one base (URL parsing per
  // request is what `request` does, and costs).
  let base = "";
  let origin = "";
  let prefix = "";
  return ({ baseUrl, body, headers, signal, maxResponseBytes }) => {
    if (baseUrl !== base) {
      const url = new URL(`${baseUrl}/contacts/v1/establish`);
      origin = url.origin;
      prefix = url.pathname;
      base = baseUrl;
    }
    return new Promise<TransportReply>((resolve, reject) => {
      let controller: Dispatcher.DispatchController | undefined;
      let status = 0;
      let answered: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      let received = 0;
      const onAbort = () => {
        // Settled now, even while the request waits for a connection; undici stops it then.
        reject(signal?.reason);
        controller?.abort(signal?.reason as Error);
      };
      const settle = (outcome: () => void) => {
        signal?.removeEventListener("abort", onAbort);
        outcome();
      };
      /** Stops reading: the answer is refused (a ContactsApiError, not retried). */
      const refuse = (dispatch: Dispatcher.DispatchController) => {
        // Settled first: the abort calls onResponseError at once.
        settle(() => resolve(refuseAnswer(status, maxResponseBytes)));
        dispatch.abort(new Error("answer over maxResponseBytes"));
      };
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      signal?.addEventListener("abort", onAbort);
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(dispatch) {
          controller = dispatch;
          if (signal?.aborted) dispatch.abort(signal.reason as Error);
        },
        onResponseStart(dispatch, statusCode, responseHeaders) {
          // 1xx answers are not the answer (undici passes them on; `request` skips them too).
          if (statusCode < 200) return;
          status = statusCode;
          answered = responseHeaders;
          if (Number(responseHeaders["content-length"]) > maxResponseBytes) refuse(dispatch);
        },
        onResponseData(dispatch, chunk) {
          received += chunk.length;
          if (received > maxResponseBytes) {
            if (!dispatch.aborted) refuse(dispatch);
          } else chunks.push(chunk);
        },
        onResponseEnd() {
          // Decoded as fetch and undici's text() decode: UTF-8, a BOM dropped.
          const text = decoder.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
          settle(() =>
            resolve({
              status,
              header: (name) => {
                const value = answered[name.toLowerCase()];
                return Array.isArray(value) ? value.join(", ") : (value ?? null);
              },
              text,
            }),
          );
        },
        onResponseError(_dispatch, error) {
          settle(() => reject(error));
        },
      };
      try {
        agent.dispatch(
          {
            origin,
            path: prefix,
            method: "POST",
            // Literals first: V8 copies `{ ...headers, "content-type": x }` ~50 times slower.
            headers: { "content-type": "application/json", accept: "application/json", ...headers },
            body: JSON.stringify(body),
          },
          handler,
        );
      } catch (error) {
        settle(() => reject(error));
      }
    });
  };
}

/** One decoder for every answer: `decode` without `stream` keeps no state between calls. */
const decoder = new TextDecoder();

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
