import { describe, expectTypeOf, test } from "vitest";
import { type BrowserClientOptions, type ContactsClient, createContactsClient } from "../src/index.js";

describe("the browser client's types", () => {
  test("take a token or a token function, never a client secret", () => {
    createContactsClient({ baseUrl: "/api/sfmc" });
    createContactsClient({ baseUrl: "https://t.rest.marketingcloudapis.com", accessToken: "t" });
    createContactsClient({ baseUrl: "https://t.rest.marketingcloudapis.com", accessToken: async () => "t" });
    // @ts-expect-error a browser never holds a client secret
    createContactsClient({ baseUrl: "/api/sfmc", clientSecret: "s" });
    // @ts-expect-error nor a client id
    createContactsClient({ baseUrl: "/api/sfmc", clientId: "id" });
    // @ts-expect-error baseUrl is required
    createContactsClient({ accessToken: "t" });
    type Keys = keyof BrowserClientOptions;
    expectTypeOf<Extract<Keys, `${string}ecret${string}`>>().toEqualTypeOf<never>();
  });

  test("return the shared client", () => {
    expectTypeOf(createContactsClient({ baseUrl: "/api/sfmc" })).toEqualTypeOf<ContactsClient>();
  });
});
