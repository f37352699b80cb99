/**
 * The process-wide token cache (one per process, shared by every copy of this package through a
 * key on globalThis).
 *
 * Review defect 5: it was an enumerable property of globalThis, so `util.inspect(globalThis)`
 * printed live bearer tokens, and each entry held an unsalted SHA-256 of the client secret.
 * Review defect 8: a client with a wrong secret for the same identity evicted the good client's
 * token on each call; and accountId "" was cached like no account id though it was sent as "".
 */
import { createHash } from "node:crypto";
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Loopback, startLoopback } from "../../../tests/support/loopback.js";
import { ContactsAuthError, ContactsValidationError, clearTokenCache, createContactsClient } from "../src/index.js";

const TOKEN = "live-token-in-the-cache-0123456789";
const SECRET = "the-client-secret-0123456789";

let service: Loopback;
const tokenRequests: string[] = [];
beforeAll(async () => {
  service = await startLoopback();
  service.onToken = (_request, body, response) => {
    const form = JSON.parse(body) as { client_secret?: string };
    tokenRequests.push(form.client_secret === SECRET ? "good" : "wrong");
    if (form.client_secret !== SECRET) {
      response.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "invalid_client" }));
      return;
    }
    response
      .writeHead(200, { "content-type": "application/json" })
      .end(
        JSON.stringify({ access_token: TOKEN, token_type: "Bearer", expires_in: 1080, rest_instance_url: service.url }),
      );
  };
});
afterEach(() => {
  service.hits = {};
  tokenRequests.length = 0;
  clearTokenCache();
});
afterAll(async () => {
  await service.close();
});

/** Every string reachable from `value` (objects, arrays, maps), however deep. */
function strings(value: unknown, seen = new Set<unknown>()): string[] {
  if (typeof value === "string") return [value];
  if (typeof value !== "object" || value === null || seen.has(value)) return [];
  seen.add(value);
  const children = value instanceof Map ? [...value.entries()] : Object.values(value);
  return children.flatMap((child) => strings(child, seen));
}

/** The cache's own property on globalThis, whatever version its key has. */
function cacheProperties() {
  return Object.getOwnPropertySymbols(globalThis)
    .filter((symbol) => symbol.description?.startsWith("@sfmc-contacts/client-node.token-cache"))
    .map((symbol) => ({ symbol, descriptor: Object.getOwnPropertyDescriptor(globalThis, symbol) }));
}

describe("the process-wide token cache", () => {
  it("is not enumerable: util.inspect(globalThis) does not print the live token", async () => {
    const client = createContactsClient({
      clientId: "id",
      clientSecret: SECRET,
      authBaseUrl: service.url,
      baseUrl: service.url,
    });
    await client.establish(["Key1"]);
    await client.close();
    const found = cacheProperties();
    expect(found).toHaveLength(1);
    expect(found[0]?.descriptor?.enumerable).toBe(false);
    expect(strings(found[0]?.descriptor?.value)).toContain(TOKEN);
    expect(inspect(globalThis, { depth: 8 })).not.toContain(TOKEN);
  });

  it("holds no plain SHA-256 of the client secret, nor the secret", async () => {
    const client = createContactsClient({
      clientId: "id",
      clientSecret: SECRET,
      authBaseUrl: service.url,
      baseUrl: service.url,
    });
    await client.establish(["Key1"]);
    await client.close();
    const held = strings(cacheProperties()[0]?.descriptor?.value);
    const plain = createHash("sha256").update(SECRET).digest("hex");
    expect(held.some((text) => text.includes(plain))).toBe(false);
    expect(held.some((text) => text.includes(SECRET))).toBe(false);
  });
});

describe("the cache's identity", () => {
  const clientWith = (clientSecret: string) =>
    createContactsClient({
      clientId: "id",
      clientSecret,
      authBaseUrl: service.url,
      baseUrl: service.url,
      retry: false,
    });

  it("a client with a wrong secret for the same identity does not evict the good client's token", async () => {
    const good = clientWith(SECRET);
    const wrong = clientWith("a-wrong-secret-0123456789");
    for (let round = 0; round < 3; round++) {
      await good.establish([`good${round}`]);
      await expect(wrong.establish([`wrong${round}`])).rejects.toBeInstanceOf(ContactsAuthError);
    }
    await good.close();
    await wrong.close();
    expect(tokenRequests.filter((who) => who === "good")).toHaveLength(1);
    expect(service.hits["/contacts/v1/establish"]).toBe(3);
  });

  it.each(["", "   "])("refuses accountId %j when the client is created", (accountId) => {
    expect(() =>
      createContactsClient({ clientId: "id", clientSecret: SECRET, authBaseUrl: service.url, accountId }),
    ).toThrow(ContactsValidationError);
  });
});
