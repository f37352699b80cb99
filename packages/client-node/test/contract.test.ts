/**
 * Contract test: the clients' requests conform to the spec. Prism serves the spec on 127.0.0.1 and,
 * with --errors, answers any request that breaks it with an error instead of the example.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearTokenCache, createContactsClient } from "../src/index.js";
import { type Prism, startPrism } from "./support/prism.js";

let prism: Prism;
beforeAll(async () => {
  prism = await startPrism();
}, 90_000);
afterAll(() => prism?.stop());

describe.each(["fetch", "undici"] as const)("requests conform to the spec (%s transport)", (transport) => {
  const client = () => {
    clearTokenCache();
    return createContactsClient({
      clientId: "id",
      clientSecret: "secret",
      accountId: "1234567",
      scope: "list_and_subscribers_write",
      baseUrl: prism.url,
      authBaseUrl: prism.url,
      transport,
      retry: false,
    });
  };

  it("token request and establish request pass Prism's validation", async () => {
    const c = client();
    // Prism answers the spec's example, which is for key1 and key2.
    const result = await c.establish(["key1", "key2"]);
    expect(result.contacts.map((r) => [r.key, r.contactId])).toEqual([
      ["key1", 295863490],
      ["key2", 304574890],
    ]);
    await c.close();
  });

  it("every option combination conforms", async () => {
    const c = client();
    const ack = await c.establish(["key1"], {
      returnResults: false,
      contactType: 0,
      includeNewContactAwareness: false,
    });
    expect(ack.acknowledged).toBe(true);
    await c.close();
  });
});

describe("Prism does validate (a control)", () => {
  it("refuses a body that breaks the spec", async () => {
    clearTokenCache();
    const c = createContactsClient({ clientId: "id", clientSecret: "s", baseUrl: prism.url, authBaseUrl: prism.url });
    const { response } = await c.raw.POST("/contacts/v1/establish", { body: { ContactKeys: [] } });
    expect(response.status).toBe(400);
    const missingAuth = await fetch(`${prism.url}/contacts/v1/establish`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ContactKeys: ["key1"] }),
    });
    expect(missingAuth.status).toBe(401);
  });
});
