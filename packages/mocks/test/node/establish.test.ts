import { describe, expect, it, vi } from "vitest";
import { createContactsMock } from "../../src/index.js";
import { ESTABLISH_URL, establish, post, REST, token } from "../support/http.js";
import { useContactsServer } from "../support/server.js";
import { assertMatchesSpec } from "../support/spec.js";

const { server, mock } = useContactsServer({ seed: 7 });

interface Body {
  items: Array<{
    value: {
      requestedContactKey: string;
      isNewContact?: boolean;
      contactReference: { contactID: number; contactKey: string };
    };
    requestItemIndex: number;
    resultMessages: unknown[];
  }>;
  requestServiceMessageID: string;
  responseDateTime: string;
  serviceMessageID: string;
  resultMessages: unknown[];
}

async function ok(body: unknown, accessToken?: string): Promise<Body> {
  const answer = await establish(body, { token: accessToken ?? (await token()) });
  expect(answer.status, answer.text).toBe(200);
  assertMatchesSpec("establish", answer);
  return answer.body as Body;
}

describe("auth", () => {
  const notAuthorized = {
    message: "Not Authorized",
    errorcode: 0,
    documentation: expect.stringMatching(/^https:\/\//),
  };

  it.each([
    ["no Authorization header", undefined],
    ["a token the mock never issued", "not-a-token"],
    ["an empty bearer", ""],
  ])(
    'answers 401 Not Authorized for %s, with WWW-Authenticate: Bearer error="invalid_token"',
    async (_, accessToken) => {
      const answer = await establish({ ContactKeys: ["a"] }, { token: accessToken });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(notAuthorized);
      // What fuel-rest (Salesforce's Node REST library, used by FuelSDK) renews its token on.
      expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer\s.+?invalid_token/);
      assertMatchesSpec("establish", answer);
      expect(mock.store.size).toBe(0);
    },
  );

  it("answers 401 once an issued token has expired", async () => {
    const short = createContactsMock({
      seed: 1,
      baseUrl: "http://127.0.0.1:9/short",
      auth: { tokenLifetimeSeconds: 1 },
    });
    server.use(...short.handlers);
    // A fake clock: the token's second passes when the test says so, not with the machine's speed
    // (on a busy machine a real second can pass before the first call).
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const accessToken = await token("http://127.0.0.1:9/short/v2/token");
      const url = "http://127.0.0.1:9/short/contacts/v1/establish";
      vi.setSystemTime(Date.now() + 999);
      expect((await establish({ ContactKeys: ["a"] }, { token: accessToken, url })).status).toBe(200);
      vi.setSystemTime(Date.now() + 1);
      const expired = await establish({ ContactKeys: ["a"] }, { token: accessToken, url });
      expect(expired.status).toBe(401);
      expect(expired.body).toEqual(notAuthorized);
    } finally {
      vi.useRealTimers();
    }
  });

  it("names the cause in WWW-Authenticate: no token, or an unknown or expired one", async () => {
    const missing = await establish({ ContactKeys: ["a"] });
    const unknown = await establish({ ContactKeys: ["a"] }, { token: "not-a-token" });
    expect(missing.headers.get("www-authenticate")).toBe(
      'Bearer error="invalid_token", error_description="No access token: send it as Authorization: Bearer <token>"',
    );
    expect(unknown.headers.get("www-authenticate")).toBe(
      'Bearer error="invalid_token", error_description="The access token is unknown or has expired: request a new one"',
    );
  });

  it("expireTokens(): every token issued so far stops working at once, later ones work", async () => {
    const before = await token();
    expect((await establish({ ContactKeys: ["a"] }, { token: before })).status).toBe(200);
    mock.expireTokens();
    const expired = await establish({ ContactKeys: ["a"] }, { token: before });
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual(notAuthorized);
    expect(expired.headers.get("www-authenticate")).toMatch(/^Bearer\s.+?invalid_token/);
    assertMatchesSpec("establish", expired);
    const after = await token();
    expect((await establish({ ContactKeys: ["a"] }, { token: after })).status).toBe(200);
    // The store and the log stay: only the tokens go.
    expect(mock.store.has("a")).toBe(true);
    expect(mock.requests.filter((r) => r.route === "token")).toHaveLength(2);
  });

  it("expireTokens() leaves the static token working", async () => {
    const withStatic = createContactsMock({
      seed: 1,
      baseUrl: "http://127.0.0.1:9/static-expire",
      auth: { staticToken: "from-backend" },
    });
    server.use(...withStatic.handlers);
    withStatic.expireTokens();
    const url = "http://127.0.0.1:9/static-expire/contacts/v1/establish";
    expect((await establish({ ContactKeys: ["a"] }, { token: "from-backend", url })).status).toBe(200);
  });

  it("accepts the configured static token without the token route", async () => {
    const withStatic = createContactsMock({
      seed: 1,
      baseUrl: "http://127.0.0.1:9/static",
      auth: { staticToken: "from-backend" },
    });
    server.use(...withStatic.handlers);
    const url = "http://127.0.0.1:9/static/contacts/v1/establish";
    expect((await establish({ ContactKeys: ["a"] }, { token: "from-backend", url })).status).toBe(200);
    expect((await establish({ ContactKeys: ["a"] }, { token: "other", url })).status).toBe(401);
  });

  it("needs no token at all with auth: false (an app's proxy)", async () => {
    const proxy = createContactsMock({ seed: 1, baseUrl: "http://localhost:3000/api/sfmc", auth: false });
    server.use(...proxy.handlers);
    const answer = await establish(
      { ContactKeys: ["a"] },
      { url: "http://localhost:3000/api/sfmc/contacts/v1/establish" },
    );
    expect(answer.status).toBe(200);
    expect(proxy.store.has("a")).toBe(true);
    expect(mock.store.has("a")).toBe(false);
  });
});

