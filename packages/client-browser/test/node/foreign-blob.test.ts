/**
 * Issue 13, point 1, browser side: apps test the browser client in Vitest's jsdom environment,
 * whose global `Blob` is jsdom's (no `stream()`). `raw`, and `establish` with middleware, read
 * answers into that Blob and handed it to the runtime's `Response`, which could not read it
 * (`TypeError: object.stream is not a function`). Runs in the package's Node project with a Blob
 * like jsdom's in place of the global one: jsdom itself is not a dependency here.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BlobWithoutStream, replaceGlobalBlob } from "../../../../tests/support/foreign-blob.js";
import { createContactsClient } from "../../src/index.js";

const BASE = "https://api.example.test/sfmc";

/** A valid establish answer for `keys`, as bytes split into `pieces` chunks (a key's bytes split too). */
function answerStream(keys: string[], pieces: number): ReadableStream<Uint8Array> {
  const text = JSON.stringify({
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
  const bytes = new TextEncoder().encode(text);
  const size = Math.ceil(bytes.length / pieces);
  return new ReadableStream({
    start(controller) {
      for (let at = 0; at < bytes.length; at += size) controller.enqueue(bytes.slice(at, at + size));
      controller.close();
    },
  });
}

/** Answers each establish for the keys it sent, in many small chunks. */
const serviceFetch = async (request: Request) => {
  const keys = ((await request.json()) as { ContactKeys: string[] }).ContactKeys;
  return new Response(answerStream(keys, 97), { headers: { "content-type": "application/json" } });
};

let restoreBlob: () => void;
beforeEach(() => {
  restoreBlob = replaceGlobalBlob();
});
afterEach(() => {
  restoreBlob();
});

describe("with jsdom's kind of global Blob", () => {
  it("(control) the runtime's Response cannot read such a Blob", async () => {
    const blob = new Blob(['{"ok":1}']);
    expect(blob).toBeInstanceOf(BlobWithoutStream);
    await expect((async () => JSON.parse(await new Response(blob).text()))()).rejects.toThrow();
  });

  it("establish works, and a key's UTF-8 bytes split across chunks decode whole", async () => {
    const client = createContactsClient({ baseUrl: BASE, fetch: serviceFetch, retry: false });
    const keys = ["Key1", "Café-\u00e9\u00e8-\u{1F600}"];
    const result = await client.establish(keys);
    expect(result.contacts.map((c) => [c.key, c.contactId])).toEqual([
      [keys[0], 1000],
      [keys[1], 1001],
    ]);
    expect(result.raw.items?.[1]?.value?.requestedContactKey).toBe(keys[1]);
  });

  it("establish with middleware (through openapi-fetch) works", async () => {
    const seen: string[] = [];
    const client = createContactsClient({
      baseUrl: BASE,
      fetch: serviceFetch,
      retry: false,
      middleware: [{ onResponse: ({ response }) => void seen.push(String(response.status)) }],
    });
    const result = await client.establish(["Key1", "Key2"]);
    expect(result.contacts.map((c) => c.contactId)).toEqual([1000, 1001]);
    expect(seen).toEqual(["200"]);
  });

  it("raw works", async () => {
    const client = createContactsClient({ baseUrl: BASE, fetch: serviceFetch });
    const { data, error, response } = await client.raw.POST("/contacts/v1/establish", {
      body: { ContactKeys: ["Key1"] },
    });
    expect(error).toBeUndefined();
    expect(response.status).toBe(200);
    expect(data?.items?.[0]?.value?.contactReference?.contactID).toBe(1000);
  });
});
