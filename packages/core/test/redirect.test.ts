/**
 * Issue 10, point 1: no request follows a redirect. An origin on 127.0.0.1 answers 3xx towards a
 * second server, which must receive nothing: a followed 307/308 would re-post the keys (and a
 * token) there, a followed 301-303 would trust its answer.
 */
import type { paths } from "@sfmc-contacts/types";
import createClient from "openapi-fetch";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  ContactsApiError,
  type ContactsEvent,
  createContactsCore,
  type EstablishTransport,
  isContactsError,
} from "../src/index.js";
import { createSpecClient, openapiFetchTransport } from "../src/openapi-fetch.js";
import { answerEstablish, redirectTo, startServer, type TestServer } from "./http-server.js";

let origin: TestServer;
let elsewhere: TestServer;
beforeAll(async () => {
  elsewhere = await startServer(answerEstablish);
  origin = await startServer();
});
afterEach(() => {
  origin.requests = [];
  elsewhere.requests = [];
});
afterAll(async () => {
  await origin.close();
  await elsewhere.close();
});

const auth = { credentials: () => ({ baseUrl: origin.url, authorization: "Bearer loopback-token" }) };
const coreOver = (transport: EstablishTransport, onEvent?: (event: ContactsEvent) => void) =>
  createContactsCore({
    auth,
    raw: createSpecClient({ baseUrl: origin.url }),
    transport,
    retry: { attempts: 3, baseDelayMs: 1 },
    ...(onEvent && { onEvent }),
  });

const expectRefused = (error: unknown, status: number) => {
  expect(error).toBeInstanceOf(ContactsApiError);
  expect(error).toMatchObject({ status, retryable: false });
  expect((error as Error).message).toContain("Redirect");
  expect((error as Error).message).toContain('redirect: "manual"');
  expect((error as Error).message).toContain("nothing was sent to its Location");
};

describe.each([301, 302, 303, 307, 308])("an answer %i", (status) => {
  it("refused by establish over the default transport (openapi-fetch on the global fetch), once, never retried", async () => {
    origin.handle = redirectTo(status, () => elsewhere.url);
    const events: ContactsEvent[] = [];
    const client = coreOver(openapiFetchTransport(createSpecClient({ baseUrl: origin.url })), (e) => events.push(e));
    const error = await client.establish(["Key1"]).catch((e: unknown) => e);
    expectRefused(error, status);
    expect(origin.requests).toEqual(["POST /contacts/v1/establish"]);
    expect(elsewhere.requests).toEqual([]);
    expect(events.filter((e) => e.type === "retry")).toEqual([]);
  });

  it("refused by openapiFetchTransport even over a plain openapi-fetch client (which follows by default)", async () => {
    origin.handle = redirectTo(status, () => elsewhere.url);
    const plain = createClient<paths>({ baseUrl: origin.url });
    const error = await coreOver(openapiFetchTransport(plain))
      .establish(["Key1"])
      .catch((e: unknown) => e);
    expectRefused(error, status);
    expect(elsewhere.requests).toEqual([]);
  });

  it("refused by raw.POST of createSpecClient, even when the caller asks to follow", async () => {
    origin.handle = redirectTo(status, () => elsewhere.url);
    const raw = createSpecClient({ baseUrl: origin.url });
    for (const redirect of [undefined, "follow"] as const) {
      const error = await raw
        .POST("/contacts/v1/establish", { body: { ContactKeys: ["Key1"] }, ...(redirect && { redirect }) })
        .catch((e: unknown) => e);
      expectRefused(error, status);
    }
    expect(origin.requests).toHaveLength(2);
    expect(elsewhere.requests).toEqual([]);
  });
});

describe("the pipeline refuses a redirect from any transport", () => {
  it.each([
    ["a 307 (a transport that does not follow)", 307],
    ["a browser's opaque redirect (status 0)", 0],
  ])("%s: ContactsApiError, one attempt", async (_, status) => {
    let calls = 0;
    const transport: EstablishTransport = async () => {
      calls++;
      return { status, header: () => null, text: "" };
    };
    const error = await coreOver(transport)
      .establish(["Key1"])
      .catch((e: unknown) => e);
    expectRefused(error, status);
    expect(isContactsError(error)).toBe(true);
    expect(calls).toBe(1);
  });
});
