/**
 * The handler: every request goes through the checks of the design's §5 in order, and the first
 * that refuses answers. Header-only checks (route, method, origin, media type, declared size) run
 * before `authorize`, so junk never costs the app a session lookup; the body is read and parsed
 * only for authorised callers; the forwarder, and with it the token, is touched only by a request
 * that passed everything. The handler never rejects: every path ends in a `Response`.
 */
import { createForwarder } from "@sfmc-contacts/client-node/internal";
import { emit } from "@sfmc-contacts/core/internal";
import { isJsonContentType, isRefusal, marketingCloudError, parseEstablishRequest } from "@sfmc-contacts/rules";
import { type Answer, BODY_ALREADY_READ, emptyAnswer, errorAnswer, proxyRefusal, toResponse } from "./answers.js";
import { CALLER_GONE, runAuthorize } from "./authorize.js";
import { answerOptions, corsHeaders, decideOrigin, originRefusalMessage } from "./cors.js";
import type { ProxyEvent, ProxyResponseReason } from "./events.js";
import { type BodyReader, bodyTouched, NODE_ENTRY, type NodeEntry } from "./fast-path.js";
import { type ContactsProxyOptions, resolveOptions } from "./options.js";
import { declaredTooLarge, isEncoded, readCappedText } from "./read-body.js";
import { establishPath, isEstablishRoute, urlParts } from "./route.js";
import { type ForwarderFactory, failureAnswer, LazyForwarder, replyToAnswer } from "./upstream.js";

/**
 * The proxy: a Fetch API handler, `(request: Request) => Promise<Response>`, that never rejects,
 * plus `close()` for the upstream connections.
 *
 * @example
 * ```ts
 * const proxy: ContactsProxy = createContactsProxy({ authorize });
 * const response = await proxy(new Request("https://app.example.com/api/sfmc/contacts/v1/establish", init));
 * await proxy.close();
 * ```
 */
export interface ContactsProxy {
  (request: Request): Promise<Response>;
  /** Closes the upstream keep-alive connections, after the requests in flight. */
  close(): Promise<void>;
}

const PATH_IN_EVENTS = 200;

/**
 * The proxy with its forwarder made by `factory`: the seam the tests use to put a fake upstream
 * in. Apps call {@link createContactsProxy}.
 */
