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
import { type RetryAfterOptions, type StatusScenario, type StatusScenarios, statusAnswer } from "./scenario-answers.js";
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
 * The status scenarios of a {@link ContactsHttpServer}, in msw's shape: the same answers as the msw
 * scenarios of the same name, for the same options. Each applies to every later establish request
 * until `resetScenarios()` (or `reset()`), or with `{ once: true }` to the next one only. The
 * request is still recorded and the latency waited, as with msw. The scenario set last wins, as
 * with `server.use(...)`.
 *
 * @example
 * ```ts
 * const service = await startContactsHttpServer();
 * const scenarios: ContactsHttpServerScenarios = service.mock.scenarios;
 * scenarios.rateLimited({ retryAfter: 2, once: true }); // the next establish call gets 429, Retry-After: 2
 * ```
 */
export interface ContactsHttpServerScenarios extends StatusScenarios<void> {}

/**
 * The fake behind a {@link ContactsHttpServer}: what it stored and received, `reset()`,
 * `expireTokens()`, and the six status scenarios. It has no msw `handlers`, and none of the msw
 * scenarios that need msw's control of the transport (`networkError`, `slow`, ...).
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
  /**
   * Forgets contacts, requests, issued tokens and scenarios. With a seed, the same calls then give
   * the same data again.
   */
  reset(): void;
  /** The status scenarios, set on the server itself (msw's shape, without `server.use`). */
  readonly scenarios: ContactsHttpServerScenarios;
  /**
   * Drops every scenario set so far: the happy path answers again.
   *
   * @example
   * ```ts
   * service.mock.scenarios.serverError();
   * service.mock.resetScenarios(); // establish answers 200 again
   * ```
   */
  resetScenarios(): void;
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
  /** The fake behind it: `store`, `requests`, `reset()`, `expireTokens()`, `scenarios`, `resetScenarios()`. */
  readonly mock: ContactsHttpServerMock;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

export type { RetryAfterOptions, ScenarioOptions, StatusScenarios } from "./scenario-answers.js";

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

const expectationFailed = (expectation: string) =>
  jsonResponse(
    417,
    marketingCloudError(
      0,
      `Expectation Failed: this server meets only "Expect: 100-continue", got ${JSON.stringify(expectation.slice(0, 100))}`,
    ),
    { connection: "close" },
  );

/**
 * node:http's parse errors (llhttp's codes), as the server's own answers: the status node:http
 * itself would send, and a message of the server's own (never the parser's text).
 */
function malformed(code: string | undefined): Response {
  if (code === "HPE_HEADER_OVERFLOW") {
    return jsonResponse(
      431,
      marketingCloudError(0, "Request Header Fields Too Large: the request's headers are over node:http's limit"),
    );
  }
  if (code === "HPE_CHUNK_EXTENSIONS_OVERFLOW") {
    return jsonResponse(413, marketingCloudError(0, "Payload Too Large: the chunk extensions are too long"));
  }
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") {
    return jsonResponse(408, marketingCloudError(0, "Request Timeout: the request did not arrive in time"));
  }
  const what: Record<string, string> = {
    HPE_INVALID_METHOD: "its method is not an HTTP method",
    HPE_INVALID_URL: "its request target is not valid",
    HPE_INVALID_VERSION: "its HTTP version is not valid",
    HPE_INVALID_HEADER_TOKEN: "a header is not valid",
    HPE_INVALID_CONTENT_LENGTH: "its Content-Length is not valid",
    HPE_UNEXPECTED_CONTENT_LENGTH: "it has both Content-Length and Transfer-Encoding",
    HPE_INVALID_TRANSFER_ENCODING: "its Transfer-Encoding is not valid",
    HPE_INVALID_CHUNK_SIZE: "its chunked body is malformed",
  };
  return jsonResponse(
    400,
    marketingCloudError(
      0,
      `Bad Request: the request is not valid HTTP/1.1 (${what[code ?? ""] ?? "it could not be parsed"})`,
    ),
  );
}

/**
 * The path and query of a request target; `undefined` when it names no resource of this server.
 * The origin form (`/v2/token?x=1`) always does; the absolute form (`http://host:port/v2/token`,
 * RFC 9112 section 3.2.2: a server MUST accept it, as clients configured for a proxy send it)
 * only when its origin is one of `origins` (the server's own, or its `restInstanceUrl`): this
 * server is no proxy and never reaches another host. The asterisk and authority forms never do.
 */
