/**
 * The front door of the contract rig: a loopback pass-through placed before Prism that keeps, for
 * every exchange, what Prism concluded. A third-party client never shows its caller the response
 * headers, and Prism reports its validation only there (`sl-violations`), so the record is taken
 * on the wire, where every client's traffic passes.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One finding of Prism, as it writes it in `sl-violations`. */
export interface Violation {
  /** `["request", ...]` or `["response", ...]`, then the path to the offending part, e.g. `["response", "body", "items"]`. */
  location: string[];
  /** `Error`, `Warning`, `Information` or `Hint`. */
  severity: string;
  code?: string | number;
  message: string;
}

/** One request as it passed through Prism, and Prism's verdict on both directions. */
export interface Exchange {
  method: string;
  /** The path without the query. */
  path: string;
  /** The path with the query, as the client sent it. */
  target: string;
  status: number;
  /** The answer's headers, names in lower case. */
  headers: Record<string, string>;
  body: string;
  violations: Violation[];
}

/** A running front door. */
export interface Front {
  url: string;
  /** Every exchange so far, in order of the answers. */
  readonly exchanges: Exchange[];
  /** Where requests go (Prism); set once Prism runs. Until then the front answers 503. */
  target: string | undefined;
  close(): Promise<void>;
}

// Hop-by-hop headers and the length are the front's own business on each side.
const HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "upgrade", "te", "trailer"]);

function forwardable(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP.has(name)) out[name] = value;
  }
  return out;
}

/**
 * Reads Prism's verdict. Prism writes `sl-violations` only when it found something; it cuts a
 * long list short with a "Too many violations!" prefix, which is kept as one finding on each
 * side so that no check can read it as clean. An answer Prism produced itself
 * (`application/problem+json`: the upstream's answer could not be read, or no route matched) is
 * a finding too: the mock's own answer was never validated.
 */
export function readVerdict(headers: Record<string, string>): Violation[] {
  const found: Violation[] = [];
  const header = headers["sl-violations"];
  if (header !== undefined) {
    try {
      found.push(...(JSON.parse(header) as Violation[]));
    } catch {
      for (const side of ["request", "response"]) {
        found.push({
          location: [side],
          severity: "Error",
          message: `unreadable sl-violations: ${header.slice(0, 300)}`,
        });
      }
    }
  }
  if ((headers["content-type"] ?? "").startsWith("application/problem+json")) {
    found.push({ location: ["response"], severity: "Error", message: "Prism answered by itself (problem+json)" });
  }
  return found;
}

/**
 * Starts the front door on 127.0.0.1 and a free port. It forwards each request to `target`
 * unchanged (method, path and query, headers, body) and the answer back unchanged.
 */
export async function startFront(): Promise<Front> {
  const sockets = new Set<Socket>();
  const server = createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const method = incoming.method ?? "GET";
    const target = incoming.url ?? "/";
    if (front.target === undefined) {
      outgoing.writeHead(503, { "content-type": "text/plain" }).end("The front door has no target yet.");
      return;
    }
    const upstream = httpRequest(new URL(target, front.target), {
      method,
      headers: { ...forwardable(incoming.headers), "content-length": String(body.length) },
      agent: false,
    });
    upstream.on("response", async (answer) => {
      const parts: Buffer[] = [];
      for await (const chunk of answer) parts.push(chunk as Buffer);
      const text = Buffer.concat(parts);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
      }
      const status = answer.statusCode ?? 0;
      front.exchanges.push({
        method,
        path: new URL(target, "http://front").pathname,
        target,
        status,
        headers,
        body: text.toString("utf8"),
        violations: readVerdict(headers),
      });
      outgoing.writeHead(status, { ...forwardable(answer.headers), "content-length": String(text.length) }).end(text);
    });
    upstream.on("error", (error) => {
      outgoing
        .writeHead(502, { "content-type": "text/plain" })
        .end(`The front door could not reach Prism: ${error.message}`);
    });
    upstream.end(body);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const front: Front = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exchanges: [],
    target: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return front;
}

/** `"POST /v2/token 200"` for each exchange: the order of a conversation at a glance. */
export function conversation(exchanges: readonly Exchange[]): string[] {
  return exchanges.map((e) => `${e.method} ${e.path} ${e.status}`);
}

function described(exchanges: readonly Exchange[], side: "request" | "response"): string[] {
  return exchanges.flatMap((e) =>
    e.violations
      .filter((v) => v.location[0] === side)
      .map((v) => `${e.method} ${e.path} ${e.status}: ${v.location.join(".")}: ${v.message}`),
  );
}

/** Every finding of Prism about the answers (any severity), one line each, naming the exchange. */
export function responseViolations(exchanges: readonly Exchange[]): string[] {
  return described(exchanges, "response");
}

/** Every finding of Prism about the requests (any severity), one line each, naming the exchange. */
export function requestViolations(exchanges: readonly Exchange[]): string[] {
  return described(exchanges, "request");
}