export function createProxyWith<Identity>(
  options: ContactsProxyOptions<Identity>,
  factory: ForwarderFactory,
): ContactsProxy {
  const resolved = resolveOptions(options);
  const { authorize, allowedOrigins, maxBodyBytes, bodyTimeoutMs, maxKeysPerRequest, onEvent } = resolved;
  const path = establishPath(resolved.basePath);
  // core's emit contains a listener that throws or rejects (reported once, never unhandled).
  const report = (event: ProxyEvent<Identity>) => {
    if (onEvent) emit(onEvent, event);
  };
  // Token events belong to no request: they come as `upstream` events without a requestId.
  const forwarder = new LazyForwarder(
    resolved.upstream,
    factory,
    onEvent ? (event) => report({ type: "upstream", event }) : undefined,
  );

  /**
   * The steps, once for both entry points: the Fetch handler (`readBody` undefined: the body is
   * the request's own) and `toNodeListener`'s (the request has no body; `readBody` reads the
   * node request's).
   */
  async function handle(request: Request, readBody: BodyReader | undefined): Promise<Answer> {
    // Events are built only when someone listens: a proxy without onEvent makes none of them.
    const started = onEvent ? Date.now() : 0;
    // Only events carry it: no id is drawn when nobody listens.
    const requestId = onEvent ? crypto.randomUUID() : "";
    // What the response event carries; filled in as the request goes through the steps.
    const known: { identity?: Identity; keys?: number } = {};
    const answer = (response: Answer, reason: ProxyResponseReason, error?: unknown): Answer => {
      if (onEvent)
        report({
          type: "response",
          requestId,
          status: response.status,
          durationMs: Date.now() - started,
          reason,
          ...known,
          ...(error === undefined ? {} : { error: asError(error) }),
        });
      return response;
    };

    // Known once the route matched: a 500 then still carries them, so a page can read it.
    let cors: Record<string, string> | undefined;
    try {
      const url = urlParts(request.url);
      if (onEvent)
        report({
          type: "request",
          requestId,
          method: request.method,
          path: url.pathname.slice(0, PATH_IN_EVENTS),
          // Cut like the path: an event is for logs, and a header can be long.
          origin: request.headers.get("origin")?.slice(0, PATH_IN_EVENTS) ?? null,
        });

      // 2. The route: exactly one path, no decoding, raw-target tricks refused.
      if (!isEstablishRoute(request, url, path)) {
        return answer(proxyRefusal(404, `Not Found: this proxy answers POST ${path} only`), "not-found");
      }
      cors = corsHeaders(request.headers.get("origin"), allowedOrigins);

      // 3. The method.
      if (request.method === "OPTIONS") {
        const outcome = answerOptions(request, allowedOrigins);
        if (outcome.kind === "preflight-refused") {
          return answer(proxyRefusal(403, originRefusalMessage(request), outcome.headers), "origin");
        }
        return answer(emptyAnswer(204, outcome.headers), "preflight");
      }
      if (request.method !== "POST") {
        return answer(
          proxyRefusal(405, `Method Not Allowed: ${request.method.slice(0, 20)}; ${path} takes POST`, {
            ...cors,
            allow: "OPTIONS, POST",
          }),
          "method-not-allowed",
        );
      }

      // 4. The origin.
      if (!decideOrigin(request, url, allowedOrigins).allowed) {
        return answer(proxyRefusal(403, originRefusalMessage(request), cors), "origin");
      }

      // 5. Media type and encoding, 6. declared size: headers only.
      const contentType = request.headers.get("content-type");
      if (!isJsonContentType(contentType)) {
        // The rules' own 415, the body the service (and the mocks) answer with.
        const refusal = parseEstablishRequest(contentType, "");
        if (isRefusal(refusal))
          return answer(errorAnswer(refusal.status, refusal.body, cors), "unsupported-media-type");
      }
      if (isEncoded(request.headers)) {
        return answer(
          proxyRefusal(415, "Unsupported Media Type: send the body uncompressed", cors),
          "unsupported-media-type",
        );
      }
      const tooLarge = () =>
        answer(proxyRefusal(413, `Payload Too Large: the body is over ${maxBodyBytes} bytes`, cors), "too-large");
      if (declaredTooLarge(request.headers, maxBodyBytes)) return tooLarge();
      if (request.bodyUsed) {
        // A body parser ran first (Hono's c.req.json(), a framework's middleware): the proxy
        // cannot check or cap what it never reads, so it refuses before asking authorize.
        return answer(
          proxyRefusal(500, `Internal Server Error: ${BODY_ALREADY_READ}`, cors),
          "internal",
          new Error(BODY_ALREADY_READ),
        );
      }

      // 7. authorize.
      const decision = await runAuthorize(authorize, request);
      if (bodyTouched(request)) {
        // Whatever it decided: authorize must decide from the headers (the proxy reads the body).
        return answer(
          proxyRefusal(500, "Internal Server Error", cors),
          "internal",
          new Error("authorize read the request body: it must decide from the headers only (the proxy reads the body)"),
        );
      }
      if (decision === CALLER_GONE) {
        // The caller hung up while authorize was deciding: nobody reads this answer.
        return answer(proxyRefusal(499, "Client Closed Request", cors), "client-closed");
      }
      if (!decision.allowed) {
        if (onEvent)
          report({
            type: "decision",
            requestId,
            allowed: false,
            status: decision.status,
            reason: decision.reason,
            ...("error" in decision ? { error: decision.error } : {}),
          });
        return answer(
          proxyRefusal(decision.status, decision.message, cors),
          decision.status === 401 ? "unauthorized" : "forbidden",
        );
      }
      known.identity = decision.identity;
      if (onEvent) report({ type: "decision", requestId, allowed: true, identity: decision.identity });

      // 8. The body, capped, as UTF-8.
      const read = readBody
        ? await readBody(maxBodyBytes, bodyTimeoutMs)
        : await readCappedText(request, maxBodyBytes, bodyTimeoutMs);
      if (!read.ok) {
        if (request.signal.aborted) return answer(proxyRefusal(499, "Client Closed Request", cors), "client-closed");
        if (read.reason === "too-large") return tooLarge();
        if (read.reason === "already-read") {
          return answer(
            proxyRefusal(500, `Internal Server Error: ${BODY_ALREADY_READ}`, cors),
            "internal",
            new Error(BODY_ALREADY_READ),
          );
        }
        if (read.reason === "too-slow") {
          return answer(
            proxyRefusal(408, `Request Timeout: the body did not arrive within ${bodyTimeoutMs} ms`, cors),
            "body-timeout",
          );
        }
        const problem = read.reason === "stream-error" ? "could not be read to its end" : "is not valid UTF-8";
        return answer(
          errorAnswer(400, marketingCloudError(10004, `Invalid message format: the body ${problem}`), cors),
          "invalid-body",
          read.reason === "stream-error" ? read.error : undefined,
        );
      }

      // 9. The service's rules, with the key limit. Any ContactType number passes: which types an
      // account has is for Marketing Cloud to say (the mocks know only 0).
      const call = parseEstablishRequest(contentType, read.text, { maxKeys: maxKeysPerRequest, contactTypes: "any" });
      if (isRefusal(call)) {
        const tooMany = call.body.errorcode === 10005 && call.body.message.includes("contact keys per request");
        return answer(errorAnswer(call.status, call.body, cors), tooMany ? "too-many-keys" : "invalid-body");
      }
      known.keys = call.contactKeys.length;

      // 10. Forward the canonical body only: no caller header, query or unknown field goes out.
      let upstream: ReturnType<LazyForwarder["get"]>;
      try {
        upstream = forwarder.get();
      } catch (error) {
        return answer(proxyRefusal(500, "Internal Server Error", cors), "misconfigured", error);
      }
      const identity = decision.identity;
      try {
        // No listener (and no closure) when nobody listens: the forwarder then emits nothing.
        const reply = await upstream.forward(
          call.body,
          onEvent
            ? { signal: request.signal, onEvent: (event) => report({ type: "upstream", requestId, identity, event }) }
            : { signal: request.signal },
        );
        const passed = replyToAnswer(reply, cors);
        return answer(passed.answer, passed.reason);
      } catch (error) {
        const failure = failureAnswer(error, request.signal);
        if (failure.retryAfter !== undefined) {
          const body = marketingCloudError(failure.errorcode ?? 0, failure.message, { retryAfter: failure.retryAfter });
          return answer(
            errorAnswer(failure.status, body, { ...cors, "retry-after": String(failure.retryAfter) }),
            failure.reason,
            error,
          );
        }
        return answer(proxyRefusal(failure.status, failure.message, cors), failure.reason, error);
      }
    } catch (error) {
      // Never the error's text: it may name internal hosts.
      return answer(safeInternalError(cors), "internal", error);
    }
  }

  const proxy = ((request: Request) =>
    handle(request, undefined)
      .then(toResponse)
      .catch(() => toResponse(safeInternalError()))) as ContactsProxy;
  proxy.close = () => forwarder.close();
  const nodeEntry: NodeEntry = (request, readBody) => handle(request, readBody).catch(() => safeInternalError());
  // Not enumerable: the handler looks like any Fetch handler; toNodeListener finds it (fast-path.ts).
  Object.defineProperty(proxy, NODE_ENTRY, { value: nodeEntry });
  return proxy;
}

