/**
 * `toNodeListener`: the proxy (or any Fetch API handler) as a `node:http` / Express listener. Its
 * types are structural, so the package's d.ts imports nothing from `node:` and type-checks in a
 * project without `@types/node`; at run time it uses only the objects it is handed.
 */
import { marketingCloudError } from "@sfmc-contacts/rules";
import { type Answer, BODY_ALREADY_READ, proxyRefusal } from "./answers.js";
import { BodylessRequest, type BodyReader, fastPathStats, nodeEntryOf } from "./fast-path.js";
import { type BodyRead, CappedBody, type ChunkSource, readCapped } from "./read-body.js";
import { RAW_TARGET } from "./route.js";

/**
 * What `toNodeListener` reads of an incoming request: node:http's `IncomingMessage` and Express's
 * `Request` both fit.
 *
 * @example
 * ```ts
 * const listener = toNodeListener(proxy);
 * createServer((request: NodeRequestLike, response) => listener(request, response));
 * ```
 */
export interface NodeRequestLike extends AsyncIterable<Uint8Array | string> {
  method?: string | undefined;
  url?: string | undefined;
  /** Express's full target when the listener is mounted under a path (`app.use("/api/sfmc", ...)`). */
  originalUrl?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders?: string[] | undefined;
  /** The connection; `encrypted` is true on a TLS socket. */
  socket?: unknown;
  readableEnded?: boolean | undefined;
  /** node:http's `complete`: false while the message is still arriving (the answer then closes the connection). */
  complete?: boolean | undefined;
}

/**
 * What `toNodeListener` uses of the response: node:http's `ServerResponse` and Express's
 * `Response` both fit.
 *
 * @example
 * ```ts
 * const write = (response: NodeResponseLike) => {
 *   response.statusCode = 204;
 *   response.end();
 * };
 * ```
 */
export interface NodeResponseLike {
  statusCode: number;
  headersSent?: boolean | undefined;
  writableFinished?: boolean | undefined;
  setHeader(name: string, value: string | string[]): unknown;
  end(chunk?: Uint8Array): unknown;
  on(event: "close", listener: () => void): unknown;
  /** Used when an answer cannot be written as it is (a header node:http refuses). */
  removeHeader?(name: string): unknown;
  /** Used when nothing else can end the answer. */
  destroy?(): unknown;
}

/**
 * A `node:http` request listener (also an Express handler) that never rejects.
 *
 * @example
 * ```ts
 * const listener: NodeListener = toNodeListener(proxy);
 * createServer(listener).listen(3000);
 * ```
 */
export type NodeListener = (request: NodeRequestLike, response: NodeResponseLike) => Promise<void>;

