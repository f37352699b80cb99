/**
 * Issue 14, point 4: the undici transport sends establish through the agent's `dispatch` (the
 * layer under undici's `request`) and counts the body as it arrives. Against a raw socket server
 * that writes exactly the bytes each test needs: a content-length over the cap is refused at the
 * headers (nothing more is read, not even waited for); a server that sends more than its
 * content-length gives no more than that length (undici's parser ends the body there, so a lie
 * cannot push an answer past the cap); informational (1xx) answers before the answer are skipped.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { createServer, type Server, type Socket } from "node:net";
import { Agent } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { establishAnswerFor, type Loopback, startLoopback } from "../../../tests/support/loopback.js";
import { ContactsApiError, clearTokenCache, createContactsClient, type NodeClientOptions } from "../src/index.js";

/** Answers one request on a raw socket: writes whatever it likes. */
type Responder = (socket: Socket, body: string) => void;

interface RawServer {
  url: string;
  responder: Responder;
  /** Requests received. */
  requests: number;
  /** Resolves when the socket of the latest request closes. */
  closed: Promise<void>;
  close(): Promise<void>;
}

/** A bare TCP server on 127.0.0.1 that reads an HTTP/1.1 request with a content-length body. */
async function startRawServer(): Promise<RawServer> {
  const sockets = new Set<Socket>();
  let closedNow = () => {};
  const state: RawServer = {
    url: "",
    responder: () => {},
    requests: 0,
    closed: Promise.resolve(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    let buffered = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString("latin1");
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      const body = buffered.subarray(end + 4, end + 4 + length).toString("utf8");
      buffered = buffered.subarray(end + 4 + length);
      state.requests++;
      state.closed = new Promise<void>((resolve) => {
        closedNow = resolve;
      });
      socket.once("close", () => closedNow());
      state.responder(socket, body);
    });
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  state.url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return state;
}

let auth: Loopback;
let rest: RawServer;
beforeAll(async () => {
  auth = await startLoopback();
  rest = await startRawServer();
});
afterEach(() => {
  rest.requests = 0;
  clearTokenCache();
});
afterAll(async () => {
  await auth.close();
  await rest.close();
});

const clientFor = (options: Partial<NodeClientOptions> = {}) =>
  createContactsClient({
    clientId: "id",
    clientSecret: "secret",
    authBaseUrl: auth.url,
    baseUrl: rest.url,
    transport: "undici",
    retry: { attempts: 3, baseDelayMs: 1 },
    ...options,
  });

const head = (status: string, headers: Record<string, string | number>) =>
  `HTTP/1.1 ${status}\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("")}\r\n`;