describe("bad bodies, answered as the service answers them", () => {
  it.each([
    ["a body that is not JSON", { raw: "{ContactKeys: [" }, 400, 10004],
    ["JSON that is not an object", { raw: '["Key1"]' }, 400, 10004],
    ["no ContactKeys", { body: { ReturnResults: true } }, 400, 10002],
    ["ContactKeys null", { body: { ContactKeys: null } }, 400, 10002],
    ["ContactKeys a string", { body: { ContactKeys: "Key1" } }, 400, 10001],
    ["a number in ContactKeys", { body: { ContactKeys: ["Key1", 2] } }, 400, 10001],
    ["a flag that is not a boolean", { body: { ContactKeys: ["a"], ReturnResults: "yes" } }, 400, 10001],
    ["a ContactType that is not an integer", { body: { ContactKeys: ["a"], ContactType: 1.5 } }, 400, 10001],
    ["an empty ContactKeys", { body: { ContactKeys: [] } }, 400, 10005],
    ["an empty key", { body: { ContactKeys: ["a", ""] } }, 400, 10005],
    ["a key over 254 characters", { body: { ContactKeys: ["a", "k".repeat(255)] } }, 400, 10005],
  ])("%s: %i with errorcode %i", async (_, given, status, errorcode) => {
    const input = given as { body?: unknown; raw?: string };
    const answer = await establish(input.body, { token: await token(), ...(input.raw ? { raw: input.raw } : {}) });
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ errorcode });
    assertMatchesSpec("establish", answer);
    expect(mock.store.size).toBe(0);
  });

  it("names the index and the reason", async () => {
    const answer = await establish({ ContactKeys: ["a", "k".repeat(255)] }, { token: await token() });
    expect((answer.body as { message: string }).message).toBe(
      "ContactKeys[1]: invalid value: a contact key is 1 to 254 characters, got 255",
    );
  });

  it("accepts a key of exactly 254 characters", async () => {
    const body = await ok({ ContactKeys: ["k".repeat(254)] });
    expect(body.items[0]?.value.requestedContactKey).toHaveLength(254);
  });

  it.each(["text/plain", "application/x-www-form-urlencoded"])(
    "answers 415 to content type %s",
    async (contentType) => {
      const answer = await establish({ ContactKeys: ["a"] }, { token: await token(), contentType });
      expect(answer.status).toBe(415);
      expect(answer.body).toMatchObject({ errorcode: 0, message: expect.stringContaining(contentType) });
      assertMatchesSpec("establish", answer);
    },
  );

  it("accepts application/json with a charset", async () => {
    const answer = await establish(
      { ContactKeys: ["a"] },
      { token: await token(), contentType: "application/json; charset=utf-8" },
    );
    expect(answer.status).toBe(200);
  });
});

