import { describe, expect, it } from "vitest";
import { createContactsMock } from "../../src/index.js";
import { AUTH, establish, requestToken, TENANT } from "../support/http.js";
import { useContactsServer } from "../support/server.js";
import { assertMatchesSpec } from "../support/spec.js";

const { server } = useContactsServer({
  seed: 3,
  auth: { clientId: "the-id", clientSecret: "the-secret", accountId: "1234567" },
});

const credentials = { grant_type: "client_credentials", client_id: "the-id", client_secret: "the-secret" };

describe("POST /v2/token", () => {
  it("issues a token for the configured credentials, pointing at the tenant's REST host", async () => {
    const answer = await requestToken({ ...credentials, account_id: "1234567" });
    expect(answer.status).toBe(200);
    assertMatchesSpec("token", answer);
    expect(answer.body).toEqual({
      access_token: expect.stringMatching(/^[A-Za-z0-9_-]{64}$/),
      token_type: "Bearer",
      expires_in: 1079,
      scope: expect.stringContaining("list_and_subscribers_write"),
      soap_instance_url: `https://${TENANT}.soap.marketingcloudapis.com/`,
      rest_instance_url: `https://${TENANT}.rest.marketingcloudapis.com/`,
    });
    const accessToken = (answer.body as { access_token: string }).access_token;
    const established = await establish({ ContactKeys: ["a"] }, { token: accessToken });
    expect(established.status).toBe(200);
  });

  it("echoes a requested scope", async () => {
    const answer = await requestToken({ ...credentials, scope: "list_and_subscribers_write" });
    expect(answer.body).toMatchObject({ scope: "list_and_subscribers_write" });
  });

  it.each([
    ["a wrong secret", { ...credentials, client_secret: "nope" }],
    ["a wrong client id", { ...credentials, client_id: "nope" }],
    ["another account", { ...credentials, account_id: "999" }],
    ["no secret", { grant_type: "client_credentials", client_id: "the-id" }],
  ])("answers 401 invalid_client to %s", async (_, body) => {
    const answer = await requestToken(body);
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: "invalid_client" });
    assertMatchesSpec("token", answer);
  });

  it("answers 400 unsupported_grant_type to another grant", async () => {
    const answer = await requestToken({ ...credentials, grant_type: "password" });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: "unsupported_grant_type" });
    assertMatchesSpec("token", answer);
  });

  it("answers 400 invalid_request to a body that is not JSON", async () => {
    const response = await fetch(`${AUTH}/v2/token`, { method: "POST", body: "grant_type=client_credentials" });
    const body = await response.json();
    expect(response.status).toBe(400);
    expect(body).toMatchObject({ error: "invalid_request" });
  });

  it("issues a different token each time, each of them valid", async () => {
    const one = (await requestToken(credentials)).body as { access_token: string };
    const two = (await requestToken(credentials)).body as { access_token: string };
    expect(one.access_token).not.toBe(two.access_token);
    expect((await establish({ ContactKeys: ["a"] }, { token: one.access_token })).status).toBe(200);
    expect((await establish({ ContactKeys: ["a"] }, { token: two.access_token })).status).toBe(200);
  });

  it("uses the configured lifetime as expires_in", async () => {
    const short = createContactsMock({ seed: 1, baseUrl: "http://127.0.0.1:9/t", auth: { tokenLifetimeSeconds: 60 } });
    server.use(...short.handlers);
    const answer = await requestToken(
      { grant_type: "client_credentials", client_id: "a", client_secret: "b" },
      "http://127.0.0.1:9/t/v2/token",
    );
    expect(answer.body).toMatchObject({ expires_in: 60, rest_instance_url: "http://127.0.0.1:9/t/" });
  });

  it("accepts any non-empty credentials when none are configured", async () => {
    const open = createContactsMock({ seed: 1, baseUrl: "http://127.0.0.1:9/open" });
    server.use(...open.handlers);
    const answer = await requestToken(
      { grant_type: "client_credentials", client_id: "x", client_secret: "y" },
      "http://127.0.0.1:9/open/v2/token",
    );
    expect(answer.status).toBe(200);
  });
});
