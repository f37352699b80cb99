import { describe, expect, it } from "vitest";
import { createContactsMock } from "../../src/index.js";
import { AUTH, establish, post, requestToken, requestTokenForm, TENANT, TOKEN_URL } from "../support/http.js";
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

  it("answers 400 invalid_request, naming both accepted types, to a body that is neither JSON nor a form", async () => {
    // fetch labels a string body text/plain.
    const response = await fetch(`${AUTH}/v2/token`, { method: "POST", body: "grant_type=client_credentials" });
    const body = await response.json();
    expect(response.status).toBe(400);
    expect(body).toMatchObject({
      error: "invalid_request",
      error_description: expect.stringMatching(
        /application\/json or application\/x-www-form-urlencoded, not text\/plain/,
      ),
    });
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

  it("takes a form-encoded request (RFC 6749 section 4.4.2), with the same checks", async () => {
    const answer = await requestTokenForm({
      ...credentials,
      account_id: "1234567",
      scope: "list_and_subscribers_read",
    });
    expect(answer.status, answer.text).toBe(200);
    assertMatchesSpec("token", answer);
    expect(answer.body).toMatchObject({ scope: "list_and_subscribers_read" });
    const accessToken = (answer.body as { access_token: string }).access_token;
    expect((await establish({ ContactKeys: ["a"] }, { token: accessToken })).status).toBe(200);
    const wrong = await requestTokenForm({ ...credentials, client_secret: "nope" });
    expect(wrong.status).toBe(401);
    assertMatchesSpec("token", wrong);
  });

  it("takes account_id as a number, as sfmc-sdk and FuelSDK send it, and compares it as the MID", async () => {
    expect((await requestToken({ ...credentials, account_id: 1234567 })).status).toBe(200);
    const other = await requestToken({ ...credentials, account_id: 999 });
    expect(other.status).toBe(401);
    expect(other.body).toMatchObject({ error: "invalid_client" });
  });

  it.each([
    ["account_id -1", { ...credentials, account_id: -1 }, /account_id/],
    ["account_id 1.5", { ...credentials, account_id: 1.5 }, /account_id/],
    ['account_id "abc"', { ...credentials, account_id: "abc" }, /account_id/],
    ['account_id ""', { ...credentials, account_id: "" }, /account_id/],
    ["account_id {}", { ...credentials, account_id: {} }, /account_id/],
    ["account_id true", { ...credentials, account_id: true }, /account_id/],
    ["account_id null", { ...credentials, account_id: null }, /account_id/],
    ["scope {}", { ...credentials, scope: {} }, /scope must be a space-separated string/],
    ["scope as an array", { ...credentials, scope: ["a", "b"] }, /scope must be a space-separated string/],
    ["scope with two spaces", { ...credentials, scope: "a  b" }, /scope must be a space-separated string/],
    ["scope with a quote", { ...credentials, scope: 'a"b' }, /scope must be a space-separated string/],
    ["client_id a number", { ...credentials, client_id: 42 }, /client_id must be a string/],
    ["client_secret an object", { ...credentials, client_secret: { value: "x" } }, /client_secret must be a string/],
    ["grant_type a number", { ...credentials, grant_type: 1 }, /grant_type must be a string/],
    ["no grant_type", { client_id: "the-id", client_secret: "the-secret" }, /grant_type is required/],
  ])("answers 400 invalid_request to %s", async (_, body, description) => {
    const answer = await requestToken(body);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      error: "invalid_request",
      error_description: expect.stringMatching(description),
    });
    assertMatchesSpec("token", answer);
  });

  it.each([
    ["JSON that does not parse", "application/json", '{"grant_type":', /not valid JSON/],
    ["a JSON array", "application/json", "[]", /must be a JSON object/],
    ["no content type", undefined, JSON.stringify(credentials), /not without a content type/],
    [
      "a form field sent twice",
      "application/x-www-form-urlencoded",
      "grant_type=client_credentials&client_id=a&client_id=b&client_secret=c",
      /client_id is sent more than once/,
    ],
  ])("answers 400 invalid_request to %s", async (_, contentType, text, description) => {
    // Bytes, so that fetch adds no content type of its own.
    const bytes = new TextEncoder().encode(text);
    const answer = await post(TOKEN_URL, bytes, contentType ? { "content-type": contentType } : {});
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      error: "invalid_request",
      error_description: expect.stringMatching(description),
    });
    assertMatchesSpec("token", answer);
  });

  it("grants the default scope when scope is empty, and echoes a valid one", async () => {
    expect((await requestToken({ ...credentials, scope: "" })).body).toMatchObject({
      scope: expect.stringContaining("list_and_subscribers_write"),
    });
    expect((await requestTokenForm({ ...credentials, scope: "a b" })).body).toMatchObject({ scope: "a b" });
  });
});
