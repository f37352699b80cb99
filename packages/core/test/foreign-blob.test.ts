/**
 * Issue 13, point 1: under Vitest's jsdom environment the global `Blob` is jsdom's, which has no
 * `stream()`. Answer bodies used to be read into `new Blob(chunks)` and handed to the runtime's
 * `Response`, which cannot read such a Blob: every call through openapi-fetch failed
 * (`TypeError: object.stream is not a function`; Node 24: `"[object Blob]" is not valid JSON`).
 * Bodies now stay bytes, so the environment's `Blob` is never used.
 */
import { establishItem, establishResponse } from "@sfmc-contacts/mocks";
import { afterEach, describe, expect, it } from "vitest";
import { BlobWithoutStream, replaceGlobalBlob } from "../../../tests/support/foreign-blob.js";
import { ContactsApiError, createContactsCore } from "../src/index.js";
import { readCapped } from "../src/internal.js";
import { createSpecClient, openapiFetchTransport } from "../src/openapi-fetch.js";

const REST = "https://tenant-1.rest.marketingcloudapis.com";

/** Answers every request with a valid establish answer for the keys it sent. */
const establishFetch = async (request: Request) => {
  const keys = ((await request.json()) as { ContactKeys: string[] }).ContactKeys;
  return Response.json(
    establishResponse({
      items: keys.map((key, i) => establishItem({ contactKey: key, contactID: 1000 + i, requestItemIndex: i })),
    }),
  );
};

/** Puts the runtime's Blob back after a test that replaced it. */
let restoreBlob = () => {};
afterEach(() => {
  restoreBlob();
  restoreBlob = () => {};
});

describe("answer bodies never go through the global Blob", () => {
  it("(control) the runtime's Response cannot read a Blob without stream()", async () => {
    const blob = new BlobWithoutStream(['{"ok":1}']) as unknown as Blob;
    const read = async () => JSON.parse(await new Response(blob).text());
    await expect(read()).rejects.toThrow();
  });

  it("readCapped gives the body's bytes, in order, with no Blob at all", async () => {
    restoreBlob = replaceGlobalBlob(
      class {
        constructor() {
          throw new Error("the global Blob was used");
        }
      },
    );
    const parts = ['{"a":', '"caf', '\u00e9"}'].map((part) => new TextEncoder().encode(part));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const part of parts) controller.enqueue(part);
        controller.close();
      },
    });
    const bytes = await readCapped(new Response(body), 1024);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(bytes)).toBe('{"a":"caf\u00e9"}');
    expect(await readCapped(new Response(null), 1024)).toEqual(new Uint8Array(0));
  });

  it("raw and establish through openapi-fetch work with jsdom's kind of Blob", async () => {
    restoreBlob = replaceGlobalBlob();
    const raw = createSpecClient({ baseUrl: REST, fetch: establishFetch });
    const { data, error } = await raw.POST("/contacts/v1/establish", { body: { ContactKeys: ["Key1"] } });
    expect(error).toBeUndefined();
    expect(data?.items?.[0]?.value?.contactReference?.contactID).toBe(1000);

    const client = createContactsCore({
      auth: { credentials: () => ({ baseUrl: REST }) },
      raw,
      transport: openapiFetchTransport(raw),
      retry: false,
    });
    const result = await client.establish(["Key1", "Key2"]);
    expect(result.contacts.map((c) => [c.key, c.contactId])).toEqual([
      ["Key1", 1000],
      ["Key2", 1001],
    ]);
  });

  it("an error answer is still the service's error, read from its body", async () => {
    restoreBlob = replaceGlobalBlob();
    const raw = createSpecClient({
      baseUrl: REST,
      fetch: async () => Response.json({ message: "bad", errorcode: 10005, documentation: "" }, { status: 400 }),
    });
    const client = createContactsCore({
      auth: { credentials: () => ({ baseUrl: REST }) },
      raw,
      transport: openapiFetchTransport(raw),
      retry: false,
    });
    const error = await client.establish(["Key1"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsApiError);
    expect(error).toMatchObject({ status: 400, errorcode: 10005 });
  });
});
