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
 * The path and query of an origin-form request target (`/v2/token?x=1`); `undefined` for any other
 * form. A client set up for an HTTP proxy (HTTP_PROXY in its environment) sends the absolute form
 * (`POST http://mc….auth.marketingcloudapis.com/v2/token`); `new URL(target, base)` would then put
 * that host in place of the base, and the request would leave the machine.
 */
export function originForm(target: string): string | undefined {
  if (!target.startsWith("/") || target.startsWith("//")) return undefined;
  const parsed = new URL(target, "http://loopback");
  return `${parsed.pathname}${parsed.search}`;
}

/** The finding the front door records for a request it refuses to forward: on both sides, as no answer was validated. */
export function refusedTarget(target: string): Violation[] {
  const message = `the request target ${JSON.stringify(target.slice(0, 200))} is not a path: the client sent it as to an HTTP proxy (is HTTP_PROXY set?); the front door forwards only paths, to Prism, never to another host`;
  return [
    { location: ["request", "target"], severity: "Error", message },
    { location: ["response"], severity: "Error", message: `nothing was validated: ${message}` },
  ];
}

/**
 * Starts the front door on 127.0.0.1 and a free port. It forwards each request to `target`
 * unchanged (method, path and query, headers, body) and the answer back unchanged. Only the path
 * and query of a request target go to `target`: a target in absolute form is answered 400 by the
 * front door itself, forwarded nowhere, and recorded as an exchange with a finding on both sides.
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
    const path = originForm(target);
    if (path === undefined) {
      const violations = refusedTarget(target);
      // JSON, so that a client that reads every answer as JSON (fuel-auth) fails fast instead of
      // throwing inside its callback and never settling.
      const text = JSON.stringify({ error: "front_door_refused", message: violations[0]?.message });
      const headers = { "content-type": "application/json" };
      front.exchanges.push({ method, path: target, target, status: 400, headers, body: text, violations });
      outgoing.writeHead(400, headers).end(text);
      return;
    }
    const upstream = httpRequest(new URL(path, front.target), {
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
