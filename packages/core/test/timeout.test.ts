/**
 * Issue 10, point 8: every attempt has a time limit, 30 s unless told otherwise, that covers
 * reading the answer; and a limit a timer cannot honour is refused at once.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ContactsTimeoutError,
  ContactsValidationError,
  createContactsCore,
  type EstablishTransport,
} from "../src/index.js";
import { createSpecClient, openapiFetchTransport } from "../src/openapi-fetch.js";
import { answerEstablish, startServer } from "./http-server.js";

/** A transport that never answers, but stops when its signal aborts (as fetch and undici do). */
const silent: EstablishTransport = ({ signal }) =>
  new Promise((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason)));

const coreWith = (options: { timeoutMs?: number } = {}, transport: EstablishTransport = silent) =>
  createContactsCore({
    auth: { credentials: () => ({ baseUrl: "https://tenant.rest.marketingcloudapis.com" }) },
    raw: createSpecClient({}),
    transport,
    retry: false,
    ...options,
  });

afterEach(() => {
  vi.useRealTimers();
});

describe("the default per-attempt timeout", () => {
  it("is 30 000 ms: a silent server gives ContactsTimeoutError at 30 s, not before", async () => {
    vi.useFakeTimers();
    let settled: unknown;
    const call = coreWith()
      .establish(["Key1"])
      .then(
        () => "resolved",
        (error: unknown) => error,
      )
      .then((outcome) => {
        settled = outcome;
      });
    await vi.advanceTimersByTimeAsync(29_999);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await call;
    expect(settled).toBeInstanceOf(ContactsTimeoutError);
    expect(settled).toMatchObject({ timeoutMs: 30_000 });
  });
});

describe("timeoutMs a timer can honour", () => {
  // setTimeout runs at once for delays over 2^31-1 ms: such a limit timed out every attempt in 1 ms.
  const invalid: Array<[string, number]> = [
    ["2^31", 2 ** 31],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["NaN", Number.NaN],
    ["0", 0],
    ["-1", -1],
    ["1.5", 1.5],
  ];

  it.each(invalid)("refuses %s when the client is created", (_, timeoutMs) => {
    expect(() => coreWith({ timeoutMs })).toThrow(ContactsValidationError);
    expect(() => coreWith({ timeoutMs })).toThrow(/timeoutMs must be a whole number from 1 to 2147483647/);
  });

  it.each(invalid)("refuses %s on one call, before anything is sent", async (_, timeoutMs) => {
    let calls = 0;
    const client = coreWith({}, async () => {
      calls++;
      return { status: 500, header: () => null, text: "" };
    });
    await expect(client.establish(["Key1"], { timeoutMs })).rejects.toBeInstanceOf(ContactsValidationError);
    expect(calls).toBe(0);
  });

  // Review defect 7: establishAll took any timeoutMs at the call; every batch then failed.
  it.each(invalid)("refuses %s at the establishAll call, before anything is read or sent", (_, timeoutMs) => {
    let calls = 0;
    let reads = 0;
    const client = coreWith({}, async () => {
      calls++;
      return { status: 500, header: () => null, text: "" };
    });
    const keys = {
      *[Symbol.iterator]() {
        reads++;
        yield "Key1";
      },
    };
    expect(() => client.establishAll(keys, { timeoutMs })).toThrow(ContactsValidationError);
    expect(() => client.establishAll(keys, { timeoutMs })).toThrow(/timeoutMs must be a whole number/);
    expect([calls, reads]).toEqual([0, 0]);
  });

  it("accepts 2^31-1 ms, the longest a timer can wait", async () => {
    vi.useFakeTimers();
    const client = coreWith({ timeoutMs: 2 ** 31 - 1 });
    let settled = false;
    const call = client
      .establish(["Key1"])
      .catch(() => undefined)
      .finally(() => {
        settled = true;
      });
    await vi.advanceTimersByTimeAsync(60_000);
    // Still waiting: the limit was not cut short.
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(2 ** 31 - 1);
    await call;
    expect(settled).toBe(true);
  });
});

