/**
 * The contacts fake behind a real HTTP server on 127.0.0.1, for what msw cannot reach: another
 * process, a CLI, a benchmark, a client on undici's `request`. Importing this entry
 * (`@sfmc-contacts/mocks/http-server`) never loads msw, so msw can stay out of an install that
 * only needs this server (the `sfmc-contacts` CLI's `--mock`); `@sfmc-contacts/mocks/node`
 * re-exports it next to msw's `setupContactsServer`.
 *
 * @example
 * ```ts
 * import { startContactsHttpServer } from "@sfmc-contacts/mocks/http-server";
 *
 * const service = await startContactsHttpServer({ seed: 1 });
 * ```
 *
 * @packageDocumentation
 */
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
// The fake and its options, never mock.ts: it builds msw handlers, and importing it loads msw
// (its types name msw too, and this entry's types must compile where msw is not installed).
import type { ContactStore } from "./contact-store.js";
import { marketingCloudError } from "./factories.js";
import { FakeService, type RecordedRequest } from "./fake-service.js";
import { type ContactsMockOptions, checkInstanceUrl, resolveOptions } from "./options.js";
import { randomSeed } from "./random.js";
import { jsonResponse } from "./spec-response.js";

/**
 * Options of {@link startContactsHttpServer}: the mock's, without `baseUrl` (the server's own), plus where to listen.
 *
 * @example
 * ```ts
 * const options: ContactsHttpServerOptions = { seed: 1, latency: [1, 5], port: 0 };
 * ```
 */
export interface ContactsHttpServerOptions extends Omit<ContactsMockOptions, "baseUrl"> {
  /** Default 0: any free port. */
  port?: number;
  /** Default `127.0.0.1`. Only loopback addresses are accepted. */
  host?: "127.0.0.1" | "localhost" | "::1";
  /**
   * What the token answer names as `rest_instance_url`: an absolute http(s) URL. Default: the
   * server's own URL. Set it to a proxy placed in front of the server (such as Prism in proxy
   * mode), so that clients that follow `rest_instance_url` send their establish calls through it.
   */
  restInstanceUrl?: string;
}

/**
 * The fake behind a {@link ContactsHttpServer}: what it stored and received, `reset()` and
 * `expireTokens()`. It has no msw `handlers` or `scenarios`: they act inside a process, never on a
 * socket.
 *
 * @example
 * ```ts
 * const service = await startContactsHttpServer({ seed: 1 });
 * const state: ContactsHttpServerMock = service.mock;
 * expect(state.store.has("Key1")).toBe(true);
 * ```
 */
export interface ContactsHttpServerMock {
  /** The contacts it has established. */
  readonly store: ContactStore;
  /** Every request it received on its two routes, in order, with credentials redacted. */
  readonly requests: readonly RecordedRequest[];
  /** Forgets contacts, requests and issued tokens. With a seed, the same calls then give the same data again. */
  reset(): void;
  /**
   * Every token issued so far stops working now (the static token excepted); the next call with
   * one gets 401 with `WWW-Authenticate: Bearer error="invalid_token"`.
   *
   * @example
   * ```ts
   * service.mock.expireTokens();
   * // the client's next establish call gets 401, renews its token and retries
   * ```
   */
  expireTokens(): void;
}

/**
 * A running server.
 *
 * @example
 * ```ts
 * const service: ContactsHttpServer = await startContactsHttpServer();
 * console.log(service.url, service.mock.store.size);
 * ```
 */
export interface ContactsHttpServer {
  /** `http://127.0.0.1:<port>`: the REST base and the auth base alike. */
  readonly url: string;
  /** The fake behind it: `store`, `requests`, `reset()`, `expireTokens()`. */
  readonly mock: ContactsHttpServerMock;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** The largest request body the server reads: a larger one is answered 413. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

const ROUTES: Readonly<Record<string, RecordedRequest["route"]>> = {
  "/v2/token": "token",
  "/contacts/v1/establish": "establish",
};

// The server's own answers (not the service's, so not in the spec): JSON Marketing Cloud errors.
const notFound = (path: string) =>
  jsonResponse(
    404,
    marketingCloudError(
      0,
      `Not Found: ${path} is not a route of this server (POST /v2/token, POST /contacts/v1/establish)`,
    ),
  );
const methodNotAllowed = (method: string) =>
  jsonResponse(405, marketingCloudError(0, `Method Not Allowed: ${method}; this route takes POST`), {
    allow: "POST",
  });
const tooLarge = () =>
  jsonResponse(413, marketingCloudError(0, `Payload Too Large: the body is over ${MAX_BODY_BYTES} bytes`));
// Never the error's text or stack: an answer names no internals.
const internalError = () =>
  jsonResponse(500, marketingCloudError(0, "An error occurred while processing the request."));

/** The path and query of a request target; `undefined` when it is not a path (`*`, `host:port`, a full URL). */
function requestTarget(raw: string | undefined): { path: string; search: string } | undefined {
  if (!raw?.startsWith("/") || raw.startsWith("//")) return undefined;
  const parsed = new URL(raw, "http://loopback");
  return { path: parsed.pathname, search: parsed.search };
}

/** Reads a body of at most `limit` bytes; `undefined` when it is larger (the rest is left to drain). */
function readLimited(message: IncomingMessage, limit: number): Promise<Buffer<ArrayBuffer> | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      // Answer now; node:http reads and discards the rest, so the client still gets the answer.
      message.off("data", onData).off("end", onEnd).off("error", reject);
      message.resume();
      resolve(undefined);
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    message.on("data", onData).once("end", onEnd).once("error", reject);
  });
}

