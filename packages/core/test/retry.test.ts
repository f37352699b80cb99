import { inspect } from "node:util";
import { marketingCloudError } from "@sfmc-contacts/mocks";
import { HttpResponse, http } from "msw";
import { describe, expect, it, vi } from "vitest";
import { retryDelay } from "../src/failure.js";
import {
  ContactsApiError,
  type ContactsEvent,
  ContactsNetworkError,
  ContactsTimeoutError,
  parseRetryAfter,
} from "../src/index.js";
import { establishCalls, makeClient, REST, STATIC_TOKEN, useMock } from "./support.js";

const { server, mock } = useMock();
const ESTABLISH = `${REST}/contacts/v1/establish`;
/** Handlers outside the mock: count what reaches them. */
let hits = 0;
const counted = (respond: () => Response, once = false) =>
  http.post(
    ESTABLISH,
    () => {
      hits++;
      return respond();
    },
    { once },
  );
const status = (code: number, errorcode = 0) =>
  counted(() => HttpResponse.json(marketingCloudError(errorcode, `status ${code}`), { status: code }));

describe("what is retried", () => {
  it.each([
    ["429", () => mock.scenarios.rateLimited({ retryAfter: 0, once: true })],
    ["500", () => mock.scenarios.serverError({ once: true })],
    ["502", () => counted(() => new HttpResponse("Bad Gateway", { status: 502 }), true)],
    ["503", () => mock.scenarios.unavailable({ retryAfter: 0, once: true })],
    ["504", () => counted(() => new HttpResponse("Gateway Timeout", { status: 504 }), true)],
    ["a network error", () => mock.scenarios.networkError({ once: true })],
    ["a 200 that is not JSON", () => mock.scenarios.malformedJson({ once: true })],
  ])("%s is retried, then the call succeeds", async (_, failOnce) => {
    hits = 0;
    server.use(failOnce());
    const result = await makeClient().establish(["Key1"]);
    expect(result.contacts).toHaveLength(1);
    expect(establishCalls(mock).length + hits).toBe(2);
  });

  it.each([
    [400, 10005],
    [401, 0],
    [403, 20002],
    [415, 0],
  ])("%i is never retried", async (code, errorcode) => {
    hits = 0;
    server.use(status(code, errorcode));
    const error = await makeClient()
      .establish(["Key1"])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsApiError);
    expect(error).toMatchObject({ name: "ContactsApiError", code: "CONTACTS_API_ERROR", status: code, errorcode });
    expect(hits).toBe(1);
  });

  it("gives up after `attempts`, with the last error's details", async () => {
    server.use(mock.scenarios.unavailable({ retryAfter: 0 }));
    const error = await makeClient({ retry: { attempts: 3, baseDelayMs: 1 } })
      .establish(["Key1"])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 503,
      errorcode: 50300,
      retryAfter: 0,
      documentation: expect.stringContaining("https://"),
    });
    expect(establishCalls(mock)).toHaveLength(3);
  });

  it("makes one attempt with retry: false", async () => {
    server.use(mock.scenarios.serverError());
    await expect(makeClient({ retry: false }).establish(["Key1"])).rejects.toMatchObject({ status: 500 });
    expect(establishCalls(mock)).toHaveLength(1);
  });

  it("reports a network failure after the last attempt as ContactsNetworkError", async () => {
    server.use(mock.scenarios.networkError());
    const error = await makeClient({ retry: { attempts: 2, baseDelayMs: 1 } })
      .establish(["a"])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsNetworkError);
    expect(error).toMatchObject({ code: "CONTACTS_NETWORK_ERROR" });
  });
});

