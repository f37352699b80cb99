/** The browser client in real Chromium, against the mocks through a service worker. */
import { createContactsMock } from "@sfmc-contacts/mocks";
import { setupContactsWorker } from "@sfmc-contacts/mocks/browser";
import { HttpResponse, http } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ContactsApiError, ContactsValidationError, createContactsClient } from "../src/index.js";

const REST = "https://tenant-b.rest.marketingcloudapis.com";
const TOKEN = "token-from-my-backend";
const mock = createContactsMock({ seed: 3, auth: { staticToken: TOKEN } });
const proxy = createContactsMock({ seed: 3, baseUrl: "/api/sfmc", auth: false });
const { worker } = setupContactsWorker(mock, ...proxy.handlers);
const establishCalls = () => mock.requests.filter((r) => r.route === "establish");

beforeAll(async () => {
  await worker.start({
    quiet: true,
    onUnhandledRequest: (request, print) => {
      const url = new URL(request.url);
      if (url.hostname.endsWith("marketingcloudapis.com") || url.pathname.startsWith("/api/")) print.error();
    },
  });
});
afterEach(() => {
  worker.resetHandlers();
  mock.reset();
  proxy.reset();
});
afterAll(() => worker.stop());

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 2_000 } };

describe("in Chromium", () => {
  it("establishes with a token from the app's backend", async () => {
    const client = createContactsClient({ baseUrl: REST, accessToken: TOKEN, ...fast });
    const result = await client.establish(["Key1", "Key2"]);
    expect(result.contacts.map((c) => [c.key, c.isNew])).toEqual([
      ["Key1", true],
      ["Key2", true],
    ]);
    expect(establishCalls()[0]?.body).toEqual({ ContactKeys: ["Key1", "Key2"], IncludeNewContactAwareness: true });
    expect(establishCalls()[0]?.headers.authorization).toBe("Bearer [redacted]");
  });

  it("establishes through the app's proxy with no auth at all", async () => {
    const client = createContactsClient({ baseUrl: "/api/sfmc", ...fast });
    const result = await client.establish(["p1"]);
    expect(result.contacts).toHaveLength(1);
    expect(proxy.requests[0]?.headers).not.toHaveProperty("authorization");
  });

  it("calls the token function again once after a 401, and retries once", async () => {
    const tokens = ["stale-token", TOKEN];
    let asked = 0;
    const client = createContactsClient({ baseUrl: REST, accessToken: () => tokens[asked++] ?? TOKEN, ...fast });
    const result = await client.establish(["Key1"]);
    expect(result.contacts).toHaveLength(1);
    expect(asked).toBe(2);
    expect(establishCalls()).toHaveLength(2);
  });

  it("does not retry a 401 with a fixed token", async () => {
    const client = createContactsClient({ baseUrl: REST, accessToken: "wrong", ...fast });
    await expect(client.establish(["Key1"])).rejects.toMatchObject({ name: "ContactsApiError", status: 401 });
    expect(establishCalls()).toHaveLength(1);
  });

  it("checks keys before sending anything", async () => {
    const client = createContactsClient({ baseUrl: REST, accessToken: TOKEN });
    const error = await client.establish(["ok", "k".repeat(255)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsValidationError);
    expect(error).toMatchObject({ index: 1 });
    expect(mock.requests).toEqual([]);
  });

  it("retries a rate limit and honours Retry-After", async () => {
    worker.use(mock.scenarios.rateLimited({ retryAfter: 1, once: true }));
    const client = createContactsClient({ baseUrl: REST, accessToken: TOKEN, ...fast });
    const started = performance.now();
    await client.establish(["Key1"]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(establishCalls()).toHaveLength(2);
  });

  it("reports item errors and unwraps the array form", async () => {
    worker.use(mock.scenarios.itemErrors(["bad"], { once: true }));
    const client = createContactsClient({ baseUrl: REST, accessToken: TOKEN, ...fast });
    const result = await client.establish(["good", "bad"]);
    expect(result.failures.map((f) => [f.key, f.code])).toEqual([["bad", "ITEM_ERROR"]]);
    worker.use(mock.scenarios.arrayWrapped({ once: true }));
    expect((await client.establish(["good"])).contacts[0]?.isNew).toBe(false);
  });

  it("gives a typed ContactsApiError for a refusal", async () => {
    worker.use(mock.scenarios.forbidden());
    const error = await createContactsClient({ baseUrl: REST, accessToken: TOKEN })
      .establish(["a"])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsApiError);
    expect(error).toMatchObject({ status: 403, errorcode: 20002 });
    expect(String(error)).not.toContain(TOKEN);
  });

  it("runs establishAll in batches", async () => {
    const client = createContactsClient({ baseUrl: REST, accessToken: TOKEN, ...fast });
    const summary = await client
      .establishAll(
        Array.from({ length: 120 }, (_, i) => `k${i}`),
        { batchSize: 50, concurrency: 2 },
      )
      .done();
    expect(summary).toMatchObject({ total: 120, established: 120, notSent: 0, batches: 3 });
  });

  it("exposes raw, the typed openapi-fetch client, with the token and middleware", async () => {
    const seen: string[] = [];
    const client = createContactsClient({
      baseUrl: REST,
      accessToken: TOKEN,
      middleware: [{ onRequest: ({ request }) => void seen.push(request.method) }],
    });
    const { data, response } = await client.raw.POST("/contacts/v1/establish", { body: { ContactKeys: ["raw"] } });
    expect(response.status).toBe(200);
    expect(data?.items[0]?.value.requestedContactKey).toBe("raw");
    expect(seen).toEqual(["POST"]);
  });

  it("refuses a base URL that is neither http(s) nor a path", () => {
    expect(() => createContactsClient({ baseUrl: "ftp://x" })).toThrow(ContactsValidationError);
    expect(() => createContactsClient({ baseUrl: "api/sfmc" })).toThrow(/baseUrl/);
  });
});

describe("base URLs (issue 10, points 5 and 15)", () => {
  it.each([
    ["a protocol-relative //host", "//evil.example"],
    ["/\\host, which a URL parser reads as //host", "/\\evil.example"],
    ["\\\\host", "\\\\evil.example"],
    ["/\\/host", "/\\/evil.example"],
    ["a tab inside //, which a URL parser drops", "/\t/evil.example"],
    ["plain http to another host", "http://tenant-b.rest.marketingcloudapis.com"],
    ["plain http to a LAN address", "http://192.168.1.20/api"],
    ["a relative path without a leading slash", "api/sfmc"],
  ])("refuses %s", (_, baseUrl) => {
    expect(() => createContactsClient({ baseUrl })).toThrow(ContactsValidationError);
    expect(() => createContactsClient({ baseUrl })).toThrow(/baseUrl/);
  });

  it.each([
    "https://tenant-b.rest.marketingcloudapis.com",
    "http://localhost:8080/api",
    "http://127.0.0.1:3000",
    "http://[::1]:3000",
  ])("accepts %s", (baseUrl) => {
    expect(() => createContactsClient({ baseUrl })).not.toThrow();
  });

  it("resolves a /path against the page's location, and establishes through it", async () => {
    const seen: string[] = [];
    const client = createContactsClient({
      baseUrl: "/api/sfmc/",
      fetch: (request) => {
        seen.push(request.url);
        return fetch(request);
      },
      ...fast,
    });
    const result = await client.establish(["p1"]);
    expect(result.contacts).toHaveLength(1);
    expect(seen).toEqual([`${location.origin}/api/sfmc/contacts/v1/establish`]);
  });
});

describe("redirects are refused (issue 10, point 1)", () => {
  const ELSEWHERE = "https://elsewhere.example/contacts/v1/establish";
  let elsewhere = 0;
  const redirecting = (status: number) =>
    http.post(`${REST}/contacts/v1/establish`, () => new Response(null, { status, headers: { location: ELSEWHERE } }));
  const counting = http.post(ELSEWHERE, () => {
    elsewhere++;
    return HttpResponse.json({ items: [], resultMessages: [] });
  });

  it.each([301, 302, 303, 307, 308])("a %i: ContactsApiError, once, nothing sent to the Location", async (status) => {
    elsewhere = 0;
    worker.use(redirecting(status), counting);
    const error = await createContactsClient({ baseUrl: REST, accessToken: TOKEN, ...fast })
      .establish(["Key1"])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsApiError);
    expect(error).toMatchObject({ retryable: false });
    expect((error as Error).message).toContain('redirect: "manual"');
    expect(elsewhere).toBe(0);
  });

  it("a 307 through raw and middleware (openapi-fetch): the same error, nothing sent elsewhere", async () => {
    elsewhere = 0;
    worker.use(redirecting(307), counting);
    const client = createContactsClient({ baseUrl: REST, accessToken: TOKEN, middleware: [{ onRequest: () => {} }] });
    const error = await client.raw
      .POST("/contacts/v1/establish", { body: { ContactKeys: ["Key1"] }, redirect: "follow" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsApiError);
    expect(await client.establish(["Key1"]).catch((e: unknown) => e)).toBeInstanceOf(ContactsApiError);
    expect(elsewhere).toBe(0);
  });

  it.each([
    ["an opaque redirect (status 0)", () => Response.error()],
    ["a 302 from a fetch that reports it", () => new Response(null, { status: 302 })],
  ])("from the app's own fetch, %s is refused too", async (_, answer) => {
    let calls = 0;
    const client = createContactsClient({
      baseUrl: REST,
      fetch: async () => {
        calls++;
        return answer();
      },
      ...fast,
    });
    const error = await client.establish(["Key1"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsApiError);
    expect((error as Error).message).toContain("Redirect");
    expect(calls).toBe(1);
  });
});

describe("the body cap (issue 10, point 13)", () => {
  it("an answer over maxResponseBytes is a ContactsApiError, not retried", async () => {
    let calls = 0;
    worker.use(
      http.post(`${REST}/contacts/v1/establish`, () => {
        calls++;
        return HttpResponse.json({ items: [], resultMessages: [], padding: " ".repeat(64 * 1024) });
      }),
    );
    const client = createContactsClient({ baseUrl: REST, accessToken: TOKEN, maxResponseBytes: 4096, ...fast });
    const error = await client.establish(["Key1"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsApiError);
    expect(error).toMatchObject({ status: 200, retryable: false });
    expect((error as Error).message).toContain("maxResponseBytes (4096)");
    expect(calls).toBe(1);
  });
});