describe("names and flags, like the service", () => {
  it("accepts camelCase names and string booleans", async () => {
    const body = await ok({ contactKeys: ["a"], returnResults: "false" });
    expect(body.items).toEqual([]);
    expect(mock.store.has("a")).toBe(true);
  });

  it("accepts real booleans and any casing of the string forms", async () => {
    expect((await ok({ ContactKeys: ["a"], ReturnResults: false })).items).toEqual([]);
    expect((await ok({ ContactKeys: ["a"], ReturnResults: "False" })).items).toEqual([]);
    expect((await ok({ ContactKeys: ["a"], returnresults: "TRUE" })).items).toHaveLength(1);
  });

  it("leaves isNewContact out when IncludeNewContactAwareness is false", async () => {
    const body = await ok({ ContactKeys: ["a"], IncludeNewContactAwareness: "false" });
    expect(body.items[0]?.value).not.toHaveProperty("isNewContact");
  });

  it("includes isNewContact by default", async () => {
    const body = await ok({ ContactKeys: ["a"] });
    expect(body.items[0]?.value.isNewContact).toBe(true);
  });

  it("keeps request order with CorrelateResponseItem, and requestItemIndex names each key's position either way", async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `key-${i}`);
    const correlated = await ok({ ContactKeys: keys });
    expect(correlated.items.map((item) => item.value.requestedContactKey)).toEqual(keys);
    expect(correlated.items.map((item) => item.requestItemIndex)).toEqual(keys.map((_, i) => i));

    const uncorrelated = await ok({ ContactKeys: keys, CorrelateResponseItem: false });
    expect(uncorrelated.items.map((item) => item.value.requestedContactKey)).not.toEqual(keys);
    for (const item of uncorrelated.items) expect(keys[item.requestItemIndex]).toBe(item.value.requestedContactKey);
  });
});

describe("state", () => {
  it("gives a key a new id on first sight and the same id after, with isNewContact true then false", async () => {
    const accessToken = await token();
    const first = await ok({ ContactKeys: ["Key1"] }, accessToken);
    const second = await ok({ ContactKeys: ["Key1", "Key2"] }, accessToken);
    expect(first.items[0]?.value.isNewContact).toBe(true);
    expect(second.items[0]?.value.isNewContact).toBe(false);
    expect(second.items[0]?.value.contactReference.contactID).toBe(first.items[0]?.value.contactReference.contactID);
    expect(second.items[1]?.value.isNewContact).toBe(true);
    expect(second.items[1]?.value.contactReference.contactID).not.toBe(
      first.items[0]?.value.contactReference.contactID,
    );
    expect(mock.store.get("Key1")?.contactID).toBe(first.items[0]?.value.contactReference.contactID);
  });

  it("treats keys as opaque and case-preserving", async () => {
    const body = await ok({ ContactKeys: ["Key1", "key1", " Key1", "KEY1"] });
    expect(body.items.map((item) => item.value.isNewContact)).toEqual([true, true, true, true]);
    expect(new Set(body.items.map((item) => item.value.contactReference.contactID)).size).toBe(4);
    expect(body.items.map((item) => item.value.contactReference.contactKey)).toEqual(["Key1", "key1", " Key1", "KEY1"]);
  });

  it("answers a key repeated in one request as new, then existing", async () => {
    const body = await ok({ ContactKeys: ["dup", "dup"] });
    expect(body.items.map((item) => item.value.isNewContact)).toEqual([true, false]);
  });

  it("stores contacts even when results are not returned", async () => {
    await ok({ ContactKeys: ["silent"], ReturnResults: false });
    const body = await ok({ ContactKeys: ["silent"] });
    expect(body.items[0]?.value.isNewContact).toBe(false);
  });

  it("starts from contacts added to the store", async () => {
    mock.store.add("existing", { contactID: 123456789 });
    const body = await ok({ ContactKeys: ["existing"] });
    expect(body.items[0]?.value).toMatchObject({ isNewContact: false, contactReference: { contactID: 123456789 } });
  });
});

describe("formats", () => {
  it("writes GUIDs in lower case and responseDateTime with 7 fractional digits and an offset", async () => {
    const body = await ok({ ContactKeys: ["a"] });
    const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(body.requestServiceMessageID).toMatch(guid);
    expect(body.serviceMessageID).toMatch(guid);
    expect(body.requestServiceMessageID).not.toBe(body.serviceMessageID);
    expect(body.responseDateTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}-06:00$/);
  });

  it("answers on any tenant subdomain by default", async () => {
    const other = "https://other-tenant.rest.marketingcloudapis.com/contacts/v1/establish";
    const answer = await establish({ ContactKeys: ["a"] }, { token: await token(), url: other });
    expect(answer.status).toBe(200);
    expect(REST).not.toBe(other);
  });
});

