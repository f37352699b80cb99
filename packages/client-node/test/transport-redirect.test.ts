/**
 * Issue 10, point 1, for establish and `raw` of the Node client on both transports (the token
 * route has its own proof in hardening-auth.test.ts): a 3xx from the REST host is a
 * ContactsApiError, never retried, and the server it points to receives nothing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { answerEstablish, type Loopback, startLoopback } from "../../../tests/support/loopback.js";
import { ContactsApiError, type ContactsEvent, clearTokenCache, createContactsClient } from "../src/index.js";

let origin: Loopback;
let elsewhere: Loopback;
beforeAll(async () => {
  origin = await startLoopback();
  elsewhere = await startLoopback();
});
afterEach(() => {
  origin.onEstablish = answerEstablish;
  origin.hits = {};
  elsewhere.hits = {};
  clearTokenCache();
});
afterAll(async () => {
  await origin.close();
  await elsewhere.close();
});

const clientFor = (transport: "fetch" | "undici", onEvent?: (event: ContactsEvent) => void) =>
  createContactsClient({
    clientId: "id",
    clientSecret: "secret",
    authBaseUrl: origin.url,
    baseUrl: origin.url,
    transport,
    retry: { attempts: 3, baseDelayMs: 1 },
    ...(onEvent && { onEvent }),
  });

const expectRefused = (error: unknown, status: number) => {
  expect(error).toBeInstanceOf(ContactsApiError);
  expect(error).toMatchObject({ status, retryable: false });
  expect((error as Error).message).toContain('redirect: "manual"');
};

describe.each(["fetch", "undici"] as const)("the %s transport", (transport) => {
  describe.each([301, 302, 303, 307, 308])("an answer %i from the REST host", (status) => {
    it("establish: ContactsApiError, one request, not retried, nothing sent to the Location", async () => {
      origin.onEstablish = (request, _body, response) => {
        response.writeHead(status, { location: `${elsewhere.url}${request.url}` }).end();
      };
      const events: ContactsEvent[] = [];
      const client = clientFor(transport, (e) => events.push(e));
      const error = await client.establish(["Key1"]).catch((e: unknown) => e);
      await client.close();
      expectRefused(error, status);
      expect(origin.hits["/contacts/v1/establish"]).toBe(1);
      expect(elsewhere.hits).toEqual({});
      expect(events.filter((e) => e.type === "retry")).toEqual([]);
    });

    it("raw.POST: rejects with the same error, nothing sent to the Location", async () => {
      origin.onEstablish = (request, _body, response) => {
        response.writeHead(status, { location: `${elsewhere.url}${request.url}` }).end();
      };
      const client = clientFor(transport);
      const error = await client.raw
        .POST("/contacts/v1/establish", { body: { ContactKeys: ["Key1"] }, redirect: "follow" })
        .catch((e: unknown) => e);
      await client.close();
      expectRefused(error, status);
      expect(elsewhere.hits).toEqual({});
    });
  });
});
