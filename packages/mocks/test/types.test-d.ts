import type {
  ContactReference,
  EstablishContactsResponse,
  MarketingCloudError,
  ResultMessage,
} from "@sfmc-contacts/types";
import type { HttpHandler } from "msw";
import { assertType, describe, expectTypeOf, test } from "vitest";
import type { ContactsSetupWorker, ContactsStartOptions } from "../src/browser.js";
import type * as entry from "../src/index.js";
import {
  type ContactsMock,
  type ContactsMockOptions,
  contactReference,
  createContactsMock,
  establishResponse,
  marketingCloudError,
  resultMessage,
  specJson,
} from "../src/index.js";
import type {
  ContactsHttpServerMock,
  ContactsHttpServerOptions,
  ContactsListenOptions,
  ContactsSetupServer,
} from "../src/node.js";

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
  });

  test("there is no shared stateful `handlers` export (issue 13 point 7)", () => {
    expectTypeOf<typeof entry>().not.toHaveProperty("handlers");
  });

  test("the scenarios' default Retry-After is a mock option", () => {
    assertType<ContactsMockOptions>({ retryAfter: 0 });
    // @ts-expect-error whole seconds, as a number
    assertType<ContactsMockOptions>({ retryAfter: "1" });
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

describe("unhandled requests: one line compiles under msw 2 and msw 3 (issue 13 point 3)", () => {
  // This repository has msw 2; the consumer matrix compiles the same lines against msw 3.
  test("listen() takes a named strategy under either option name", () => {
    assertType<ContactsListenOptions>({ onUnhandledRequest: "error" });
    assertType<ContactsListenOptions>({ onUnhandledFrame: "error" });
    assertType<Parameters<ContactsSetupServer["listen"]>>([]);
    // @ts-expect-error not a strategy
    assertType<ContactsListenOptions>({ onUnhandledFrame: "fail" });
  });

  test("a callback takes the installed msw's own name only (its signature differs by major)", () => {
    assertType<ContactsListenOptions>({ onUnhandledRequest: (request: Request) => void request.url });
    // @ts-expect-error msw 3's callback shape under msw 3's name, with msw 2 installed
    assertType<ContactsListenOptions>({ onUnhandledFrame: () => {} });
  });

  test("worker.start() likewise, keeping msw's other options", () => {
    assertType<ContactsStartOptions>({ quiet: true, onUnhandledRequest: "bypass" });
    assertType<ContactsStartOptions>({ quiet: true, onUnhandledFrame: "bypass" });
    expectTypeOf<ReturnType<ContactsSetupWorker["start"]>>().toEqualTypeOf<
      Promise<ServiceWorkerRegistration | undefined>
    >();
  });
});
