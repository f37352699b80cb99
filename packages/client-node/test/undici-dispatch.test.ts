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
    // gets, so 130 calls leave at least 2 queued in the agent; every call times out. Then the
    // server answers the held ones and the client closes, which waits for the agent's queue: a
    // queued request whose call already failed must be dropped there, not sent.
    //
    // Judged by what undici decided, not by when the server got round to reading: undici
    // publishes `undici:client:sendHeaders` just before it writes a request to its socket. A
    // request written before its call failed can still be read by the server after the calls
    // failed (on a busy machine that is a later turn of the loop), so the server's count is no
    // measure of "sent later".
    const failed = new Set<string>();
    const written: string[] = [];
    const writtenAfterFailing: string[] = [];
    const onSendHeaders = (message: unknown) => {
      const { request } = message as { request: { origin?: unknown; body?: unknown } };
      if (String(request.origin) !== rest.url) return;
      const key = /"(q\d+)"/.exec(String(request.body))?.[1];
      if (key === undefined) return;
      written.push(key);
      if (failed.has(key)) writtenAfterFailing.push(key);
    };
    const held: Array<{ socket: Socket; body: string }> = [];
    rest.responder = (socket, body) => void held.push({ socket, body });
    const client = clientFor({ retry: false });
    subscribe("undici:client:sendHeaders", onSendHeaders);
    try {
      const calls = 130;
      const outcomes = await Promise.all(
        Array.from({ length: calls }, (_, i) =>
          client.establish([`q${i}`], { timeoutMs: 1_000 }).then(
            () => "ok",
            (error: Error) => {
              failed.add(`q${i}`);
              return error.name;
            },
          ),
        ),
      );
      expect(outcomes.every((name) => name === "ContactsTimeoutError")).toBe(true);
      expect(writtenAfterFailing).toEqual([]);
      // The observer sees this server's writes, and some calls were still queued when they failed.
      expect(written.length).toBeGreaterThan(0);
      expect(written.length).toBeLessThanOrEqual(calls - 2);
      rest.responder = (socket, body) => {
        const answer = Buffer.from(establishAnswerFor(body));
        socket.write(head("200 OK", { "content-type": "application/json", "content-length": answer.length }));
        socket.write(answer);
      };
      for (const { socket, body } of held.splice(0)) rest.responder(socket, body);
      // close() resolves once the agent's queue is empty: every queued request has been written
      // or dropped by then, so no wait is guessed.
      await client.close();
    } finally {
      unsubscribe("undici:client:sendHeaders", onSendHeaders);
    }
    expect(writtenAfterFailing).toEqual([]);
    expect(new Set(written).size).toBe(written.length);
    expect(rest.requests).toBeLessThanOrEqual(written.length);
  });
});
