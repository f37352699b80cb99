import { describe, expectTypeOf, test } from "vitest";
import {
  type ContactsClient,
  ContactsThrottledError,
  createContactsClient,
  createContactsClientFromEnv,
  type EstablishResult,
  type NodeContactsClient,
} from "../src/index.js";

describe("the Node client's types", () => {
  test("need client credentials; everything else is optional", () => {
    createContactsClient({ subdomain: "t", clientId: "id", clientSecret: "s" });
    createContactsClient({
      clientId: "id",
      clientSecret: "s",
      baseUrl: "http://127.0.0.1:1",
      authBaseUrl: "http://127.0.0.1:1",
      transport: "undici",
    });
    // @ts-expect-error clientSecret is required
    createContactsClient({ subdomain: "t", clientId: "id" });
    // @ts-expect-error the transport is "fetch" or "undici"
    createContactsClient({ subdomain: "t", clientId: "id", clientSecret: "s", transport: "xhr" });
    // @ts-expect-error retry options are typed
    createContactsClient({ subdomain: "t", clientId: "id", clientSecret: "s", retry: { tries: 3 } });
  });

  test("return the shared client plus close()", () => {
    const client = createContactsClient({ subdomain: "t", clientId: "id", clientSecret: "s" });
    expectTypeOf(client).toEqualTypeOf<NodeContactsClient>();
    expectTypeOf(client).toExtend<ContactsClient>();
    expectTypeOf(client.close).toEqualTypeOf<() => Promise<void>>();
    expectTypeOf(client.establish(["a"])).resolves.toEqualTypeOf<EstablishResult>();
    expectTypeOf(createContactsClientFromEnv)
      .parameter(0)
      .toEqualTypeOf<Record<string, string | undefined> | undefined>();
  });

  test("raw is typed with the spec's paths", async () => {
    const client = createContactsClient({ subdomain: "t", clientId: "id", clientSecret: "s" });
    // @ts-expect-error ContactKeys must be strings
    await client.raw.POST("/contacts/v1/establish", { body: { ContactKeys: [1] } });
    // @ts-expect-error the spec has no such route
    await client.raw.POST("/contacts/v1/nope", { body: {} });
  });

  test("issue 15: maxRequestsPerSecond is a number; ContactsThrottledError comes with the client", () => {
    createContactsClient({ subdomain: "t", clientId: "id", clientSecret: "s", maxRequestsPerSecond: 40 });
    // @ts-expect-error a number, not a string
    createContactsClient({ subdomain: "t", clientId: "id", clientSecret: "s", maxRequestsPerSecond: "40" });
    const error = new ContactsThrottledError("paused", { retryAfter: 3 });
    expectTypeOf(error.retryAfter).toEqualTypeOf<number | undefined>();
    expectTypeOf(error.errorcode).toEqualTypeOf<number | undefined>();
  });
});