describe("Retry-After", () => {
  it("waits at least what Retry-After says", async () => {
    server.use(mock.scenarios.rateLimited({ retryAfter: 1, once: true }));
    const events: ContactsEvent[] = [];
    const started = performance.now();
    await makeClient({ onEvent: (e) => events.push(e), retry: { baseDelayMs: 1, maxDelayMs: 5_000 } }).establish([
      "Key1",
    ]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(events.find((e) => e.type === "retry")).toMatchObject({ delayMs: 1000 });
  });

  it("does not wait a Retry-After longer than maxDelayMs: it throws with retryAfter for the caller", async () => {
    server.use(mock.scenarios.rateLimited({ retryAfter: 120 }));
    const error = await makeClient({ retry: { maxDelayMs: 30_000 } })
      .establish(["Key1"])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 429, errorcode: 50100, retryAfter: 120 });
    expect(establishCalls(mock)).toHaveLength(1);
  });

  it("parses seconds and HTTP dates", () => {
    expect(parseRetryAfter("7")).toBe(7000);
    expect(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(10_000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it("backs off exponentially with jitter, capped, never below Retry-After", () => {
    const policy = { attempts: 9, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(retryDelay(1, policy, undefined, () => 0)).toBe(50);
    expect(retryDelay(1, policy, undefined, () => 0.999999)).toBe(100);
    expect(retryDelay(3, policy, undefined, () => 0.999999)).toBe(400);
    expect(retryDelay(8, policy, undefined, () => 0.999999)).toBe(1000);
    expect(retryDelay(1, policy, 700, () => 0)).toBe(700);
    expect(retryDelay(1, policy, 1001)).toBeUndefined();
  });
});

describe("retry events tell what was retried (what the fault suite judges Retry-After from)", () => {
  it("a 429 with Retry-After: the event names the status and the wait it asked for", async () => {
    server.use(mock.scenarios.rateLimited({ retryAfter: 0, once: true }));
    const events: ContactsEvent[] = [];
    await makeClient({ onEvent: (e) => events.push(e) }).establish(["Key1"]);
    expect(events.filter((e) => e.type === "retry")).toEqual([
      expect.objectContaining({ attempt: 1, status: 429, retryAfterMs: 0 }),
    ]);
  });

  it("a 500 without Retry-After names its status and no wait; a network error names neither", async () => {
    server.use(mock.scenarios.serverError({ once: true }));
    server.use(mock.scenarios.networkError({ once: true }));
    const events: ContactsEvent[] = [];
    await makeClient({ onEvent: (e) => events.push(e) }).establish(["Key1"]);
    const retries = events.filter((e) => e.type === "retry");
    expect(retries).toHaveLength(2);
    expect(
      retries.map((e) => [(e as { status?: number }).status, (e as { retryAfterMs?: number }).retryAfterMs]),
    ).toEqual(
      expect.arrayContaining([
        [500, undefined],
        [undefined, undefined],
      ]),
    );
  });
});

describe("a retryAfter in a 429 body that is not a number of seconds (issue 10, point 10)", () => {
  it.each([
    ["a word", "soon"],
    ["null", null],
    ["-1", -1],
    ["a numeric string", "5"],
    ["the text NaN", "NaN"],
    ["an object", { seconds: 5 }],
    ["an array", [5]],
    ["true", true],
  ])("%s: ignored, the retries keep their exponential backoff", async (_, retryAfter) => {
    hits = 0;
    // The random part of the jitter pinned to 0: backoff n is exactly baseDelayMs * 2^(n-1) / 2.
    vi.spyOn(Math, "random").mockReturnValue(0);
    server.use(
      counted(() =>
        HttpResponse.json({ ...marketingCloudError(50100, "Rate limit exceeded."), retryAfter }, { status: 429 }),
      ),
    );
    const events: ContactsEvent[] = [];
    const error = await makeClient({
      onEvent: (e) => events.push(e),
      retry: { attempts: 4, baseDelayMs: 8, maxDelayMs: 1_000 },
    })
      .establish(["Key1"])
      .catch((e: unknown) => e);
    vi.restoreAllMocks();
    expect(events.filter((e) => e.type === "retry").map((e) => (e as { delayMs: number }).delayMs)).toEqual([4, 8, 16]);
    expect(error).toMatchObject({ status: 429, retryAfter: undefined });
    expect(hits).toBe(4);
  });

  it("a number >= 0 is still honoured", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    server.use(
      counted(
        () =>
          HttpResponse.json(
            { ...marketingCloudError(50100, "Rate limit exceeded."), retryAfter: 0.05 },
            { status: 429 },
          ),
        true,
      ),
    );
    const events: ContactsEvent[] = [];
    await makeClient({ onEvent: (e) => events.push(e), retry: { attempts: 2, baseDelayMs: 8 } }).establish(["Key1"]);
    vi.restoreAllMocks();
    expect(events.find((e) => e.type === "retry")).toMatchObject({ delayMs: 50 });
  });
});

describe("timeouts and aborts", () => {
  it("fails an attempt that takes longer than timeoutMs with ContactsTimeoutError", async () => {
    server.use(mock.scenarios.slow(2_000));
    const error = await makeClient({ timeoutMs: 50, retry: false })
      .establish(["Key1"])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsTimeoutError);
    expect(error).toMatchObject({ code: "CONTACTS_TIMEOUT", timeoutMs: 50 });
  });

  it("retries a timed-out attempt", async () => {
    server.use(mock.scenarios.slow(2_000, { once: true }));
    const result = await makeClient({ timeoutMs: 1_000 }).establish(["Key1"]);
    expect(result.contacts).toHaveLength(1);
  });

  it("stops promptly with the signal's reason when the caller aborts", async () => {
    server.use(mock.scenarios.slow(5_000));
    const controller = new AbortController();
    const reason = new Error("user gave up");
    setTimeout(() => controller.abort(reason), 30);
    // The 5 s answer would resolve the call: rejecting with the reason proves the abort ended it.
    await expect(makeClient().establish(["Key1"], { signal: controller.signal })).rejects.toBe(reason);
  });

  it("does not retry after the caller aborts during a backoff", async () => {
    server.use(mock.scenarios.rateLimited({ retryAfter: 1 }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const client = makeClient({ signal: controller.signal, retry: { baseDelayMs: 1, maxDelayMs: 5_000 } });
    await expect(client.establish(["Key1"])).rejects.toMatchObject({ name: "AbortError" });
    expect(establishCalls(mock)).toHaveLength(1);
  });
});

describe("401: one renewal, one retry", () => {
  it("asks the auth source to renew once, then retries once", async () => {
    let renewals = 0;
    let token = "first-token";
    server.use(mock.scenarios.unauthorized({ once: true }));
    const client = makeClient({
      auth: {
        credentials: () => ({
          baseUrl: REST,
          authorization: `Bearer ${token === "first-token" ? token : STATIC_TOKEN}`,
        }),
        renew: () => {
          renewals++;
          token = "second-token";
          return true;
        },
      },
    });
    const result = await client.establish(["Key1"]);
    expect(result.contacts).toHaveLength(1);
    expect(renewals).toBe(1);
    expect(establishCalls(mock)).toHaveLength(2);
  });

  it("gives up with the 401 when the renewed credentials are refused too", async () => {
    let renewals = 0;
    const client = makeClient({
      auth: { credentials: () => ({ baseUrl: REST, authorization: "Bearer nope" }), renew: () => ++renewals > 0 },
    });
    await expect(client.establish(["Key1"])).rejects.toMatchObject({
      status: 401,
      message: expect.stringContaining("Not Authorized"),
    });
    expect(renewals).toBe(1);
    expect(establishCalls(mock)).toHaveLength(2);
  });
});

describe("secrets stay out of errors and events", () => {
  it("no error, event, inspect or JSON of them holds the token", async () => {
    const token = "super-secret-token-value-42";
    const events: ContactsEvent[] = [];
    server.use(mock.scenarios.unauthorized());
    const error = await makeClient({ onEvent: (e) => events.push(e) }, token)
      .establish(["Key1"])
      .catch((e: unknown) => e);
    const dump = [
      JSON.stringify(error),
      inspect(error, { depth: 10, showHidden: true }),
      JSON.stringify(events),
      inspect(events, { depth: 10 }),
    ];
    for (const text of dump) expect(text).not.toContain(token);
    expect(events.map((e) => e.type)).toEqual(["request", "response", "error"]);
  });

  it("a throwing onEvent never breaks a call", async () => {
    const result = await makeClient({
      onEvent: () => {
        throw new Error("logger down");
      },
    }).establish(["Key1"]);
    expect(result.contacts).toHaveLength(1);
  });
});

describe("errors say whether trying again can help", () => {
  it.each([
    [new ContactsApiError("x", { status: 429 }), true],
    [new ContactsApiError("x", { status: 503 }), true],
    [new ContactsApiError("x", { status: 200 }), true],
    [new ContactsApiError("x", { status: 200, retryable: false }), false],
    [new ContactsApiError("x", { status: 400 }), false],
    [new ContactsApiError("x", { status: 403 }), false],
    [new ContactsTimeoutError(5), true],
    [new ContactsNetworkError(new TypeError("fetch failed")), true],
  ])("%s: retryable %s", (error, retryable) => {
    expect(error.retryable).toBe(retryable);
  });

  it("a refused request (request-level Error message in a 200) is not retryable", async () => {
    const error = new ContactsApiError("Marketing Cloud refused the request", { status: 200, retryable: false });
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({
      name: "ContactsApiError",
      code: "CONTACTS_API_ERROR",
      status: 200,
      retryable: false,
    });
  });
});
