/** The Node client over real sockets on 127.0.0.1, with both transports. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { answerEstablish, type Loopback, startLoopback } from "../../../tests/support/loopback.js";
import {
  type ContactsEvent,
  ContactsNetworkError,
  ContactsTimeoutError,
  clearTokenCache,
  createContactsClient,
  type NodeClientOptions,
} from "../src/index.js";

let server: Loopback;
beforeAll(async () => {
  server = await startLoopback();
});
afterEach(() => {
  server.onEstablish = answerEstablish;
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
    retry: { baseDelayMs: 1, maxDelayMs: 5_000 },
    ...options,
  });

describe.each(["fetch", "undici"] as const)("over real sockets (%s transport)", (transport) => {
  it("establishes through the loopback service", async () => {
    const client = clientFor(transport);
    const result = await client.establish(["a", "b"]);
    expect(result.contacts.map((c) => [c.key, c.contactId])).toEqual([
      ["a", 1000],
      ["b", 1001],
    ]);
    await client.close();
  });

  it("times out on a stalled body, then retries to success", async () => {
    let calls = 0;
    server.onEstablish = (request, body, response) => {
      calls++;
      if (calls === 1) {
        // Headers go out, the body never ends.
        response.writeHead(200, { "content-type": "application/json" });
        response.write('{"items":[');
        return;
      }
      return answerEstablish(request, body, response);
    };
    const retries: ContactsEvent[] = [];
    const client = clientFor(transport, {
      timeoutMs: 200,
      onEvent: (e) => void (e.type === "retry" && retries.push(e)),
    });
    const result = await client.establish(["a"]);
    expect(result.contacts).toHaveLength(1);
    // The stalled attempt timed out and was retried; a busy machine may also time out a healthy one.
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(retries[0]).toMatchObject({
      attempt: 1,
      status: undefined,
      reason: "No answer from Marketing Cloud within 200 ms",
    });
    await client.close();
  });

  it("gives ContactsTimeoutError when every attempt stalls", async () => {
    server.onEstablish = () => {
      // Never answers.
    };
    const client = clientFor(transport, { timeoutMs: 100, retry: { attempts: 2, baseDelayMs: 1 } });
    const error = await client.establish(["a"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsTimeoutError);
    await client.close();
  });

  it("retries after a connection reset", async () => {
    let calls = 0;
    server.onEstablish = (request, body, response) => {
      calls++;
      if (calls === 1) {
        request.socket.destroy();
        return;
      }
      return answerEstablish(request, body, response);
    };
    const client = clientFor(transport);
    expect((await client.establish(["a"])).contacts).toHaveLength(1);
    expect(calls).toBe(2);
    await client.close();
  });

  it("gives ContactsNetworkError when every attempt is reset", async () => {
    server.onEstablish = (request) => {
      request.socket.destroy();
    };
    const client = clientFor(transport, { retry: { attempts: 2, baseDelayMs: 1 } });
    const error = await client.establish(["a"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsNetworkError);
    expect(JSON.stringify(error)).not.toContain("loopback-token");
    await client.close();
  });

  it("honours Retry-After: the retry comes no earlier than it says", async () => {
    const seen: number[] = [];
    server.onEstablish = (request, body, response) => {
      seen.push(Date.now());
      if (seen.length === 1) {
        response
          .writeHead(429, { "content-type": "application/json", "retry-after": "1" })
          .end(JSON.stringify({ message: "Rate limit exceeded", errorcode: 50100, documentation: "", retryAfter: 1 }));
        return;
      }
      return answerEstablish(request, body, response);
    };
    const client = clientFor(transport);
    await client.establish(["a"]);
    expect(seen).toHaveLength(2);
    expect((seen[1] as number) - (seen[0] as number)).toBeGreaterThanOrEqual(1000);
    await client.close();
  });

  it("reuses one kept-alive connection for sequential calls", async () => {
    const before = server.connections;
    const client = clientFor(transport);
    for (let i = 0; i < 5; i++) await client.establish([`k${i}`]);
    // The token and the five calls share connections: one, where nothing else interferes.
    expect(server.connections - before).toBeLessThanOrEqual(transport === "undici" ? 2 : 1);
    await client.close();
  });
});

describe("details a caller can act on", () => {
  it("an API error carries the service's request id", async () => {
    server.onEstablish = (_request, _body, response) => {
      response
        .writeHead(403, { "content-type": "application/json", "x-request-id": "req-42" })
        .end(JSON.stringify({ message: "Insufficient privileges", errorcode: 20002, documentation: "https://docs" }));
    };
    const client = clientFor("undici");
    const error = await client.establish(["a"]).catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 403,
      errorcode: 20002,
      requestId: "req-42",
      documentation: "https://docs",
      retryable: false,
    });
    await client.close();
  });

  it("uses the fetch it is given, for tokens and establish", async () => {
    const seen: string[] = [];
    const client = clientFor("fetch", {
      fetch: (request) => {
        seen.push(new URL(request.url).pathname);
        return fetch(request);
      },
    });
    await client.establish(["a"]);
    expect(seen).toEqual(["/v2/token", "/contacts/v1/establish"]);
  });
});

describe("close()", () => {
  it("closes the undici transport's sockets", async () => {
    const client = clientFor("undici");
    await client.establish(["a"]);
    await client.close();
    await expect(client.establish(["a"])).rejects.toBeInstanceOf(Error);
  });
});