// A Host that can stand in a URL as it is; anything else reads as localhost (the route check does
// not depend on the host, and nothing reads X-Forwarded-*).
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Adapts a Fetch API handler to `node:http` and Express:
 * - the request URL is built from the raw target (`originalUrl ?? url`) and the `Host` header, and
 *   the raw target goes with it, so the proxy refuses `..`, `%2e%2e`, `\`, `%2f` and `//` tricks
 *   that URL parsing would otherwise resolve before it looks;
 * - the body is streamed, not buffered; a body another middleware has already read gives a 500
 *   that says to mount the proxy before body parsers. A proxy made by `createContactsProxy` reads
 *   the body itself, capped, straight from the node request (its `authorize` then gets a
 *   `Request` with the headers, URL and signal and no body: it decides from the headers anyway),
 *   and its answer is written without a `Response` in between;
 * - the request's `signal` aborts when the caller hangs up, which aborts the upstream request;
 * - a handler that throws gives a 500 JSON answer.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { createContactsProxy, toNodeListener } from "@sfmc-contacts/proxy";
 *
 * const proxy = createContactsProxy({ authorize });
 * createServer(toNodeListener(proxy)).listen(3000);
 * // Express: app.post("/api/sfmc/contacts/v1/establish", toNodeListener(proxy)), before express.json()
 * ```
 */
export function toNodeListener(handler: (request: Request) => Promise<Response>): NodeListener {
  const entry = nodeEntryOf(handler);
  return async (incoming, outgoing) => {
    let response: Response | Answer;
    try {
      if (incoming.readableEnded === true && !NO_BODY.has((incoming.method ?? "GET").toUpperCase())) {
        response = proxyRefusal(500, `Internal Server Error: ${BODY_ALREADY_READ}`);
      } else if (FETCH_FORBIDDEN_METHODS.has((incoming.method ?? "GET").toUpperCase())) {
        // A Request cannot carry these methods at all, so no Fetch handler can be asked.
        response = proxyRefusal(501, `Not Implemented: ${(incoming.method ?? "").slice(0, 20)} is not supported`);
      } else {
        const controller = new AbortController();
        outgoing.on("close", () => {
          if (outgoing.writableFinished !== true) controller.abort();
        });
        // The caller may have gone before this listener ran (an async middleware in front of it):
        // that close was emitted already, so the signal starts aborted and nothing is forwarded.
        if ((outgoing as { destroyed?: unknown }).destroyed === true && outgoing.writableFinished !== true) {
          controller.abort();
        }
        if (entry) {
          fastPathStats.requests++;
          const method = (incoming.method ?? "GET").toUpperCase();
          response = await entry(
            toRequest(incoming, controller.signal, false),
            NO_BODY.has(method) ? emptyBody : (maxBytes, timeoutMs) => readNodeBody(incoming, maxBytes, timeoutMs),
          );
        } else response = await handler(toRequest(incoming, controller.signal, true));
      }
    } catch {
      response = proxyRefusal(500, "Internal Server Error");
    }
    // An upload still arriving (a 413 or 408 mid-stream, a refusal before reading a slow body):
    // close the connection after the answer. node:http would otherwise keep the socket for the
    // rest of that body, and a keep-alive client's next request on it would wait forever.
    const unfinished = incoming.complete === false;
    if (response instanceof Response) await writeResponse(response, outgoing, unfinished);
    else writeAnswer(response, outgoing, unfinished);
  };
}

const NO_BODY = new Set(["GET", "HEAD"]);
const FETCH_FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

/** The Fetch request of `incoming`; with `withBody` false, a {@link BodylessRequest} (the fast path reads the body itself). */
function toRequest(incoming: NodeRequestLike, signal: AbortSignal, withBody: boolean): Request {
  const target = incoming.originalUrl ?? incoming.url ?? "/";
  const method = (incoming.method ?? "GET").toUpperCase();
  const encrypted = (incoming.socket as { encrypted?: unknown } | null | undefined)?.encrypted === true;
  const scheme = encrypted ? "https" : "http";
  const hostHeader = incoming.headers.host;
  const host = typeof hostHeader === "string" && HOST.test(hostHeader) ? hostHeader : "localhost";
  // One stream for both attempts below: a stream pulls its first chunk when it is made, so a
  // second one would start after that chunk. A Request that throws (at its URL or a header) has
  // not taken the stream yet.
  const body = withBody && !NO_BODY.has(method) ? bodyStream(incoming) : undefined;
  const make = (url: string, headers: HeadersInit): Request => {
    if (!withBody) return new BodylessRequest(url, { method, headers, signal }, target);
    const init: RequestInit & { duplex?: "half" } = { method, headers, signal };
    if (body) {
      init.body = body;
      init.duplex = "half";
    }
    const request = new Request(url, init);
    Object.defineProperty(request, RAW_TARGET, { value: target });
    return request;
  };
  try {
    // The usual request, in one go: the Request parses the URL and takes the headers as they came
    // (one copy, one check each). Concatenation, not new URL(target, origin): "//x" must stay a
    // path, not become a host.
    return make(`${scheme}://${host}${target.startsWith("/") ? target : "/"}`, headerPairs(incoming));
  } catch {
    // Something in it a Request refuses: each part on its own, with what cannot be used dropped.
    return make(carefulUrl(scheme, host, target), carefulHeaders(incoming));
  }
}

/** The request's headers as they came (rawHeaders keeps repeats and order), HTTP/2 pseudo-headers left out. */
function headerPairs(incoming: NodeRequestLike): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const raw = incoming.rawHeaders;
  if (raw) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i] as string;
      if (!name.startsWith(":")) pairs.push([name, raw[i + 1] as string]);
    }
  } else {
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value === undefined || name.startsWith(":")) continue;
      for (const one of Array.isArray(value) ? value : [value]) pairs.push([name, one]);
    }
  }
  return pairs;
}

