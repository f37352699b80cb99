/**
 * Issue 14, point 5: on the default `"fetch"` transport, establish goes without openapi-fetch
 * unless the client has `middleware`. Through openapi-fetch every establish was three `Request`s
 * and two `Response`s (each a set of web streams): most of the client's own cost. Now it is one
 * call of the global fetch, looked up at each request, with the URL and an init (msw, which
 * replaces the global fetch, still sees it: msw-visibility.test.ts), or one `Request` to the app's
 * `fetch`. `middleware` given to the client still sees establish; one added later with
 * `raw.use()` sees `raw` only (as in the browser client).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { answerEstablish, establishAnswerFor, type Loopback, startLoopback } from "../../../tests/support/loopback.js";
import { clearTokenCache, createContactsClient, type NodeClientOptions } from "../src/index.js";

let service: Loopback;
beforeAll(async () => {
  service = await startLoopback();
});
const original = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = original;
  service.onEstablish = answerEstablish;
  service.hits = {};
  clearTokenCache();
});
afterAll(() => service.close());

const clientFor = (options: Partial<NodeClientOptions> = {}) =>
  createContactsClient({
    clientId: "id",
    clientSecret: "secret",
    authBaseUrl: service.url,
    baseUrl: service.url,
    retry: false,
    ...options,
  });

describe("establish on the default fetch transport, without middleware", () => {
  it("calls the global fetch of the moment once, with the URL and an init (no Request of the client's)", async () => {
    const client = clientFor();
    // Replaced after the client exists, as msw's server.listen() in a beforeAll does.
    const calls: Array<{ input: unknown; init: RequestInit | undefined }> = [];
    globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      calls.push({ input, init });
      return original(input, init);
    }) as typeof fetch;
    const result = await client.establish(["a", "b"]);
    expect(result.contacts.map((c) => c.key)).toEqual(["a", "b"]);
    // The token request (through the spec client) and establish: establish's input is its URL.
    const establish = calls.filter(({ input }) =>
      String(input instanceof Request ? input.url : input).endsWith("/establish"),
    );
    expect(establish).toHaveLength(1);
    expect(establish[0]?.input).toBe(`${service.url}/contacts/v1/establish`);
    expect(establish[0]?.init).toMatchObject({ method: "POST", redirect: "manual" });
    expect(establish[0]?.init?.signal).toBeInstanceOf(AbortSignal);
    expect(JSON.parse(String(establish[0]?.init?.body))).toMatchObject({ ContactKeys: ["a", "b"] });
    await client.close();
  });

  it("hands an app's fetch one Request, with redirect manual", async () => {
    const seen: Request[] = [];
    const client = clientFor({
      fetch: (request) => {
        seen.push(request);
        return original(request);
      },
    });
    await client.establish(["a"]);
    const establish = seen.filter((request) => request.url.endsWith("/contacts/v1/establish"));
    expect(establish).toHaveLength(1);
    expect(establish[0]?.redirect).toBe("manual");
    expect(establish[0]?.headers.get("authorization")).toMatch(/^Bearer /);
    await client.close();
  });

  it("middleware added later with raw.use() sees raw requests, not establish", async () => {
    const seen: string[] = [];
    const client = clientFor();
    client.raw.use({
      onRequest: ({ request }) => void seen.push(`${request.method} ${new URL(request.url).pathname}`),
    });
    await client.establish(["a"]);
    expect(seen).toEqual([]);
    await client.raw.POST("/contacts/v1/establish", { body: { ContactKeys: ["b"] } });
    expect(seen).toEqual(["POST /contacts/v1/establish"]);
    await client.close();
  });

  it("middleware given to the client sees establish (through openapi-fetch, as before)", async () => {
    const seen: string[] = [];
    const client = clientFor({ middleware: [{ onRequest: ({ request }) => void seen.push(request.method) }] });
    await client.establish(["a"]);
    expect(seen).toEqual(["POST"]);
    await client.close();
  });
});

describe.each(["fetch", "undici"] as const)("the %s transport", (transport) => {
  it("reads an answer that starts with a UTF-8 byte-order mark (decoded as Response.text() does)", async () => {
    service.onEstablish = (_request, body, response) => {
      // The usual answer, with a BOM in front (some Windows stacks write one).
      response
        .writeHead(200, { "content-type": "application/json; charset=utf-8" })
        .end(`\uFEFF${establishAnswerFor(body)}`);
    };
    const client = clientFor({ transport });
    const result = await client.establish(["a"]);
    expect(result.contacts.map((c) => c.key)).toEqual(["a"]);
    await client.close();
  });
});
