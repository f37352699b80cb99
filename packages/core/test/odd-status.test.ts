/**
 * Review defect 9b, for the spec client itself (real sockets on 127.0.0.1): a status outside
 * 200-599, which a server can send but a Response cannot be copied with, was a RangeError
 * (retried as a network error by establish, plain from raw). It is a ContactsApiError, not retried.
 */
import { describe, expect, it } from "vitest";
import { ContactsApiError, createContactsCore } from "../src/index.js";
import { createSpecClient, openapiFetchTransport } from "../src/openapi-fetch.js";
import { startServer } from "./http-server.js";

describe.each([600, 999])("an answer %i", (status) => {
  it("raw: a ContactsApiError with that status", async () => {
    const server = await startServer((_request, _body, response) => {
      response.writeHead(status, { "content-type": "application/json" }).end("{}");
    });
    try {
      const raw = createSpecClient({ baseUrl: server.url });
      const error = await raw
        .POST("/contacts/v1/establish", { body: { ContactKeys: ["Key1"] } })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ContactsApiError);
      expect(error).toMatchObject({ status, retryable: false });
    } finally {
      await server.close();
    }
  });

  it("establish on the openapi-fetch transport: a ContactsApiError, one request", async () => {
    const server = await startServer((_request, _body, response) => {
      response.writeHead(status, { "content-type": "application/json" }).end("{}");
    });
    try {
      const raw = createSpecClient({ baseUrl: server.url });
      const client = createContactsCore({
        auth: { credentials: () => ({ baseUrl: server.url }) },
        raw,
        transport: openapiFetchTransport(raw),
        retry: { attempts: 3, baseDelayMs: 1 },
      });
      const error = await client.establish(["Key1"]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ContactsApiError);
      expect(error).toMatchObject({ status, retryable: false });
      expect(server.requests).toEqual(["POST /contacts/v1/establish"]);
    } finally {
      await server.close();
    }
  });
});
