/**
 * Issue 16, the Node adapter under real node:http, on both of its paths (the fast path a proxy of
 * this package takes, and the Fetch path any other handler takes): an authorize that reads the
 * body, a body another middleware consumed or left a 'readable' listener on, and a keep-alive
 * connection after an upload refused mid-stream. The two paths must decide the same.
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { toNodeListener } from "../../src/node-listener.js";
import type { ContactsProxyOptions } from "../../src/options.js";
import { proxyWithFake } from "../support/fake-upstream.js";

const ROUTE = "/api/sfmc/contacts/v1/establish";
const HEADERS = { "content-type": "application/json", cookie: "session=ok" };
const BODY = '{"ContactKeys":["a"]}';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A node:http server: `before` plays a middleware in front of the proxy's listener. */
async function serveWith(listener: ReturnType<typeof toNodeListener>, before: (request: IncomingMessage) => void) {
  const server = createServer((request, response) => {
    before(request);
    void listener(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

function send(
  port: number,
  body: string,
  headers: Record<string, string> = HEADERS,
  agent: Agent | false = false,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: "127.0.0.1", port, path: ROUTE, method: "POST", headers, agent },
      (incoming) => {
        let text = "";
        incoming.setEncoding("utf8");
        incoming.on("data", (chunk: string) => {
          text += chunk;
        });
        incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, text }));
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

const responses = (events: unknown[]) =>
  (events as Array<{ type: string; status?: number; reason?: string }>)
    .filter((event) => event.type === "response")
    .map((event) => `${event.status}:${event.reason}`);

function setUp(path: "fast" | "fetch", options: Partial<ContactsProxyOptions<string>>) {
  const made = proxyWithFake(options);
  const handler = path === "fast" ? made.proxy : (request: Request) => made.proxy(request);
  return { ...made, listener: toNodeListener(handler) };
}

describe.each(["fast", "fetch"] as const)("toNodeListener, %s path", (path) => {
  it("an authorize that reads the body: 500, nothing forwarded (it must decide from the headers)", async () => {
    const { listener, upstream, events } = setUp(path, {
      authorize: async (request) => {
        await request.text().catch(() => "");
        return { identity: "u" };
      },
    });
    const port = await serveWith(listener, () => {});
    const answer = await send(port, BODY);
    expect(answer.status).toBe(500);
    expect(upstream.calls).toHaveLength(0);
    expect(events.at(-1)).toMatchObject({
      type: "response",
      status: 500,
      reason: "internal",
      error: expect.objectContaining({ message: expect.stringContaining("authorize read the request body") }),
    });
  });

  it("a body a middleware's 'data' tap consumed while authorize ran: answered at once, never a 408", async () => {
    const { listener, upstream, events } = setUp(path, {
      // Long enough that a wait for it would fail the status check below, not the hang guard.
      bodyTimeoutMs: 20_000,
      authorize: async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return { identity: "u" };
      },
    });
    const port = await serveWith(listener, (request) => request.on("data", () => {}));
    const answer = await send(port, BODY);
    expect(answer.status === 500 || answer.status === 400).toBe(true);
    expect(responses(events)).not.toContain("408:body-timeout");
    expect(upstream.calls).toHaveLength(0);
  });

  it("a 'readable' listener another middleware left: the body is still read, and forwarded", async () => {
    const { listener, upstream } = setUp(path, { bodyTimeoutMs: 20_000 });
    const port = await serveWith(listener, (request) => request.on("readable", () => {}));
    const answer = await send(port, BODY);
    expect(answer.status).toBe(200);
    expect(upstream.calls[0]?.body).toEqual({ ContactKeys: ["a"] });
  });

  it("a keep-alive connection after a 413 mid-stream: closed, so the next request gets its answer", async () => {
    const { listener, events } = setUp(path, { maxBodyBytes: 256 });
    const port = await serveWith(listener, () => {});
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    closers.push(async () => agent.destroy());
    const first = await send(port, "x".repeat(200_000), { ...HEADERS, "transfer-encoding": "chunked" }, agent);
    expect(first.status).toBe(413);
    // Without the close, this request would wait on the old socket for ever (the hang guard).
    const second = await send(port, BODY, HEADERS, agent);
    expect(second.status).toBe(200);
    expect(responses(events)).toEqual(["413:too-large", "200:upstream"]);
  });
});
