import type {
  ContactReference,
  EstablishContactsResponse,
  MarketingCloudError,
  ResultMessage,
} from "@sfmc-contacts/types";
import type { HttpHandler } from "msw";
import { assertType, describe, expectTypeOf, test } from "vitest";
import {
  type ContactsMock,
  type ContactsMockOptions,
  contactReference,
  createContactsMock,
  establishResponse,
  handlers,
  marketingCloudError,
  resultMessage,
  specJson,
} from "../src/index.js";
import type { ContactsHttpServerMock, ContactsHttpServerOptions } from "../src/node.js";

describe("handlers are typed against the spec", () => {
  test("specJson takes the spec's body for a route and status", () => {
    specJson("POST /contacts/v1/establish", 200, establishResponse());
    specJson("POST /contacts/v1/establish", 429, marketingCloudError(50100, "x", { retryAfter: 1 }));
    specJson("POST /v2/token", 401, { error: "invalid_client", error_description: "x", error_uri: "y" });
  });

  test("a body that contradicts the spec fails to compile", () => {
    // @ts-expect-error a 200 answer is not an error body
    specJson("POST /contacts/v1/establish", 200, marketingCloudError(0, "x"));
    const reference = { contactID: "1", contactType: "Default", contactKey: "a", contactStatus: "Active" };
    const item = {
      value: { requestedContactKey: "a", contactReference: reference },
      requestItemIndex: 0,
      resultMessages: [],
    };
    // @ts-expect-error contactID is a number
    specJson("POST /contacts/v1/establish", 200, { ...establishResponse(), items: [item] });
    // @ts-expect-error the spec documents no 418
    specJson("POST /contacts/v1/establish", 418, marketingCloudError(0, "x"));
    // @ts-expect-error an error body needs errorcode
    specJson("POST /contacts/v1/establish", 400, { message: "x", documentation: "" });
  });
});

describe("factories return the spec's types", () => {
  test("factories", () => {
    expectTypeOf(establishResponse()).toEqualTypeOf<EstablishContactsResponse>();
    expectTypeOf(contactReference({ contactKey: "a", contactID: 1 })).toEqualTypeOf<ContactReference>();
    expectTypeOf(resultMessage()).toEqualTypeOf<ResultMessage>();
    expectTypeOf(marketingCloudError(1, "x")).toEqualTypeOf<MarketingCloudError>();
    // @ts-expect-error contactKey is required
    contactReference({ contactID: 1 });
  });
});

describe("the mock's API", () => {
  test("createContactsMock returns handlers, scenarios, store, requests and reset", () => {
    const mock = createContactsMock();
    expectTypeOf(mock).toEqualTypeOf<ContactsMock>();
    expectTypeOf(mock.handlers).toEqualTypeOf<readonly HttpHandler[]>();
    expectTypeOf(mock.scenarios.rateLimited({ retryAfter: 1, once: true })).toEqualTypeOf<HttpHandler>();
    expectTypeOf(mock.requests[0]?.body).toEqualTypeOf<unknown>();
    expectTypeOf(mock.reset).toEqualTypeOf<() => void>();
    expectTypeOf(mock.expireTokens).toEqualTypeOf<() => void>();
    expectTypeOf(handlers).toEqualTypeOf<readonly HttpHandler[]>();
  });

  test("options are typed", () => {
    assertType<ContactsMockOptions>({
      baseUrl: { rest: "http://localhost/r", auth: "http://localhost/a" },
      latency: [1, 5],
    });
    // @ts-expect-error responseShape is "object" or "array"
    assertType<ContactsMockOptions>({ responseShape: "list" });
    // @ts-expect-error auth is settings or false
    assertType<ContactsMockOptions>({ auth: true });
  });
});

describe("the loopback server's API", () => {
  test("its mock can expire tokens, and it takes a restInstanceUrl", () => {
    expectTypeOf<ContactsHttpServerMock["expireTokens"]>().toEqualTypeOf<() => void>();
    assertType<ContactsHttpServerOptions>({ seed: 1, restInstanceUrl: "http://127.0.0.1:4010" });
    // @ts-expect-error restInstanceUrl is a string
    assertType<ContactsHttpServerOptions>({ restInstanceUrl: new URL("http://127.0.0.1:4010") });
    // @ts-expect-error the server's base is its own: no baseUrl
    assertType<ContactsHttpServerOptions>({ baseUrl: "http://127.0.0.1:4010" });
  });
});
