/**
 * Review defect 1: openapi-fetch joins the base URL and the path as text, so a path that does
 * not start with "/" (".evil.example/x", ":8443/x", "@evil.example/x") names another host or port,
 * and the spec client's token (the browser client's raw, resolved relative base included) would
 * go there. The spec client refuses such a path before anything is asked for or sent.
 */
import { describe, expect, it } from "vitest";
import { ContactsValidationError } from "../src/index.js";
import { createSpecClient } from "../src/openapi-fetch.js";

const BASE = "https://tenant.rest.marketingcloudapis.com";

/** A client with a token whose fetch records every URL it is asked for. */
function recording() {
  const sent: string[] = [];
  let asked = 0;
  const client = createSpecClient({
    baseUrl: BASE,
    fetch: async (request) => {
      sent.push(`${request.url} ${request.headers.get("authorization")}`);
      return Response.json({});
    },
    authorization: () => {
      asked++;
      return "Bearer secret-token";
    },
  });
  return { client, sent, asked: () => asked };
}

describe("a raw path that does not start with /", () => {
  it.each([".attacker.example/steal", ":8443/x", "-evil.example/x", "contacts/v1/establish"])(
    "%j: a ContactsValidationError, no token asked for, nothing sent",
    async (path) => {
      const { client, sent, asked } = recording();
      const error = await client.GET(path as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ContactsValidationError);
      expect((error as Error).message).toContain('must start with "/"');
      expect(sent).toEqual([]);
      expect(asked()).toBe(0);
    },
  );

  it("a path that starts with / goes to the base, with its query, and the token", async () => {
    const { client, sent } = recording();
    await client.GET("/contacts/v1/establish" as never, { params: { query: { a: "1" } } } as never);
    expect(sent).toEqual([`${BASE}/contacts/v1/establish?a=1 Bearer secret-token`]);
  });
});
