/**
 * A loopback pass-through between Prism and the mock that can change an answer on its way back.
 * The harness tests use it to show that the checks can fail: an answer that breaks the spec on
 * purpose, or a 401 without its `WWW-Authenticate` header, as the mock sent it before issue 12.
 */
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { originForm, refusedTarget } from "./front.js";

/** An answer as it travels back: status, headers (names in lower case) and body text. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A running relay. */
export interface Relay {
  url: string;
  /**
   * Changes each answer of the upstream before Prism sees it; `undefined` (the default) passes it
   * unchanged. It gets the request's method and path too.
   */
  rewrite: ((answer: Answer, request: { method: string; path: string }) => Answer) | undefined;
  close(): Promise<void>;
}

/** Starts a relay on 127.0.0.1 and a free port that forwards every request to `upstream`. */
export async function startRelay(upstream: string): Promise<Relay> {
  const sockets = new Set<Socket>();
  const server = createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value !== undefined && name !== "host" && name !== "connection" && name !== "transfer-encoding") {
        headers[name] = Array.isArray(value) ? value.join(", ") : value;
      }
    }
    headers["content-length"] = String(body.length);
    const method = incoming.method ?? "GET";
    const target = incoming.url ?? "/";
    // Only a path goes to the mock: an absolute-form target never names the host (see front.ts).
    const path = originForm(target);
    if (path === undefined) {
      outgoing.writeHead(400, { "content-type": "text/plain" }).end(refusedTarget(target)[0]?.message);
      return;
    }
    const forwarded = httpRequest(new URL(path, upstream), { method, headers, agent: false });
    forwarded.on("response", async (response) => {
      const parts: Buffer[] = [];
      for await (const chunk of response) parts.push(chunk as Buffer);
      const answerHeaders: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined && name !== "connection" && name !== "transfer-encoding" && name !== "content-length") {
          answerHeaders[name] = Array.isArray(value) ? value.join(", ") : value;
        }
      }
      let answer: Answer = {
        status: response.statusCode ?? 0,
        headers: answerHeaders,
        body: Buffer.concat(parts).toString("utf8"),
      };
      if (relay.rewrite) answer = relay.rewrite(answer, { method, path: new URL(target, "http://relay").pathname });
      const text = Buffer.from(answer.body, "utf8");
      outgoing.writeHead(answer.status, { ...answer.headers, "content-length": String(text.length) }).end(text);
    });
    forwarded.on("error", (error) => {
      outgoing
        .writeHead(502, { "content-type": "text/plain" })
        .end(`The relay could not reach the mock: ${error.message}`);
    });
    forwarded.end(body);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const relay: Relay = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    rewrite: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return relay;
}
