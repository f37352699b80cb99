/**
 * Issue 14, point 5: establish without openapi-fetch. `fetchTransport` is the one direct fetch the
 * browser client and the Node client (default transport, no middleware) share: through
 * openapi-fetch each request was three `Request`s and two `Response`s, each with its web streams.
 * What it must keep: the global fetch looked up at each request (msw replaces it after the client
 * exists), an app's fetch given one `Request`, `redirect: "manual"`, the attempt's signal, the body
 * cap, and the text decoded as `Response.text()` decodes it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ContactsApiError, type TransportRequest } from "../src/index.js";
import { fetchTransport } from "../src/internal.js";

const REST = "https://tenant-1.rest.marketingcloudapis.com";
const request = (overrides: Partial<TransportRequest> = {}): TransportRequest => ({
  baseUrl: REST,
  body: { ContactKeys: ["Key1", "Key2"], IncludeNewContactAwareness: true },
  headers: { authorization: "Bearer t0ken" },
  maxResponseBytes: 1024,
  signal: new AbortController().signal,
  ...overrides,
});

const original = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = original;
});

describe("fetchTransport() without a fetch of the app's", () => {
  it("calls the global fetch of the moment with the URL and an init: no Request of its own", async () => {
    const transport = fetchTransport();
    // Replaced after the transport exists, as msw's server.listen() in a test's beforeAll does.
    const calls: Array<[unknown, RequestInit | undefined]> = [];
    globalThis.fetch = (async (input: unknown, init?: RequestInit) => {
      calls.push([input, init]);
      return new Response('{"items":[]}', { status: 200, headers: { "x-request-id": "r-1" } });
    }) as typeof fetch;
    const sent = request();
    const reply = await transport(sent);
    expect(calls).toHaveLength(1);
    const [input, init] = calls[0] ?? [];
    expect(input).toBe(`${REST}/contacts/v1/establish`);
    expect(init).toMatchObject({
      method: "POST",
      redirect: "manual",
      headers: { authorization: "Bearer t0ken", "content-type": "application/json" },
    });
    expect(init?.signal).toBe(sent.signal);
    expect(JSON.parse(String(init?.body))).toEqual(sent.body);
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('{"items":[]}');
    expect(reply.header("X-Request-Id")).toBe("r-1");
  });
});

describe("fetchTransport(send)", () => {
  it("hands the app's fetch one Request: POST, redirect manual, JSON, the attempt's signal", async () => {
    const seen: Request[] = [];
    const transport = fetchTransport(async (sent) => {
      seen.push(sent);
      return new Response("{}");
    });
    const controller = new AbortController();
    await transport(request({ signal: controller.signal }));
    expect(seen).toHaveLength(1);
    const sent = seen[0] as Request;
    expect(sent.url).toBe(`${REST}/contacts/v1/establish`);
    expect(sent.method).toBe("POST");
    expect(sent.redirect).toBe("manual");
    expect(sent.headers.get("content-type")).toBe("application/json");
    expect(sent.headers.get("authorization")).toBe("Bearer t0ken");
    expect(await sent.json()).toEqual(request().body);
    // The Request follows the attempt's signal.
    controller.abort(new Error("the attempt's time limit"));
    expect(sent.signal.aborted).toBe(true);
  });

  it("reads at most maxResponseBytes: past that, a ContactsApiError naming the cap", async () => {
    const transport = fetchTransport(async () => new Response("x".repeat(2048)));
    const error = await transport(request({ maxResponseBytes: 1024 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsApiError);
    expect((error as Error).message).toContain("maxResponseBytes (1024)");
  });

  it("decodes the text as Response.text() does: UTF-8, a byte-order mark dropped, bad bytes replaced", async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('{"k":"é"}'), 0xff]);
    const transport = fetchTransport(async () => new Response(bytes));
    const { text } = await transport(request());
    expect(text).toBe(await new Response(bytes).text());
    expect(text).toBe('{"k":"é"}\uFFFD');
  });

  it("gives a redirect back as it is, unread and unfollowed: the pipeline refuses it", async () => {
    const transport = fetchTransport(async () => new Response(null, { status: 302, headers: { location: "/x" } }));
    const reply = await transport(request());
    expect(reply.status).toBe(302);
    expect(reply.text).toBe("");
  });
});
