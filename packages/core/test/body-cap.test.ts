/**
 * Issue 10, point 13: an answer body has a size cap, `maxResponseBytes` (16 MiB by default). The
 * body is read as a stream and reading stops past the cap: a `ContactsApiError`, not retried.
 */
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ContactsApiError,
  ContactsValidationError,
  createContactsCore,
  type EstablishTransport,
  type TransportRequest,
} from "../src/index.js";
import { createSpecClient, openapiFetchTransport } from "../src/openapi-fetch.js";
import { answerEstablish, startServer, type TestServer } from "./http-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

/** Writes 16 KiB chunks until the client goes away; resolves `closed` then. */
function endless(status: number) {
  let closed!: () => void;
  const gone = new Promise<void>((resolve) => {
    closed = resolve;
  });
  let written = 0;
  const handle = (_request: unknown, _body: string, response: ServerResponse) => {
    response.writeHead(status, { "content-type": "application/json" });
    const chunk = " ".repeat(16 * 1024);
    const write = () => {
      // Bounded: 64 MiB at most, far past any cap in these tests.
      while (!response.destroyed && written < 64 * 1024 * 1024) {
        written += chunk.length;
        if (!response.write(chunk)) return void response.once("drain", write);
      }
    };
    response.on("close", closed);
    write();
  };
  return { handle, gone, written: () => written };
}

const clientOver = (maxResponseBytes?: number) => {
  const raw = createSpecClient({ baseUrl: server.url, ...(maxResponseBytes && { maxResponseBytes }) });
  return createContactsCore({
    auth: { credentials: () => ({ baseUrl: server.url }) },
    raw,
    transport: openapiFetchTransport(raw),
    retry: { attempts: 3, baseDelayMs: 1 },
    ...(maxResponseBytes && { maxResponseBytes }),
  });
};

const expectTooLarge = (error: unknown, status: number, max: number) => {
  expect(error).toBeInstanceOf(ContactsApiError);
  expect(error).toMatchObject({ status, retryable: false });
  expect((error as Error).message).toContain(`maxResponseBytes (${max})`);
};

describe("establish over openapi-fetch (the default transport)", () => {
  it("a 200 over the cap: ContactsApiError naming maxResponseBytes, one request, not retried", async () => {
    server.requests = [];
    server.handle = (request, body, response) => {
      // A valid answer, padded to 64 KiB: usable, but over a 4 KiB cap.
      const keys = (JSON.parse(body) as { ContactKeys: string[] }).ContactKeys;
      const text = JSON.stringify({ items: [], resultMessages: [], padding: " ".repeat(64 * 1024), keys });
      response.writeHead(200, { "content-type": "application/json" }).end(text);
      void request;
    };
    const error = await clientOver(4096)
      .establish(["Key1"])
      .catch((e: unknown) => e);
    expectTooLarge(error, 200, 4096);
    expect(server.requests).toHaveLength(1);
  });

  it("stops reading an endless body (the server sees the connection close)", async () => {
    const body = endless(200);
    server.handle = body.handle;
    const error = await clientOver(64 * 1024)
      .establish(["Key1"])
      .catch((e: unknown) => e);
    expectTooLarge(error, 200, 64 * 1024);
    await body.gone;
    expect(body.written()).toBeLessThan(64 * 1024 * 1024);
  });

  it("an error answer over the cap is refused too, not retried", async () => {
    server.requests = [];
    const body = endless(503);
    server.handle = body.handle;
    const error = await clientOver(8192)
      .establish(["Key1"])
      .catch((e: unknown) => e);
    expectTooLarge(error, 503, 8192);
    expect(server.requests).toHaveLength(1);
  });

  it("an answer within the cap is read as usual", async () => {
    server.handle = answerEstablish;
    const result = await clientOver(4096).establish(["Key1"]);
    expect(result.contacts.map((c) => c.key)).toEqual(["Key1"]);
  });
});

describe("raw (createSpecClient)", () => {
  it("rejects a body over its maxResponseBytes", async () => {
    server.handle = endless(200).handle;
    const raw = createSpecClient({ baseUrl: server.url, maxResponseBytes: 1000 });
    const error = await raw.POST("/contacts/v1/establish", { body: { ContactKeys: ["a"] } }).catch((e: unknown) => e);
    expectTooLarge(error, 200, 1000);
  });
});

describe("the setting", () => {
  it("defaults to 16 MiB, passed to every transport", async () => {
    const seen: TransportRequest[] = [];
    const transport: EstablishTransport = async (request) => {
      seen.push(request);
      return { status: 200, header: () => null, text: JSON.stringify({ items: [], resultMessages: [] }) };
    };
    const client = createContactsCore({
      auth: { credentials: () => ({ baseUrl: "https://x" }) },
      raw: createSpecClient({}),
      transport,
    });
    await client.establish(["a"]);
    expect(seen[0]?.maxResponseBytes).toBe(16 * 1024 * 1024);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "1024"])("refuses %s", (maxResponseBytes) => {
    const options = { maxResponseBytes: maxResponseBytes as number };
    expect(() => createSpecClient(options)).toThrow(ContactsValidationError);
    expect(() =>
      createContactsCore({
        auth: { credentials: () => ({ baseUrl: "https://x" }) },
        raw: createSpecClient({}),
        transport: async () => ({ status: 200, header: () => null, text: "" }),
        ...options,
      }),
    ).toThrow(/maxResponseBytes must be a whole number/);
  });
});
