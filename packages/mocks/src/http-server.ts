/**
 * The same fake behind a real HTTP server on loopback, for what msw cannot reach: another
 * process, a CLI, a benchmark, a client on undici's `request`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type ContactsMock, createContactsMock, fakeOf } from "./mock.js";
import type { ContactsMockOptions } from "./options.js";

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
  /** The mock behind it: `store`, `requests`, `reset()` (its msw `handlers` and `scenarios` do not apply here). */
  readonly mock: ContactsMock;
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
 * import { startContactsHttpServer } from "@sfmc-contacts/mocks/node";
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
  const mock = createContactsMock({ ...mockOptions, baseUrl: url });
  const fake = fakeOf(mock);
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
    mock,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
