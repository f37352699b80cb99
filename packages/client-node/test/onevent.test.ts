/**
 * Review defect 2 in the Node client: a listener that throws (or rejects with) something that has
 * no text form, on any event, the token event included, never changes what the client does. At
 * HEAD the report of a throw on the token event threw inside the token request, which then failed
 * and was retried as a network error.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type Loopback, startLoopback } from "../../../tests/support/loopback.js";
import { clearTokenCache, createContactsClient } from "../src/index.js";

let service: Loopback;
beforeAll(async () => {
  service = await startLoopback();
});
afterEach(() => {
  service.hits = {};
  clearTokenCache();
  vi.restoreAllMocks();
});
afterAll(async () => {
  await service.close();
});

describe.each(["fetch", "undici"] as const)("the %s transport", (transport) => {
  it.each([
    [
      "throws a null-prototype object",
      () => {
        throw Object.create(null);
      },
    ],
    [
      "rejects with a Symbol",
      async () => {
        throw Symbol("listener");
      },
    ],
  ] as const)("a listener that %s on every event: one token request, one establish, no retry", async (_, fail) => {
    vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const unhandled: unknown[] = [];
    const watch = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", watch);
    const seen: string[] = [];
    const client = createContactsClient({
      clientId: "id",
      clientSecret: "secret",
      authBaseUrl: service.url,
      baseUrl: service.url,
      transport,
      retry: { attempts: 3, baseDelayMs: 1 },
      onEvent: (event) => {
        seen.push(event.type);
        return fail();
      },
    });
    try {
      const result = await client.establish(["Key1"]);
      expect(result.contacts.map((c) => c.key)).toEqual(["Key1"]);
      for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("unhandledRejection", watch);
      await client.close();
    }
    expect(unhandled).toEqual([]);
    expect(seen).toEqual(["token", "request", "response"]);
    expect(service.hits).toEqual({ "/v2/token": 1, "/contacts/v1/establish": 1 });
  });
});