function toHeaders(message: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return headers;
}

async function send(response: Response, out: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const body = Buffer.from(await response.arrayBuffer());
  out.writeHead(response.status, { ...headers, "content-length": String(body.length) }).end(body);
}

/**
 * The route a request reaches, or the server's own answer when it reaches none: 404 for another
 * path, 405 for another method on a route. Decided from node:http's message alone, before any
 * fetch `Request` exists (fetch refuses TRACE, CONNECT and TRACK).
 */
function routeOf(
  message: IncomingMessage,
): { route: RecordedRequest["route"]; path: string; search: string } | { refused: Response } {
  const target = requestTarget(message.url);
  const route = target && ROUTES[target.path];
  if (!target || !route) return { refused: notFound(target?.path ?? String(message.url)) };
  if (message.method !== "POST") return { refused: methodNotAllowed(String(message.method)) };
  return { route, ...target };
}

/** Writes an answer straight to a socket: for CONNECT, which node:http hands over without a response object. */
async function sendRaw(response: Response, socket: Duplex): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const lines = [`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ""}`];
  response.headers.forEach((value, name) => {
    lines.push(`${name}: ${value}`);
  });
  lines.push(`content-length: ${body.length}`, "connection: close", "", "");
  socket.end(Buffer.concat([Buffer.from(lines.join("\r\n")), body]));
}

/**
 * Starts the contacts fake as a real HTTP server on 127.0.0.1: `POST /v2/token` and
 * `POST /contacts/v1/establish`, with the same validation, state and seeded data as the msw
 * handlers. Every answer is JSON: another method on a route is 405 with `Allow: POST`, another
 * path 404, a body over 16 MiB 413, and an unexpected failure a plain 500 that names no internals.
 *
 * @example
 * ```ts
 * import { startContactsHttpServer } from "@sfmc-contacts/mocks/http-server";
 *
 * const service = await startContactsHttpServer({ seed: 1 });
 * const client = createContactsClient({ clientId: "id", clientSecret: "s", baseUrl: service.url, authBaseUrl: service.url });
 * await client.establish(["Key1"]);
 * await service.close();
 * ```
 */
export async function startContactsHttpServer(options: ContactsHttpServerOptions = {}): Promise<ContactsHttpServer> {
  const { port = 0, host = "127.0.0.1", restInstanceUrl, ...mockOptions } = options;
  if (!["127.0.0.1", "localhost", "::1"].includes(host)) {
    throw new TypeError(`startContactsHttpServer: host must be a loopback address, got ${JSON.stringify(host)}`);
  }
  const instanceUrl =
    restInstanceUrl === undefined
      ? undefined
      : checkInstanceUrl(restInstanceUrl, "startContactsHttpServer: restInstanceUrl");
  const sockets = new Set<Socket>();
  const server = createServer();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  const resolved = resolveOptions({ ...mockOptions, baseUrl: url }, randomSeed);
  const fake = new FakeService(instanceUrl === undefined ? resolved : { ...resolved, restInstanceUrl: instanceUrl });

  const handle = async (message: IncomingMessage, out: ServerResponse): Promise<void> => {
    const reached = routeOf(message);
    if ("refused" in reached) {
      message.resume();
      return send(reached.refused, out);
    }
    const declared = Number(message.headers["content-length"] ?? 0);
    const body = declared > MAX_BODY_BYTES ? undefined : await readLimited(message, MAX_BODY_BYTES);
    if (body === undefined) {
      message.resume();
      return send(tooLarge(), out);
    }
    // The server's own origin with the request's path and query: the fake sees the query too.
    const target = new URL(url);
    target.pathname = reached.path;
    target.search = reached.search;
    const request = new Request(target, {
      method: "POST",
      headers: toHeaders(message),
      ...(body.length > 0 ? { body } : {}),
    });
    return send(await fake.serve(reached.route, request), out);
  };
  // Attached right after listen resolves, in the same turn: no request can come in before them.
  server.on("request", (message: IncomingMessage, out: ServerResponse) => {
    handle(message, out).catch(() => {
      if (out.headersSent) out.destroy();
      else send(internalError(), out).catch(() => out.destroy());
    });
  });
  server.on("connect", (_message: IncomingMessage, socket: Duplex) => {
    sendRaw(methodNotAllowed("CONNECT"), socket).catch(() => socket.destroy());
  });
  return {
    url,
    mock: {
      store: fake.store,
      requests: fake.requests,
      reset: () => fake.reset(),
      expireTokens: () => fake.expireTokens(),
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
