/**
 * Review defect 1: `raw` requests are built on a placeholder base and re-based onto the REST host
 * with the token. A path that does not start with "/" joined to that base as text named another
 * host or port (".attacker.example/steal" became tenant.rest.marketingcloudapis.com.attacker.example)
 * and the token went there. Such a path is refused before anything, the token request included,
 * is sent; only a URL on the placeholder's own origin is re-based, from its path and query.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ContactsValidationError, clearTokenCache, createContactsClient } from "../src/index.js";

const REST = "https://tenant.rest.marketingcloudapis.com";

/** A client whose fetch records every request (URL and authorization) and answers it. */
function recording() {
  const sent: string[] = [];
  const client = createContactsClient({
    clientId: "id",
    clientSecret: "secret",
    subdomain: "tenant",
    retry: false,
    fetch: async (request) => {
      sent.push(`${request.url} ${request.headers.get("authorization")}`);
      if (request.url.endsWith("/v2/token")) {
        return Response.json({
          access_token: "raw-token-0123456789",
          token_type: "Bearer",
          expires_in: 1080,
          rest_instance_url: `${REST}/`,
        });
      }
      return Response.json({});
    },
  });
  return { client, sent };
}

afterEach(() => clearTokenCache());

describe("raw: where a request goes", () => {
  it.each([".attacker.example/steal", ":8443/x", "-evil.example/x", "contacts/v1/establish"])(
    "a path %j: a ContactsValidationError, nothing sent (not even the token request)",
    async (path) => {
      const { client, sent } = recording();
      const error = await client.raw.GET(path as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ContactsValidationError);
      expect(sent).toEqual([]);
    },
  );

  it("a request's own base that only starts like the placeholder is refused, not re-based", async () => {
    const { client, sent } = recording();
    const error = await client.raw
      .GET("/x" as never, { baseUrl: "https://rest.base.pending.invalid.attacker.example" } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsValidationError);
    expect(sent.filter((line) => !line.includes("/v2/token"))).toEqual([]);
  });

  it("a path that starts with / is re-based onto the REST host with its query and the token", async () => {
    const { client, sent } = recording();
    await client.raw.GET("/contacts/v1/establish" as never, { params: { query: { a: "1" } } } as never);
    expect(sent.filter((line) => !line.includes("/v2/token"))).toEqual([
      `${REST}/contacts/v1/establish?a=1 Bearer raw-token-0123456789`,
    ]);
  });
});
