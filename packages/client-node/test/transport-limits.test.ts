/**
 * Issue 10, points 8 and 13, on both transports of the Node client over real sockets: the
 * per-attempt timeout covers reading the whole body (a server that trickles a byte every 200 ms), and
 * a body over `maxResponseBytes` stops being read and is a ContactsApiError.
 */
import type { ServerResponse } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { answerEstablish, type Loopback, startLoopback } from "../../../tests/support/loopback.js";
import {
  ContactsApiError,
  ContactsTimeoutError,
  ContactsValidationError,
  clearTokenCache,
  createContactsClient,
  type NodeClientOptions,
} from "../src/index.js";

let server: Loopback;
const timers = new Set<ReturnType<typeof setInterval>>();
beforeAll(async () => {
  server = await startLoopback();
});
afterEach(() => {
  server.onEstablish = answerEstablish;
  server.hits = {};
  for (const timer of timers) clearInterval(timer);
  timers.clear();
  clearTokenCache();
});
afterAll(() => server.close());

const clientFor = (transport: "fetch" | "undici", options: Partial<NodeClientOptions> = {}) =>
  createContactsClient({
    clientId: "id",
    clientSecret: "secret",
    authBaseUrl: server.url,
    baseUrl: server.url,
    transport,
    retry: false,
    ...options,
  });

/** Writes 16 KiB chunks until the client goes away (64 MiB at most); `gone` resolves then. */
function endless(status: number) {
  let closed!: () => void;
  const gone = new Promise<void>((resolve) => {
    closed = resolve;
  });
  const handle = (_request: unknown, _body: string, response: ServerResponse) => {
    response.writeHead(status, { "content-type": "application/json" });
    const chunk = " ".repeat(16 * 1024);
    let written = 0;
    const write = () => {
      while (!response.destroyed && written < 64 * 1024 * 1024) {
        written += chunk.length;
        if (!response.write(chunk)) return void response.once("drain", write);
      }
    };
    response.on("close", closed);
    write();
  };
  return { handle, gone };
}

describe.each(["fetch", "undici"] as const)("the %s transport", (transport) => {
  it("times out while a server trickles the body (the limit covers the whole read, not the gaps)", async () => {
    const client = clientFor(transport);
    // A first call with the default limit takes the token: only the trickled attempt runs under 1.5 s.
    await client.establish(["warm"]);
    server.hits = {};
    server.onEstablish = (_request, _body, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write("{");
      // A byte every 200 ms: an idle timer would never fire, only a limit on the whole attempt does.
      const trickle = setInterval(() => response.write(" "), 200);
      timers.add(trickle);
      response.on("close", () => clearInterval(trickle));
    };
    const error = await client.establish(["Key1"], { timeoutMs: 1_500 }).catch((e: unknown) => e);
    await client.close();
    expect(error).toBeInstanceOf(ContactsTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 1_500 });
    expect(server.hits["/contacts/v1/establish"]).toBe(1);
  });

  it("stops reading a body over maxResponseBytes: ContactsApiError, not retried", async () => {
    const body = endless(200);
    server.onEstablish = body.handle;
    const client = clientFor(transport, { maxResponseBytes: 32 * 1024, retry: { attempts: 3, baseDelayMs: 1 } });
    const error = await client.establish(["Key1"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsApiError);
    expect(error).toMatchObject({ status: 200, retryable: false });
    expect((error as Error).message).toContain("maxResponseBytes (32768)");
    await body.gone;
    await client.close();
    expect(server.hits["/contacts/v1/establish"]).toBe(1);
  });

  it("caps raw answers with the same setting", async () => {
    server.onEstablish = endless(200).handle;
    const client = clientFor(transport, { maxResponseBytes: 32 * 1024 });
    const error = await client.raw
      .POST("/contacts/v1/establish", { body: { ContactKeys: ["Key1"] } })
      .catch((e: unknown) => e);
    await client.close();
    expect(error).toBeInstanceOf(ContactsApiError);
    expect((error as Error).message).toContain("maxResponseBytes (32768)");
  });

  it("reads an answer within the cap as usual", async () => {
    const client = clientFor(transport, { maxResponseBytes: 32 * 1024 });
    const result = await client.establish(["a", "b"]);
    await client.close();
    expect(result.contacts.map((c) => c.key)).toEqual(["a", "b"]);
  });

  // Review defect 6: raw had no time limit at all; a trickling server kept it pending forever.
  it("raw has the client's timeoutMs too, reading the body included", async () => {
    // The token is taken first with the default limit: only the trickled raw request runs under 1.5 s.
    const warm = clientFor(transport);
    await warm.establish(["warm"]);
    await warm.close();
    server.onEstablish = (_request, _body, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write("{");
      const trickle = setInterval(() => response.write(" "), 200);
      timers.add(trickle);
      response.on("close", () => clearInterval(trickle));
    };
    const client = clientFor(transport, { timeoutMs: 1_500 });
    const call = client.raw.POST("/contacts/v1/establish", { body: { ContactKeys: ["Key1"] } });
    let guard: ReturnType<typeof setTimeout> | undefined;
    const hang = new Promise((resolve) => (guard = setTimeout(resolve, 30_000, "still pending after 30 s")));
    const error = await Promise.race([call, hang]).catch((e: unknown) => e);
    clearTimeout(guard);
    await client.close();
    expect(error).toBeInstanceOf(ContactsTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 1_500 });
  });

  it("establish keeps a call's longer timeoutMs, whatever raw's limit", async () => {
    const warm = clientFor(transport);
    await warm.establish(["warm"]);
    await warm.close();
    // Answers after 600 ms: the client's 200 ms would cut it; the call allows far more.
    server.onEstablish = (request, body, response) => {
      setTimeout(() => answerEstablish(request, body, response), 600);
    };
    const client = clientFor(transport, { timeoutMs: 200 });
    const result = await client.establish(["Key1"], { timeoutMs: 60_000 });
    await client.close();
    expect(result.contacts.map((c) => c.key)).toEqual(["Key1"]);
  });

  it("refuses a timeoutMs a timer cannot honour when the client is created", () => {
    for (const timeoutMs of [2 ** 31, Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(() => clientFor(transport, { timeoutMs })).toThrow(ContactsValidationError);
    }
  });
});
