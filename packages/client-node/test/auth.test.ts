import { inspect } from "node:util";
import { createContactsMock } from "@sfmc-contacts/mocks";
import { setupContactsServer } from "@sfmc-contacts/mocks/node";
import { http } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  ContactsAuthError,
  type ContactsEvent,
  clearTokenCache,
  createContactsClient,
  type NodeClientOptions,
} from "../src/index.js";

const SUBDOMAIN = "mc-tenant-1";
const SECRET = "the-client-secret-do-not-leak";
const mock = createContactsMock({ seed: 8, auth: { clientId: "the-id", clientSecret: SECRET, accountId: "1234567" } });
const { server } = setupContactsServer(mock);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  mock.reset();
  clearTokenCache();
});
afterAll(() => server.close());

const options: NodeClientOptions = {
  subdomain: SUBDOMAIN,
  clientId: "the-id",
  clientSecret: SECRET,
  accountId: "1234567",
  retry: { baseDelayMs: 1, maxDelayMs: 100 },
};
const tokenCalls = () => mock.requests.filter((r) => r.route === "token");
const establishCalls = () => mock.requests.filter((r) => r.route === "establish");

describe("client credentials", () => {
  it("gets a token from the tenant's auth host and uses its rest_instance_url", async () => {
    const client = createContactsClient(options);
    const result = await client.establish(["Key1"]);
    expect(result.contacts).toHaveLength(1);
    expect(tokenCalls()[0]).toMatchObject({
      url: `https://${SUBDOMAIN}.auth.marketingcloudapis.com/v2/token`,
      body: {
        grant_type: "client_credentials",
        client_id: "the-id",
        client_secret: "[redacted]",
        account_id: "1234567",
      },
    });
    expect(establishCalls()[0]?.url).toBe(`https://${SUBDOMAIN}.rest.marketingcloudapis.com/contacts/v1/establish`);
  });

  it("sends scope when given", async () => {
    await createContactsClient({ ...options, scope: "list_and_subscribers_write" }).establish(["Key1"]);
    expect(tokenCalls()[0]?.body).toMatchObject({ scope: "list_and_subscribers_write" });
  });

  it("caches the token process-wide: two clients of the same credentials make one token request", async () => {
    await createContactsClient(options).establish(["a"]);
    await createContactsClient(options).establish(["b"]);
    expect(tokenCalls()).toHaveLength(1);
  });

  it("keeps tokens apart per account id", async () => {
    const other = createContactsMock({
      seed: 9,
      baseUrl: { rest: "https://other.rest.marketingcloudapis.com", auth: "https://other.auth.marketingcloudapis.com" },
    });
    server.use(...other.handlers);
    await createContactsClient(options).establish(["a"]);
    await createContactsClient({ ...options, subdomain: "other", accountId: undefined as unknown as string }).establish(
      ["a"],
    );
    expect(tokenCalls()).toHaveLength(1);
    expect(other.requests.filter((r) => r.route === "token")).toHaveLength(1);
  });

  it("is single-flight: 50 concurrent calls with no token make exactly one token request", async () => {
    const client = createContactsClient(options);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => client.establish([`k${i}`])));
    expect(results.every((r) => r.contacts.length === 1)).toBe(true);
    expect(tokenCalls()).toHaveLength(1);
    expect(establishCalls()).toHaveLength(50);
  });

  it("refreshes shortly before expiry", async () => {
    const realNow = Date.now;
    const client = createContactsClient(options);
    try {
      await client.establish(["a"]);
      Date.now = () => realNow() + 900_000; // 15 minutes into a 1079 s token: still cached
      await client.establish(["b"]);
      expect(tokenCalls()).toHaveLength(1);
      Date.now = () => realNow() + 1_030_000; // 49 s before expiry: inside the refresh margin
      await client.establish(["c"]);
    } finally {
      Date.now = realNow;
    }
    expect(tokenCalls()).toHaveLength(2);
  });

  it("on a 401 from establish, refreshes once and retries once", async () => {
    const client = createContactsClient(options);
    await client.establish(["a"]);
    server.use(mock.scenarios.unauthorized({ once: true }));
    const result = await client.establish(["b"]);
    expect(result.contacts).toHaveLength(1);
    expect(tokenCalls()).toHaveLength(2);
    expect(establishCalls()).toHaveLength(3);
  });

  it("a lasting 401 ends in ContactsApiError 401 after exactly one refresh", async () => {
    server.use(mock.scenarios.unauthorized());
    const error = await createContactsClient(options)
      .establish(["a"])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ContactsApiError", status: 401 });
    expect(tokenCalls()).toHaveLength(2);
    expect(establishCalls()).toHaveLength(2);
  });

  it("gives ContactsAuthError with the OAuth error when the credentials are refused", async () => {
    const error = await createContactsClient({ ...options, clientSecret: "wrong" })
      .establish(["a"])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsAuthError);
    expect(error).toMatchObject({
      name: "ContactsAuthError",
      code: "CONTACTS_AUTH_ERROR",
      status: 401,
      error: "invalid_client",
      errorDescription: expect.stringContaining("Client authentication failed"),
    });
    expect(establishCalls()).toHaveLength(0);
    expect(tokenCalls()).toHaveLength(1);
  });

  it("refuses a rest_instance_url that is not a Marketing Cloud host", async () => {
    server.use(
      http.post(`https://${SUBDOMAIN}.auth.marketingcloudapis.com/v2/token`, () =>
        Response.json({
          access_token: "t",
          token_type: "Bearer",
          expires_in: 1079,
          scope: "",
          soap_instance_url: "https://evil.example/",
          rest_instance_url: "https://evil.example/",
        }),
      ),
    );
    const error = await createContactsClient(options)
      .establish(["a"])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ContactsAuthError", error: "untrusted_rest_instance_url" });
  });

  it("raw is typed openapi-fetch with the client's token and host", async () => {
    const client = createContactsClient(options);
    const { data, response } = await client.raw.POST("/contacts/v1/establish", { body: { ContactKeys: ["raw-key"] } });
    expect(response.status).toBe(200);
    expect(data?.items[0]?.value.requestedContactKey).toBe("raw-key");
    expect(establishCalls()[0]?.headers.authorization).toBe("Bearer [redacted]");
  });

  it("applies middleware to establish and raw requests", async () => {
    const seen: string[] = [];
    const client = createContactsClient({
      ...options,
      middleware: [{ onRequest: ({ request }) => void seen.push(new URL(request.url).pathname) }],
    });
    await client.establish(["a"]);
    await client.raw.POST("/contacts/v1/establish", { body: { ContactKeys: ["b"] } });
    expect(seen).toEqual(["/contacts/v1/establish", "/contacts/v1/establish"]);
  });
});