describe("the undici transport, against a raw socket server", () => {
  it("refuses a content-length over maxResponseBytes at the headers, without waiting for the body", async () => {
    // The headers announce 1 MiB, and then nothing comes: reading would wait until the time limit.
    rest.responder = (socket) =>
      void socket.write(head("200 OK", { "content-type": "application/json", "content-length": 1024 * 1024 }));
    const client = clientFor({ maxResponseBytes: 1024, timeoutMs: 30_000 });
    const error = await client.establish(["Key1"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsApiError);
    expect(error).toMatchObject({ status: 200, retryable: false });
    expect((error as Error).message).toContain("maxResponseBytes (1024)");
    expect(rest.requests).toBe(1);
    // The client dropped the connection (a hang guard, not a speed limit: the test's own timeout).
    await rest.closed;
    await client.close();
  });

  it("reads no more than the content-length a server announces, whatever it sends after", async () => {
    rest.responder = (socket, body) => {
      const answer = Buffer.from(establishAnswerFor(body));
      socket.write(head("200 OK", { "content-type": "application/json", "content-length": answer.length }));
      // The answer, then 256 KiB the content-length does not count: past the cap if it were read.
      socket.write(Buffer.concat([answer, Buffer.alloc(256 * 1024, 0x20)]));
    };
    const client = clientFor({ maxResponseBytes: 4096, retry: false });
    const result = await client.establish(["a", "b"]);
    expect(result.contacts.map((c) => c.key)).toEqual(["a", "b"]);
    await client.close();
  });

  it("skips informational answers (103 Early Hints) before the answer", async () => {
    rest.responder = (socket, body) => {
      const answer = Buffer.from(establishAnswerFor(body));
      socket.write(head("103 Early Hints", { link: "</style.css>; rel=preload" }));
      socket.write(head("200 OK", { "content-type": "application/json", "content-length": answer.length }));
      socket.write(answer);
    };
    const client = clientFor({ retry: false });
    const result = await client.establish(["a"]);
    expect(result.contacts.map((c) => c.key)).toEqual(["a"]);
    await client.close();
  });

  it("reads a chunked answer within the cap", async () => {
    rest.responder = (socket, body) => {
      const answer = establishAnswerFor(body);
      const half = Math.floor(answer.length / 2);
      const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
      socket.write(head("200 OK", { "content-type": "application/json", "transfer-encoding": "chunked" }));
      socket.write(chunk(answer.slice(0, half)));
      socket.write(`${chunk(answer.slice(half))}0\r\n\r\n`);
    };
    const client = clientFor({ maxResponseBytes: 4096, retry: false });
    const result = await client.establish(["a", "b", "c"]);
    expect(result.contacts.map((c) => c.key)).toEqual(["a", "b", "c"]);
    await client.close();
  });
});

describe("a call that failed while its request waited for a connection", () => {
  it("is never sent later, when a connection frees up (review of issue 14, S2)", async () => {
    // The agent keeps at most 128 connections to an origin. The server holds every request it
    // gets: 128 calls take every connection, and 2 more wait in the agent's queue. Those 2 are
    // aborted there; then the server answers the held ones, connections free up, and the agent
    // takes its queue: a queued request whose call already failed must be dropped, not sent.
    //
    // Judged by what undici did, step by step, not by timers racing: the agent's dispatch is
    // watched (a request entering it), and undici publishes `undici:client:sendHeaders` just
    // before it writes a request to its socket.
    const entered = new Set<string>();
    const written: string[] = [];
    const failed = new Set<string>();
    const writtenAfterFailing: string[] = [];
    const keyOf = (request: { origin?: unknown; body?: unknown }): string | undefined =>
      String(request.origin) === rest.url ? /"(q\d+)"/.exec(String(request.body))?.[1] : undefined;
    const onSendHeaders = (message: unknown) => {
      const key = keyOf((message as { request: { origin?: unknown; body?: unknown } }).request);
      if (key === undefined) return;
      written.push(key);
      if (failed.has(key)) writtenAfterFailing.push(key);
    };
    /** Resolves once `done()` holds; fails the test with `what` after 30 s (a bound, not a guess at timing). */
    const until = async (done: () => boolean, what: string) => {
      for (const deadline = Date.now() + 30_000; !done(); ) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const held: Array<{ socket: Socket; body: string }> = [];
    rest.responder = (socket, body) => void held.push({ socket, body });
    const client = clientFor({ retry: false, timeoutMs: 60_000 });
    const dispatch = Agent.prototype.dispatch;
    Agent.prototype.dispatch = function (this: Agent, options, handler) {
      const key = keyOf(options as { origin?: unknown; body?: unknown });
      if (key !== undefined) entered.add(key);
      return dispatch.call(this, options, handler);
    };
    subscribe("undici:client:sendHeaders", onSendHeaders);
    try {
      const busy = Array.from({ length: 128 }, (_, i) => client.establish([`q${i}`]));
      await until(() => held.length === 128, "the server to hold 128 requests");
      const aborts = [new AbortController(), new AbortController()];
      const queued = aborts.map((controller, i) =>
        client.establish([`q${128 + i}`], { signal: controller.signal }).then(
          () => "answered",
          () => {
            failed.add(`q${128 + i}`);
            return "failed";
          },
        ),
      );
      await until(() => entered.has("q128") && entered.has("q129"), "the 2 calls to enter the agent");
      expect(written).toHaveLength(128);
      for (const controller of aborts) controller.abort();
      expect(await Promise.all(queued)).toEqual(["failed", "failed"]);

      rest.responder = (socket, body) => {
        const answer = Buffer.from(establishAnswerFor(body));
        socket.write(head("200 OK", { "content-type": "application/json", "content-length": answer.length }));
        socket.write(answer);
      };
      for (const { socket, body } of held.splice(0)) rest.responder(socket, body);
      expect((await Promise.all(busy)).length).toBe(128);
      // close() resolves once the agent's queue is empty: every queued request has been written
      // or dropped by then, so no wait is guessed.
      await client.close();
    } finally {
      Agent.prototype.dispatch = dispatch;
      unsubscribe("undici:client:sendHeaders", onSendHeaders);
    }
    expect(writtenAfterFailing).toEqual([]);
    expect(written.filter((key) => key === "q128" || key === "q129")).toEqual([]);
    expect(rest.requests).toBe(128);
  });
});
