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
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
// The fake and its options, never mock.ts: it builds msw handlers, and importing it loads msw
// (its types name msw too, and this entry's types must compile where msw is not installed).
import type { ContactStore } from "./contact-store.js";
import { FakeService, type RecordedRequest } from "./fake-service.js";
import { type ContactsMockOptions, resolveOptions } from "./options.js";
import { randomSeed } from "./random.js";

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
}

/**
 * The fake behind a {@link ContactsHttpServer}: what it stored and received, and `reset()`. It has
 * no msw `handlers` or `scenarios`: they act inside a process, never on a socket.
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
  /** Every request it received, in order, with credentials redacted. */
  readonly requests: readonly RecordedRequest[];
  /** Forgets contacts, requests and issued tokens. With a seed, the same calls then give the same data again. */
  reset(): void;
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
  /** The fake behind it: `store`, `requests`, `reset()`. */
  readonly mock: ContactsHttpServerMock;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

async function toRequest(message: IncomingMessage, base: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return new Request(new URL(message.url ?? "/", base), {
    method: message.method ?? "GET",
    headers,
    ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
  });
}

async function send(response: Response, out: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  out.writeHead(response.status, headers).end(Buffer.from(await response.arrayBuffer()));
}

/**
 * Starts the contacts fake as a real HTTP server on 127.0.0.1: `POST /v2/token` and
 * `POST /contacts/v1/establish`, with the same validation, state and seeded data as the msw
 * handlers.
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
  const { port = 0, host = "127.0.0.1", ...mockOptions } = options;
  if (!["127.0.0.1", "localhost", "::1"].includes(host)) {
    throw new TypeError(`startContactsHttpServer: host must be a loopback address, got ${JSON.stringify(host)}`);
  }
  let route: (request: Request) => Promise<Response> = async () => new Response(null, { status: 503 });
  const sockets = new Set<Socket>();
  const server = createServer((message, out) => {
    toRequest(message, "http://loopback")
      .then(route)
      .then((response) => send(response, out))
      .catch((error: unknown) => out.writeHead(500).end(String(error)));
  });
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
  const fake = new FakeService(resolveOptions({ ...mockOptions, baseUrl: url }, randomSeed));
  route = async (request) => {
    const path = new URL(request.url).pathname;
    const routes: Record<string, "token" | "establish"> = {
      "/v2/token": "token",
      "/contacts/v1/establish": "establish",
    };
    const which = request.method === "POST" ? routes[path] : undefined;
    if (!which) return new Response("Not Found", { status: 404 });
    const proper = new Request(new URL(path, url), request);
    const text = await fake.record(proper, which);
    const ms = fake.nextLatency();
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
    return which === "token" ? fake.token(proper, text) : fake.establish(proper, text);
  };
  return {
    url,
    mock: { store: fake.store, requests: fake.requests, reset: () => fake.reset() },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