describe("secrets never leak", () => {
  it("not in errors, events, inspect or JSON of the client", async () => {
    const events: ContactsEvent[] = [];
    const client = createContactsClient({ ...options, onEvent: (e) => events.push(e) });
    await client.establish(["a"]);
    server.use(mock.scenarios.forbidden());
    const error = await client.establish(["b"]).catch((e: unknown) => e);
    const wrong = await createContactsClient({ ...options, clientSecret: "wrong-secret-xyz" })
      .establish(["c"])
      .catch((e: unknown) => e);
    const token = await (async () => {
      const answer = await fetch(`https://${SUBDOMAIN}.auth.marketingcloudapis.com/v2/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ grant_type: "client_credentials", client_id: "the-id", client_secret: SECRET }),
      });
      return ((await answer.json()) as { access_token: string }).access_token;
    })();
    const texts = [error, wrong, events, client].flatMap((value) => [
      JSON.stringify(value) ?? "",
      inspect(value, { depth: 10, showHidden: true }),
      String(value),
    ]);
    for (const text of texts) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain("wrong-secret-xyz");
    }
    // The seeded mock issues the same token again after a reset; no earlier token shows up either.
    expect(events.some((e) => e.type === "token")).toBe(true);
    expect(JSON.stringify(events)).not.toContain(token.slice(0, 20));
  });
});

describe("after the mock forgets its tokens (mock.reset() between an app's tests)", () => {
  it("the cached token is refused once, renewed, and the call succeeds", async () => {
    const client = createContactsClient(options);
    await client.establish(["a"]);
    mock.reset(); // the seeded mock will even re-issue the very same token string
    const result = await client.establish(["b"]);
    expect(result.contacts).toHaveLength(1);
    expect(tokenCalls()).toHaveLength(1);
    expect(establishCalls()).toHaveLength(2);
  });
});
