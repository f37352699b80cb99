/**
 * Review defect 9c: after close(), a call on the undici transport met the closed agent's
 * ClientDestroyedError, a "network error" retried for about 5 s; on the fetch transport the client
 * went on as if open. Now every later call fails at once with a typed error, and nothing is sent.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Loopback, startLoopback } from "../../../tests/support/loopback.js";
import { type ContactsEvent, ContactsValidationError, clearTokenCache, createContactsClient } from "../src/index.js";

let service: Loopback;
beforeAll(async () => {
  service = await startLoopback();
});
afterEach(() => {
  service.hits = {};
  clearTokenCache();
});
afterAll(() => service.close());

describe.each(["fetch", "undici"] as const)("the %s transport, after close()", (transport) => {
  const closedClient = async () => {
    const events: ContactsEvent[] = [];
    const client = createContactsClient({
      clientId: "id",
      clientSecret: "secret",
      authBaseUrl: service.url,
      baseUrl: service.url,
      transport,
      // Retries with a long backoff: a retried call would show as retry events.
      retry: { attempts: 4, baseDelayMs: 60_000 },
      onEvent: (event) => events.push(event),
    });
    await client.establish(["before"]);
    await client.close();
    await client.close();
    service.hits = {};
    events.length = 0;
    return { client, events };
  };

  it("establish fails at once with a ContactsValidationError: nothing sent, no retry", async () => {
    const { client, events } = await closedClient();
    const error = await client.establish(["Key1"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsValidationError);
    expect(error).toMatchObject({ reason: "client closed", retryable: false });
    expect(events.map((e) => e.type)).toEqual(["error"]);
    expect(service.hits).toEqual({});
  });

  it("raw fails the same way, and so does every batch of establishAll", async () => {
    const { client, events } = await closedClient();
    const rawError = await client.raw
      .POST("/contacts/v1/establish", { body: { ContactKeys: ["Key1"] } })
      .catch((e: unknown) => e);
    expect(rawError).toBeInstanceOf(ContactsValidationError);
    const results = [];
    for await (const result of client.establishAll(["a", "b", "c"], { batchSize: 2 })) results.push(result);
    expect(results.map((r) => (r.ok ? "ok" : r.code))).toEqual(["REQUEST_FAILED", "REQUEST_FAILED", "REQUEST_FAILED"]);
    expect(results[0]).toMatchObject({ error: expect.any(ContactsValidationError) });
    expect(events.filter((e) => e.type === "retry")).toEqual([]);
    expect(service.hits).toEqual({});
  });
});