describe("the limit covers reading the answer (real sockets on 127.0.0.1)", () => {
  it("a server that sends its headers, then a byte every 200 ms, times out at timeoutMs (the whole read, not the gaps)", async () => {
    const trickles: Array<ReturnType<typeof setInterval>> = [];
    const server = await startServer((_request, _body, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write("{");
      // A byte every 200 ms: an idle timer would never fire, only a limit on the whole attempt does.
      const trickle = setInterval(() => response.write(" "), 200);
      trickles.push(trickle);
      response.on("close", () => clearInterval(trickle));
    });
    try {
      const raw = createSpecClient({ baseUrl: server.url });
      const client = createContactsCore({
        auth: { credentials: () => ({ baseUrl: server.url }) },
        raw,
        transport: openapiFetchTransport(raw),
        retry: false,
        // Long enough that the request surely reaches the server on a loaded machine.
        timeoutMs: 3_000,
      });
      const error = await client.establish(["Key1"]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ContactsTimeoutError);
      expect(error).toMatchObject({ timeoutMs: 3_000 });
      expect(server.requests).toEqual(["POST /contacts/v1/establish"]);
    } finally {
      for (const trickle of trickles) clearInterval(trickle);
      await server.close();
    }
  });
});

/**
 * Review defect 6: `raw` (the spec client) had no time limit, so a server that trickled its body
 * kept a raw call pending forever, though the docs say every request has one.
 */
describe("raw: the spec client's own limit (real sockets on 127.0.0.1)", () => {
  /** A server that sends its headers, then a byte every 100 ms, never ending. */
  async function trickling() {
    const trickles: Array<ReturnType<typeof setInterval>> = [];
    const server = await startServer((_request, _body, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write("{");
      const trickle = setInterval(() => response.write(" "), 100);
      trickles.push(trickle);
      response.on("close", () => clearInterval(trickle));
    });
    const close = async () => {
      for (const trickle of trickles) clearInterval(trickle);
      await server.close();
    };
    return { server, close };
  }

  /** Rejects when `promise` has not settled within `ms`: a hang guard, far above the limits here. */
  const guard = <T>(promise: Promise<T>, ms = 20_000) =>
    Promise.race([
      promise,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("still pending: no time limit")), ms)),
    ]);

  it("a trickled answer rejects with a ContactsTimeoutError at timeoutMs", async () => {
    const { server, close } = await trickling();
    try {
      const raw = createSpecClient({ baseUrl: server.url, timeoutMs: 300 });
      const error = await guard(raw.POST("/contacts/v1/establish", { body: { ContactKeys: ["Key1"] } })).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ContactsTimeoutError);
      expect(error).toMatchObject({ timeoutMs: 300 });
    } finally {
      await close();
    }
  });

  it("the caller's signal still aborts a request, with its own reason", async () => {
    const { server, close } = await trickling();
    try {
      const raw = createSpecClient({ baseUrl: server.url, timeoutMs: 600_000 });
      const controller = new AbortController();
      const call = raw.POST("/contacts/v1/establish", { body: { ContactKeys: ["Key1"] }, signal: controller.signal });
      controller.abort(new Error("caller gave up"));
      const error = await guard(call).catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(ContactsTimeoutError);
      expect(error).toMatchObject({ message: "caller gave up" });
    } finally {
      await close();
    }
  });

  it("refuses a limit a timer cannot honour", () => {
    expect(() => createSpecClient({ timeoutMs: 2 ** 31 })).toThrow(ContactsValidationError);
  });

  it("establish through the spec client keeps the call's limit, not the spec client's", async () => {
    // Answers after 600 ms: the spec client's 200 ms would cut it; the call allows far more.
    const server = await startServer((request, body, response) => {
      setTimeout(() => answerEstablish(request, body, response), 600);
    });
    try {
      const raw = createSpecClient({ baseUrl: server.url, timeoutMs: 200 });
      const client = createContactsCore({
        auth: { credentials: () => ({ baseUrl: server.url }) },
        raw,
        transport: openapiFetchTransport(raw),
        retry: false,
        timeoutMs: 200,
      });
      const result = await client.establish(["Key1"], { timeoutMs: 60_000 });
      expect(result.contacts.map((c) => c.key)).toEqual(["Key1"]);
    } finally {
      await server.close();
    }
  });
});
