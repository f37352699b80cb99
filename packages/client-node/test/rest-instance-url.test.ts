/**
 * Review defect 9a: the token route's `rest_instance_url` was stored as sent (only trailing
 * slashes cut) and used as the REST base by a client without `baseUrl`: a port, a query or a
 * fragment became part of every URL, credentials broke every request as a network error, any
 * `*.marketingcloudapis.com` host (auth, soap) was trusted, and the server's string went into
 * messages verbatim. Now it is parsed: only https on a tenant's `*.rest.marketingcloudapis.com`,
 * default port, no credentials, query or fragment, stored as origin and path; anything else is a
 * ContactsAuthError that quotes the server's string safely, and nothing is sent.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ContactsAuthError, clearTokenCache, createContactsClient } from "../src/index.js";

/** A client without baseUrl whose token route names `rest`; records where bearer tokens went. */
function clientNaming(rest: string) {
  const bearerSentTo: string[] = [];
  const client = createContactsClient({
    clientId: "id",
    clientSecret: "secret",
    subdomain: "t",
    retry: false,
    fetch: async (request) => {
      if (request.url.endsWith("/v2/token")) {
        return Response.json({
          access_token: "token-0123456789",
          token_type: "Bearer",
          expires_in: 1080,
          rest_instance_url: rest,
        });
      }
      if (request.headers.get("authorization")) bearerSentTo.push(request.url);
      const keys = ((await request.json()) as { ContactKeys: string[] }).ContactKeys;
      return Response.json({
        items: keys.map((key, i) => ({
          requestItemIndex: i,
          value: {
            requestedContactKey: key,
            contactReference: { contactID: 1000 + i, contactType: "Default", contactStatus: "Active" },
          },
          resultMessages: [],
        })),
        resultMessages: [],
        requestServiceMessageID: "r",
        serviceMessageID: "s",
        responseDateTime: "2026-11-27T10:00:00.0000000-06:00",
      });
    },
  });
  return { client, bearerSentTo };
}

afterEach(() => clearTokenCache());

describe("rest_instance_url, for a client without baseUrl", () => {
  it.each([
    ["https://t.rest.marketingcloudapis.com/", "https://t.rest.marketingcloudapis.com/contacts/v1/establish"],
    ["https://T.REST.MARKETINGCLOUDAPIS.COM", "https://t.rest.marketingcloudapis.com/contacts/v1/establish"],
    ["https://t.rest.marketingcloudapis.com/base/", "https://t.rest.marketingcloudapis.com/base/contacts/v1/establish"],
    [
      "https://xn--80ak6aa92e.rest.marketingcloudapis.com",
      "https://xn--80ak6aa92e.rest.marketingcloudapis.com/contacts/v1/establish",
    ],
  ])("%j: used as origin and path", async (rest, expected) => {
    const { client, bearerSentTo } = clientNaming(rest);
    await client.establish(["Key1"]);
    expect(bearerSentTo).toEqual([expected]);
  });

  it.each([
    "https://u:p@t.rest.marketingcloudapis.com",
    "https://t.rest.marketingcloudapis.com:8443",
    "https://t.rest.marketingcloudapis.com/prefix?q=1",
    "https://t.rest.marketingcloudapis.com?",
    "https://t.rest.marketingcloudapis.com#",
    "https://t.rest.marketingcloudapis.com/#/x",
    "https://t.auth.marketingcloudapis.com",
    "https://-.soap.marketingcloudapis.com",
    "https://-.rest.marketingcloudapis.com",
    "https://t.rest.marketingcloudapis.com.evil.example",
    "https://t.rest.marketingcloudapis.com@evil.example",
    "https://evil.example#@t.rest.marketingcloudapis.com",
    "https://evil.example\\@t.rest.marketingcloudapis.com",
    "https:/\\t.rest.marketingcloudapis.com",
    " https://t.rest.marketingcloudapis.com\t",
    "https://ｔ.rest.marketingcloudapis.com",
    "https://t\u00ad.rest.marketingcloudapis.com",
    "http://t.rest.marketingcloudapis.com",
    "https://t.rest.marketingcloudapis.com%2eevil.example",
    "not a url",
    "",
  ])("%j: refused, nothing sent", async (rest) => {
    const { client, bearerSentTo } = clientNaming(rest);
    const error = await client.establish(["Key1"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsAuthError);
    expect(error).toMatchObject({ error: "untrusted_rest_instance_url", retryable: false });
    expect((error as Error).message).toContain(`rest_instance_url ${JSON.stringify(rest)}`);
    expect(bearerSentTo).toEqual([]);
  });

  it("quotes the server's string safely: escaped, at most 100 characters", async () => {
    const rest = `https://evil.example/\r\nX-Injected: 1/${"a".repeat(500)}`;
    const { client, bearerSentTo } = clientNaming(rest);
    const error = (await client.establish(["Key1"]).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ContactsAuthError);
    expect(error.message).not.toMatch(/[\r\n]/);
    expect(error.message).toContain(JSON.stringify(`${rest.slice(0, 100)}...`));
    expect(error.message).not.toContain("a".repeat(101));
    expect(bearerSentTo).toEqual([]);
  });
});