describe("a token outside the Authorization header: 401, errorcode 40004", () => {
  const outside = {
    message: "Send the access token in the Authorization header, never in the URL or the body.",
    errorcode: 40004,
    documentation: expect.stringMatching(/^https:\/\//),
  };

  it.each([
    ["an access_token query parameter", "?access_token=abc"],
    ["the parameter in another case", "?Access_Token=abc"],
    ["the parameter beside others", "?x=1&access_token="],
  ])("%s, even beside a valid Authorization header", async (_, query) => {
    const answer = await establish({ ContactKeys: ["a"] }, { token: await token(), url: `${ESTABLISH_URL}${query}` });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(outside);
    // RFC 6750 section 3.1: invalid_request, not invalid_token (a new token would not help, and
    // fuel-rest would throw its valid token away on invalid_token).
    expect(answer.headers.get("www-authenticate")).toBe(
      'Bearer error="invalid_request", error_description="The access token was sent in the URL or the body: send it in the Authorization header only"',
    );
    assertMatchesSpec("establish", answer);
    expect(mock.store.size).toBe(0);
  });

  it("an access_token field of a JSON body, even beside a valid Authorization header", async () => {
    const accessToken = await token();
    const answer = await establish({ ContactKeys: ["a"], access_token: accessToken }, { token: accessToken });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(outside);
    expect((await establish({ ContactKeys: ["a"], ACCESS_TOKEN: "x" }, { token: accessToken })).body).toEqual(outside);
    expect(mock.store.size).toBe(0);
  });

  it("an access_token field of a form body (before its content type is refused)", async () => {
    const answer = await post(ESTABLISH_URL, "ContactKeys=a&access_token=abc", {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Bearer ${await token()}`,
    });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(outside);
  });

  it.each([
    [
      "a JSON name with a \\u005f escape",
      "application/json",
      (t: string) => `{"ContactKeys":["a"],"access\\u005ftoken":"${t}"}`,
    ],
    [
      "a JSON name with an upper-case \\u005F escape",
      "application/json",
      (t: string) => `{"ContactKeys":["a"],"\\u0061ccess\\u005Ftoken":"${t}"}`,
    ],
    [
      "a percent-encoded form name",
      "application/x-www-form-urlencoded",
      (t: string) => `ContactKeys=a&access%5Ftoken=${t}`,
    ],
  ])("an access_token field written as %s (the service's reader decodes it)", async (_, contentType, body) => {
    const accessToken = await token();
    const answer = await post(ESTABLISH_URL, body(accessToken), {
      "content-type": contentType,
      authorization: `Bearer ${accessToken}`,
    });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(outside);
    expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer error="invalid_request"/);
    expect(mock.store.size).toBe(0);
  });

  it("a key that merely contains the words is no token", async () => {
    const body = await ok({ ContactKeys: ["access_token"] });
    expect(body.items[0]?.value.requestedContactKey).toBe("access_token");
  });
});

describe("null is refused for the optional fields: 10001, leave the field out instead", () => {
  it.each([
    ["ContactType", "ContactType"],
    ["ReturnResults", "ReturnResults"],
    ["CorrelateResponseItem", "CorrelateResponseItem"],
    ["IncludeNewContactAwareness", "IncludeNewContactAwareness"],
    ["returnResults", "ReturnResults"],
  ])("%s: null", async (field, name) => {
    const answer = await establish({ ContactKeys: ["a"], [field]: null }, { token: await token() });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      errorcode: 10001,
      message: `${name}: null is not accepted; leave the field out to get the default`,
    });
    assertMatchesSpec("establish", answer);
    expect(mock.store.size).toBe(0);
  });
});

describe('ContactType: 0 or "Default" (any case), as .NET parses an enum', () => {
  it.each([[0], ["Default"], ["default"], ["DEFAULT"]])("%j is the default type", async (type) => {
    const body = await ok({ ContactKeys: ["a"], ContactType: type });
    expect(body.items[0]?.value.contactReference).toMatchObject({ contactType: "Default" });
  });

  it.each([
    [1, 10005, "ContactType: invalid value: 1"],
    ["Other", 10005, 'ContactType: invalid value: "Other"'],
    ["0", 10005, 'ContactType: invalid value: "0"'],
    [1.5, 10001, "ContactType: invalid data type"],
    [true, 10001, "ContactType: invalid data type"],
    [{}, 10001, "ContactType: invalid data type"],
  ])("%j: errorcode %i", async (type, errorcode, message) => {
    const answer = await establish({ ContactKeys: ["a"], ContactType: type }, { token: await token() });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ errorcode, message: expect.stringContaining(message) });
    assertMatchesSpec("establish", answer);
  });
});
