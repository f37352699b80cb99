/**
 * Review of issue 14 (S1): a client without `baseUrl` remembers the REST host it last found
 * trusted, so it does not parse the token's `rest_instance_url` on every request. The memo must be
 * keyed on that exact URL: when another client of the same identity (with an explicit `baseUrl`)
 * renews the shared token and the new token names another host, the first client must refuse it
 * and send nothing there. A memo that trusted "anything, once something was trusted" passed every
 * other test and sent the token to the other host.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ContactsAuthError, clearTokenCache, createContactsClient } from "../src/index.js";

const answer = (keys: string[]) => ({
  items: keys.map((key, i) => ({
    value: {
      requestedContactKey: key,
      contactReference: { contactID: i + 1, contactType: "Default", contactStatus: "Active" },
    },
    requestItemIndex: i,
    resultMessages: [],
  })),
  resultMessages: [],
  requestServiceMessageID: "r",
  responseDateTime: "2024-01-01T00:00:00.0000000-06:00",
  serviceMessageID: "s",
});

afterEach(() => clearTokenCache());

describe("the trusted REST host memo", () => {
  it("does not carry trust over to a renewed token that names another host", async () => {
    let tokens = 0;
    const bearerSentTo: string[] = [];
    const fetch = async (request: Request) => {
      const url = new URL(request.url);
      if (url.pathname === "/v2/token") {
        tokens++;
        return Response.json({
          access_token: `token-${tokens}`,
          token_type: "Bearer",
          expires_in: 1080,
          rest_instance_url:
            tokens === 1
              ? "https://t.rest.marketingcloudapis.com/"
              : "https://t.rest.marketingcloudapis.com.evil.example/",
        });
      }
      const authorization = request.headers.get("authorization") ?? "";
      bearerSentTo.push(`${url.host} ${authorization}`);
      // The proxy refuses the first token, so client B renews the shared one.
      if (url.host === "proxy.example" && authorization === "Bearer token-1")
        return new Response(null, { status: 401 });
      const { ContactKeys } = (await request.json()) as { ContactKeys: string[] };
      return Response.json(answer(ContactKeys));
    };
    const common = { subdomain: "t", clientId: "id", clientSecret: "secret", retry: false as const, fetch };
    const a = createContactsClient(common);
    const b = createContactsClient({ ...common, baseUrl: "https://proxy.example" });

    await a.establish(["a1"]); // trusted: the memo now holds t.rest.marketingcloudapis.com
    await b.establish(["b1"]); // 401, renews the shared token: the new one names another host
    expect(tokens).toBe(2);
    const error = await a.establish(["a2"]).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ContactsAuthError);
    expect((error as ContactsAuthError).error).toBe("untrusted_rest_instance_url");
    expect(bearerSentTo).toEqual([
      "t.rest.marketingcloudapis.com Bearer token-1",
      "proxy.example Bearer token-1",
      "proxy.example Bearer token-2",
    ]);
  });
});
