/**
 * Review defect 9b: statuses a server can send but a `Response` cannot hold. Through undici's
 * agent fetch a 205 (a null-body status, with a body) threw a TypeError; anywhere, a status outside
 * 200-599 threw a RangeError. Those were retried as network errors, or came out of `raw` as plain
 * TypeError/RangeError. Now every one is a typed error, never retried.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { answerEstablish, type Loopback, startLoopback } from "../../../tests/support/loopback.js";
import { ContactsApiError, ContactsAuthError, clearTokenCache, createContactsClient } from "../src/index.js";

let service: Loopback;
let issueToken: Loopback["onToken"];
beforeAll(async () => {
  service = await startLoopback();
  issueToken = service.onToken;
});
afterEach(() => {
  service.onToken = issueToken;
  service.onEstablish = answerEstablish;
  service.hits = {};
  clearTokenCache();
});
afterAll(() => service.close());

const answerWith =
  (status: number): Loopback["onToken"] =>
  (_request, _body, response) => {
    response.writeHead(status, { "content-type": "application/json" }).end('{"x":1}');
  };

describe.each(["fetch", "undici"] as const)("the %s transport", (transport) => {
  const clientFor = () =>
    createContactsClient({
      clientId: "id",
      clientSecret: "secret",
      authBaseUrl: service.url,
      baseUrl: service.url,
      transport,
      retry: { attempts: 3, baseDelayMs: 1 },
    });

  describe.each([600, 999])("an answer %i (outside 200-599)", (status) => {
    it("from the token route: ContactsApiError, one token request", async () => {
      service.onToken = answerWith(status);
      const client = clientFor();
      const error = await client.establish(["Key1"]).catch((e: unknown) => e);
      await client.close();
      expect(error).toBeInstanceOf(ContactsApiError);
      expect(error).toMatchObject({ status, retryable: false });
      expect(service.hits).toEqual({ "/v2/token": 1 });
    });

    it("from establish: ContactsApiError, one request", async () => {
      service.onEstablish = answerWith(status);
      const client = clientFor();
      const error = await client.establish(["Key1"]).catch((e: unknown) => e);
      await client.close();
      expect(error).toBeInstanceOf(ContactsApiError);
      expect(error).toMatchObject({ status, retryable: false });
      // The same words on every transport (the direct fetch path said "Marketing Cloud answered 600").
      expect((error as Error).message).toBe(`Answer with HTTP status ${status}, outside 200-599, refused`);
      expect(service.hits["/contacts/v1/establish"]).toBe(1);
    });

    it("from raw: ContactsApiError", async () => {
      service.onEstablish = answerWith(status);
      const client = clientFor();
      const error = await client.raw
        .POST("/contacts/v1/establish", { body: { ContactKeys: ["Key1"] } })
        .catch((e: unknown) => e);
      await client.close();
      expect(error).toBeInstanceOf(ContactsApiError);
      expect(error).toMatchObject({ status, retryable: false });
    });
  });

  describe("an answer 205 (Reset Content: no body allowed)", () => {
    it("from the token route: ContactsAuthError (no token in it), one token request", async () => {
      service.onToken = answerWith(205);
      const client = clientFor();
      const error = await client.establish(["Key1"]).catch((e: unknown) => e);
      await client.close();
      expect(error).toBeInstanceOf(ContactsAuthError);
      expect(error).toMatchObject({ status: 205, retryable: false });
      expect(service.hits).toEqual({ "/v2/token": 1 });
    });

    it("from establish: ContactsApiError, one request", async () => {
      service.onEstablish = answerWith(205);
      const client = clientFor();
      const error = await client.establish(["Key1"]).catch((e: unknown) => e);
      await client.close();
      expect(error).toBeInstanceOf(ContactsApiError);
      expect(error).toMatchObject({ status: 205, retryable: false });
      expect(service.hits["/contacts/v1/establish"]).toBe(1);
    });

    it("from raw: the answer, status 205", async () => {
      service.onEstablish = answerWith(205);
      const client = clientFor();
      const { response } = await client.raw.POST("/contacts/v1/establish", { body: { ContactKeys: ["Key1"] } });
      await client.close();
      expect(response.status).toBe(205);
    });
  });
});