// Some Hosts the pattern lets through are still no URL host ("x:99999", "256.1.1.1"): localhost.
// A target no URL can hold: the origin's root.
function carefulUrl(scheme: string, host: string, target: string): string {
  const origin = URL.canParse(`${scheme}://${host}`) ? `${scheme}://${host}` : `${scheme}://localhost`;
  try {
    return target.startsWith("/") ? new URL(origin + target).href : `${origin}/`;
  } catch {
    return `${origin}/`;
  }
}

// Each header on its own: one fetch cannot hold (node:http has already refused worse) is dropped;
// the proxy reads none of those.
function carefulHeaders(incoming: NodeRequestLike): Headers {
  const headers = new Headers();
  for (const [name, value] of headerPairs(incoming)) {
    try {
      headers.append(name, value);
    } catch {
      // dropped
    }
  }
  return headers;
}

const encoder = new TextEncoder();

function bodyStream(incoming: NodeRequestLike): ReadableStream<Uint8Array> {
  let iterator: AsyncIterator<Uint8Array | string> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      iterator ??= incoming[Symbol.asyncIterator]();
      const { done, value } = await iterator.next();
      if (done) controller.close();
      else if (typeof value === "string") controller.enqueue(encoder.encode(value));
      // A view, not the Buffer itself: the reader gets a plain Uint8Array.
      else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    },
    // Cancelled past the byte cap: stop pulling but leave the socket open, so the 413 can still be
    // written (the answer then closes the connection: the rest of the body is never read).
  });
}

// Writes a foreign handler's Response; never throws (see writeOut).
async function writeResponse(response: Response, outgoing: NodeResponseLike, close: boolean): Promise<void> {
  if (outgoing.headersSent === true) return;
  let body: Uint8Array;
  try {
    body = new Uint8Array(await response.arrayBuffer());
  } catch {
    body = new Uint8Array();
  }
  // Reading the body took a turn: something else may have answered meanwhile.
  if ((outgoing.headersSent as boolean | undefined) === true) return;
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  writeOut(outgoing, response.status, headers, body, close);
}

/** Writes the proxy's own answer; never throws (see writeOut). */
function writeAnswer(answer: Answer, outgoing: NodeResponseLike, close: boolean): void {
  if (outgoing.headersSent === true) return;
  const body = answer.body === null ? new Uint8Array() : encoder.encode(answer.body);
  writeOut(outgoing, answer.status, { ...answer.headers }, body, close);
}

// Writes status, headers (plus content-length, and connection: close when asked) and body. A
// header node:http refuses (Fetch allows more characters, a foreign handler may set one) turns the
// answer into a plain 500, or a destroyed socket once headers are out: never a throw, never an
// answer left without an end.
function writeOut(
  outgoing: NodeResponseLike,
  status: number,
  headers: Record<string, string | string[]>,
  body: Uint8Array,
  close: boolean,
): void {
  if (status !== 204 && status !== 304) headers["content-length"] = String(body.byteLength);
  if (close) headers.connection = "close";
  try {
    // node:http's (and Express's) writeHead stores the headers in one go, merged over any set
    // before, as setHeader one by one would; anything else gets statusCode and setHeader.
    const { writeHead } = outgoing as { writeHead?: unknown };
    if (typeof writeHead === "function") {
      (writeHead as (status: number, headers: Record<string, string | string[]>) => unknown).call(
        outgoing,
        status,
        headers,
      );
    } else {
      outgoing.statusCode = status;
      for (const name in headers) outgoing.setHeader(name, headers[name] as string | string[]);
    }
    outgoing.end(body.byteLength > 0 ? body : undefined);
  } catch {
    writeFallback(outgoing, Object.keys(headers));
  }
}

function writeFallback(outgoing: NodeResponseLike, set: readonly string[]): void {
  try {
    if (outgoing.headersSent === true) throw new Error("headers already sent");
    for (const name of set) outgoing.removeHeader?.(name);
    const fallback = encoder.encode(JSON.stringify(marketingCloudError(0, "Internal Server Error")));
    outgoing.statusCode = 500;
    outgoing.setHeader("content-type", "application/json; charset=utf-8");
    outgoing.setHeader("content-length", String(fallback.byteLength));
    outgoing.setHeader("connection", "close");
    outgoing.end(fallback);
  } catch {
    try {
      outgoing.destroy?.();
    } catch {
      // Nothing more can be done for this socket.
    }
  }
}