function requestTarget(
  raw: string | undefined,
  origins: ReadonlySet<string>,
): { path: string; search: string } | undefined {
  if (raw === undefined) return undefined;
  if (raw.startsWith("/") && !raw.startsWith("//")) {
    const parsed = new URL(raw, "http://loopback");
    return { path: parsed.pathname, search: parsed.search };
  }
  if (!/^https?:\/\//i.test(raw)) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    return undefined;
  }
  if (!origins.has(parsed.origin) || parsed.username || parsed.password) return undefined;
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
      message.off("data", onData).off("end", onEnd).off("error", reject).off("close", onClose);
      message.resume();
      resolve(undefined);
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    // A connection that ends mid-body (or a body node:http cannot parse) never ends the message.
    const onClose = () => reject(new Error("the connection closed before the body ended"));
    message.on("data", onData).once("end", onEnd).once("error", reject).once("close", onClose);
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
  origins: ReadonlySet<string>,
): { route: RecordedRequest["route"]; path: string; search: string } | { refused: Response } {
  const target = requestTarget(message.url, origins);
  const route = target && ROUTES[target.path];
  if (!target || !route) return { refused: notFound(target?.path ?? String(message.url)) };
  if (message.method !== "POST") return { refused: methodNotAllowed(String(message.method)) };
  return { route, ...target };
}

/**
 * Writes an answer straight to a socket and closes it: for CONNECT, which node:http hands over
 * without a response object, and for a request node:http could not parse.
 */
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
 * handlers. Every answer is JSON, the server's own too: another method on a route is 405 with
 * `Allow: POST`, another path 404, a body over 16 MiB 413, a request node:http cannot parse 400
 * (431 for headers over its limit) on a closed connection, an `Expect` other than `100-continue`
 * 417, and an unexpected failure a plain 500 that names no internals. A request target in
 * absolute form (`POST http://127.0.0.1:<port>/v2/token`, as a client set up for a proxy sends
 * it) is served when it names this server or its `restInstanceUrl`, and is 404 for any other
 * host: the server never forwards a request.
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
  const origins = new Set([new URL(url).origin]);
  if (instanceUrl !== undefined) origins.add(new URL(instanceUrl).origin);
  // The scenarios in force, the last one set first (msw's `server.use` prepends too). A `once`
  // scenario is taken out by the establish request it answers.
  const active: { answer: () => Response; once: boolean }[] = [];
  const nextAnswer = (): (() => Response) | undefined => {
    const first = active[0];
    if (first?.once) active.shift();
    return first?.answer;
  };
  const use =
    (kind: StatusScenario) =>
    (scenarioOptions: RetryAfterOptions = {}): void => {
      active.unshift({ answer: statusAnswer(kind, fake, scenarioOptions), once: scenarioOptions.once ?? false });
    };
  const scenarios: ContactsHttpServerScenarios = {
    unauthorized: use("unauthorized"),
    forbidden: use("forbidden"),
    rateLimited: use("rateLimited"),
    blocked: use("blocked"),
    serverError: use("serverError"),
    unavailable: use("unavailable"),
  };

  const handle = async (message: IncomingMessage, out: ServerResponse): Promise<void> => {
    const reached = routeOf(message, origins);
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
    const answer = reached.route === "establish" ? nextAnswer() : undefined;
    return send(await fake.serve(reached.route, request, answer), out);
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
  // node:http's own answer to a request it cannot parse is a bodiless 400 or 431: answer JSON
  // instead, on a connection that is then closed (the rest of its bytes cannot be framed).
  server.on("clientError", (error: Error & { code?: string }, socket: Duplex) => {
    // The response in progress on this socket, if any (node:http keeps it there; its default
    // handler looks at it too). A parse error in its own request's body (a bad chunk) is
    // answered in its place; one in a later pipelined request cannot be answered in order, so
    // the connection just ends.
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
    const answerable = !inFlight || (!inFlight.headersSent && !inFlight.req.complete);
    if (error.code === "ECONNRESET" || !socket.writable || !answerable) {
      socket.destroy();
      return;
    }
    sendRaw(malformed(error.code), socket).catch(() => socket.destroy());
  });
  // Without this listener node:http answers a bodiless 417 to an `Expect` other than 100-continue.
  server.on("checkExpectation", (message: IncomingMessage, out: ServerResponse) => {
    message.resume();
    send(expectationFailed(String(message.headers.expect)), out).catch(() => out.destroy());
  });
  return {
    url,
    mock: {
      store: fake.store,
      requests: fake.requests,
      reset: () => {
        active.length = 0;
        fake.reset();
      },
      expireTokens: () => fake.expireTokens(),
      scenarios,
      resetScenarios: () => {
        active.length = 0;
      },
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
