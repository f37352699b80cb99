/**
 * Issue 14, point 5: the browser client's establish (no middleware) is core's `fetchTransport`,
 * the same direct fetch as the Node client's default transport. Without `fetch` it calls the
 * page's fetch of the moment with the URL and an init (no `Request` of its own: a `fetch(request)`
 * copies it, body stream and all); with `fetch`, it hands that one `Request`. `raw` without
 * `fetch` looks the page's fetch up at each request too.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createContactsClient } from "../../src/index.js";

const BASE = "https://api.example.test/sfmc";
const answer = (keys: string[]) =>
  Response.json({
    items: keys.map((key, i) => ({
      value: {
        requestedContactKey: key,
        contactReference: { contactID: 1000 + i, contactKey: key, contactType: "Default", contactStatus: "Active" },
      },
      requestItemIndex: i,
      resultMessages: [],
    })),
    resultMessages: [],
    requestServiceMessageID: "r",
    responseDateTime: "t",
    serviceMessageID: "s",
  });

const original = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = original;
});

describe("the browser client's establish", () => {
  it("without fetch: calls the page's fetch of the moment with the URL and an init", async () => {
    const client = createContactsClient({ baseUrl: BASE, accessToken: "t0ken" });
    const calls: Array<{ input: unknown; init: RequestInit | undefined }> = [];
    // Replaced after the client exists, as msw's worker.start() or server.listen() would.
    globalThis.fetch = (async (input: unknown, init?: RequestInit) => {
      calls.push({ input, init });
      return answer(JSON.parse(String(init?.body)).ContactKeys);
    }) as typeof fetch;
    const result = await client.establish(["Key1"]);
    expect(result.contacts.map((c) => c.key)).toEqual(["Key1"]);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.input).toBe(`${BASE}/contacts/v1/establish`);
    expect(calls[0]?.init).toMatchObject({
      method: "POST",
      redirect: "manual",
      headers: { authorization: "Bearer t0ken", "content-type": "application/json" },
    });
    expect(calls[0]?.init?.signal).toBeInstanceOf(AbortSignal);
  });

  it("with fetch: hands it one Request, redirect manual", async () => {
    const seen: Request[] = [];
    const client = createContactsClient({
      baseUrl: BASE,
      fetch: async (request) => {
        seen.push(request);
        return answer(((await request.json()) as { ContactKeys: string[] }).ContactKeys);
      },
    });
    await client.establish(["Key1"]);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe(`${BASE}/contacts/v1/establish`);
    expect(seen[0]?.redirect).toBe("manual");
  });

  it("raw without fetch looks the page's fetch up at each request", async () => {
    const client = createContactsClient({ baseUrl: BASE });
    const urls: string[] = [];
    globalThis.fetch = (async (input: RequestInfo | URL) => {
      urls.push(input instanceof Request ? input.url : String(input));
      return answer(["Key1"]);
    }) as typeof fetch;
    const { response } = await client.raw.POST("/contacts/v1/establish", { body: { ContactKeys: ["Key1"] } });
    expect(response.status).toBe(200);
    expect(urls).toEqual([`${BASE}/contacts/v1/establish`]);
  });
});