const emptyBody: BodyReader = async () => ({ ok: true, text: "" });

/**
 * The fast path's body read: what `readCappedText` does on the stream `toRequest` would make, on
 * the node request itself, with the same buffer (`CappedBody`) and time limit. Past the cap reading
 * stops and the request is left open (not destroyed), so the 413 can still be written; the answer
 * then closes the connection, as the rest of the body is never read.
 */
async function readNodeBody(incoming: NodeRequestLike, maxBytes: number, timeoutMs: number): Promise<BodyRead> {
  // Something else read the body to its end meanwhile (a middleware's 'data' tap while authorize
  // ran): there is nothing left to read, and waiting would only end in a 408.
  if (incoming.readableEnded === true) return { ok: false, reason: "already-read" };
  // A 'readable' listener (left by another middleware) stops 'data' from flowing on resume():
  // the iterator reads such a stream; events serve every other node request, at less cost.
  if (isEmitter(incoming) && (incoming.listenerCount?.("readable") ?? 0) === 0) {
    return readEmitted(incoming, maxBytes, timeoutMs);
  }
  const iterator = incoming[Symbol.asyncIterator]();
  // No iterator.return() to stop: on a node stream it destroys the socket, and the 413 with it.
  const source: ChunkSource = { next: () => iterator.next(), stop: () => {} };
  return readCapped(source, maxBytes, headerOf(incoming, "content-length"), timeoutMs);
}

function headerOf(incoming: NodeRequestLike, name: string): string | null {
  const value = incoming.headers[name];
  return typeof value === "string" ? value : null;
}

/** What node:http's IncomingMessage (a Readable) offers beyond async iteration. */
interface ReadableLike {
  on(event: string, listener: (...args: never[]) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  pause(): unknown;
  resume(): unknown;
  readableEnded?: boolean | undefined;
  destroyed?: boolean | undefined;
  listenerCount?(event: string): number;
}

function isEmitter(incoming: NodeRequestLike): incoming is NodeRequestLike & ReadableLike {
  const candidate = incoming as Partial<ReadableLike>;
  return (
    typeof candidate.on === "function" &&
    typeof candidate.removeListener === "function" &&
    typeof candidate.pause === "function" &&
    typeof candidate.resume === "function"
  );
}

/**
 * `readNodeBody` on a node Readable through its events: an async iterator costs a stream helper,
 * an end-of-stream watcher and a promise per chunk (a quarter of the proxy's own work, profiled).
 * The same outcomes: the text at 'end'; too-large at the first chunk past the cap (the stream is
 * paused, not destroyed); a stream error, or a close before the end (the caller hung up), is a
 * stream-error.
 */
function readEmitted(incoming: ReadableLike & NodeRequestLike, maxBytes: number, timeoutMs: number): Promise<BodyRead> {
  return new Promise<BodyRead>((resolve) => {
    const body = new CappedBody(maxBytes, headerOf(incoming, "content-length"));
    const done = (outcome: BodyRead) => {
      clearTimeout(timer);
      incoming.removeListener("data", onData);
      incoming.removeListener("end", onEnd);
      incoming.removeListener("error", onError);
      incoming.removeListener("close", onClose);
      resolve(outcome);
    };
    const onData = (value: Uint8Array | string) => {
      if (!body.add(typeof value === "string" ? encoder.encode(value) : value)) {
        incoming.pause();
        done({ ok: false, reason: "too-large" });
      }
    };
    const onEnd = () => done(body.text());
    const onError = (error: unknown) => done({ ok: false, reason: "stream-error", error });
    const onClose = () =>
      done({ ok: false, reason: "stream-error", error: new Error("the request closed before its end") });
    const timer = setTimeout(() => {
      incoming.pause();
      done({ ok: false, reason: "too-slow" });
    }, timeoutMs);
    (timer as { unref?: () => void }).unref?.();
    incoming.on("data", onData);
    incoming.on("end", onEnd);
    incoming.on("error", onError);
    incoming.on("close", onClose);
    if (incoming.destroyed === true && incoming.readableEnded !== true) onClose();
    // Flowing even when something paused it before (a 'data' listener alone would not resume it).
    else incoming.resume();
  });
}
