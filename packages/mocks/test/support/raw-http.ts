/**
 * Requests fetch refuses to send (TRACE, CONNECT) or sends its own way, through node:http, to a
 * loopback server. Bounded: a request that gets no answer fails after `timeoutMs`.
 */
import { request } from "node:http";

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: unknown;
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/**
 * Sends one request and reads the answer. For CONNECT, the answer's body arrives on the tunnel
 * socket (node:http hands the socket over), and is read from there.
 */
export function rawRequest(
  base: string,
  init: { method: string; path: string; headers?: Record<string, string>; chunks?: Buffer[] },
  timeoutMs = 30_000,
): Promise<RawAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: init.method, path: init.path, headers: init.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parse(text) });
        });
        res.on("error", reject);
      },
    );
    req.on("connect", (res, socket, head) => {
      const chunks: Buffer[] = [head];
      socket.on("data", (chunk: Buffer) => chunks.push(chunk));
      socket.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parse(text) });
      });
      socket.on("error", reject);
    });
    req.on("error", reject);
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`no answer to ${init.method} ${init.path} in ${timeoutMs} ms`)),
    );
    for (const chunk of init.chunks ?? []) req.write(chunk);
    req.end();
  });
}