/** A 500 built without anything that can throw twice. */
function safeInternalError(cors?: Record<string, string>): Answer {
  try {
    return proxyRefusal(500, "Internal Server Error", cors);
  } catch {
    return { status: 500, headers: {}, body: null };
  }
}

function asError(value: unknown): Error {
  if (value instanceof Error) return value;
  try {
    return new Error(String(value));
  } catch {
    return new Error(`[${typeof value}]`);
  }
}

/**
 * Creates the proxy: one Fetch API handler for `POST {basePath}/contacts/v1/establish` that runs
 * in Next.js route handlers, Hono, Remix and other Fetch-style servers (`toNodeListener` adapts it
 * to `node:http` and Express). It checks the route, origin, content type and size, asks
 * `authorize`, validates the body with the service's own rules and the key limit, and forwards
 * only the canonical body through `@sfmc-contacts/client-node`. The browser gets Marketing Cloud's
 * own status, JSON body and `Retry-After`. Bad options throw a `ContactsValidationError`.
 *
 * @example
 * ```ts
 * // app/api/sfmc/contacts/v1/establish/route.ts (Next.js)
 * import { createContactsProxy } from "@sfmc-contacts/proxy";
 *
 * export const POST = createContactsProxy({
 *   authorize: async (request) => {
 *     const user = await sessionFrom(request.headers.get("cookie"));
 *     return user ? { identity: user.id } : { status: 401 };
 *   },
 * });
 * export const runtime = "nodejs";
 * ```
 */
export function createContactsProxy<Identity = unknown>(options: ContactsProxyOptions<Identity>): ContactsProxy {
  return createProxyWith(options, createForwarder);
}
