/**
 * Issue 13, point 1, Node side: under Vitest's jsdom environment the global `Blob` is jsdom's (no
 * `stream()`). The client read every answer (the token's included) into that Blob and handed it
 * to Node's `Response`, which could not read it: every call failed with
 * `TypeError: object.stream is not a function`. Runs with a Blob like jsdom's in place of the
 * global one (jsdom itself is not a dependency here), through msw, as an app's test would.
 */
import { setupContactsServer } from "@sfmc-contacts/mocks/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { replaceGlobalBlob } from "../../../tests/support/foreign-blob.js";
import { clearTokenCache, createContactsClient } from "../src/index.js";

const { server, mock } = setupContactsServer({ seed: 3 });
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
let restoreBlob: () => void;
beforeEach(() => {
  restoreBlob = replaceGlobalBlob();
});
afterEach(() => {
  restoreBlob();
  server.resetHandlers();
  mock.reset();
  clearTokenCache();
});
afterAll(() => server.close());

const client = () =>
  createContactsClient({ subdomain: "mc-tenant-1", clientId: "id", clientSecret: "secret", retry: false });

describe("with jsdom's kind of global Blob, on the default fetch transport", () => {
  it("the token request and establish work", async () => {
    const result = await client().establish(["Key1", "Key2"]);
    expect(result.contacts.map((c) => c.key)).toEqual(["Key1", "Key2"]);
    expect(mock.requests.map((r) => r.route)).toEqual(["token", "establish"]);
  });

  it("raw works", async () => {
    const { data, error, response } = await client().raw.POST("/contacts/v1/establish", {
      body: { ContactKeys: ["Key1"] },
    });
    expect(error).toBeUndefined();
    expect(response.status).toBe(200);
    expect(data?.items?.[0]?.value?.requestedContactKey).toBe("Key1");
  });
});
