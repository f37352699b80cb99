/**
 * A node:http server on 127.0.0.1 around a listener, and a raw client: `fetch` would normalise
 * `..`, `%2e%2e` and `\` before sending, so path tricks go out through node:http's `request`, with
 * the target exactly as written.
 */
import {
  type ClientRequest,
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { NodeResponseLike } from "../../src/node-listener.js";

export interface Served {
  port: number;
  close(): Promise<void>;
}

export async function serve(
  listener: (request: IncomingMessage, response: ServerResponse) => unknown,
): Promise<Served> {
  const server: Server = createServer((req, res) => void listener(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RawAnswer {
  status: number;
  headers: IncomingMessage["headers"];
  text: string;
}

/** Sends a request with the target as written; resolves the whole answer. */
export function raw(
  port: number,
  path: string,
  options: {
    method?: string;
    headers?: Record<string, string | string[]>;
    body?: string | Uint8Array | Uint8Array[];
  } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: "127.0.0.1", port, path, method: options.method ?? "POST", headers: options.headers ?? {}, agent: false },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        incoming.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    const body = options.body;
    if (Array.isArray(body)) for (const chunk of body) outgoing.write(chunk);
    else if (body !== undefined) outgoing.write(body);
    outgoing.end();
  });
}

/**
 * A POST to `path` on `port`, left open for the test to write to, end or destroy (a caller that
 * stalls or hangs up). Its errors (the test's own hang-up) are ignored.
 */
export function openPost(port: number, path: string, headers: Record<string, string>): ClientRequest {
  const outgoing = request({ host: "127.0.0.1", port, path, method: "POST", headers, agent: false });
  outgoing.on("error", () => {});
  return outgoing;
}

/**
 * A plain-object response (no writeHead, no events: what toNodeListener falls back to) and what
 * was written to it.
 */
export function plainResponse() {
  const written: { status?: number; headers: Record<string, string | string[]>; body?: Uint8Array | undefined } = {
    headers: {},
  };
  const response: NodeResponseLike = {
    statusCode: 200,
    setHeader: (name, value) => {
      written.headers[name] = value;
    },
    end: (chunk) => {
      written.status = response.statusCode;
      written.body = chunk;
    },
    on: () => {},
  };
  return { response, written };
}
