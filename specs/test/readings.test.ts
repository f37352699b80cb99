/**
 * The readings of issue 12: what real clients send (sfmc-sdk, FuelSDK, fuel-rest) must be valid
 * here, and what the service refuses must stay invalid. Each block fails on the spec before them.
 */
import { describe, expect, it } from "vitest";
import { createSpecValidator, loadSpec } from "../src/validator.js";

const doc = loadSpec();
const validator = createSpecValidator(doc);
const components = doc.components ?? {};
const ESTABLISH = "/contacts/v1/establish";
const credentials = { grant_type: "client_credentials", client_id: "id", client_secret: "secret" };
const token = (body: Record<string, unknown>) => validator.validateRequest("post", "/v2/token", body);
const establish = (body: Record<string, unknown>) =>
  validator.validateRequest("post", ESTABLISH, { ContactKeys: ["a"], ...body });

describe("account_id is a string of digits or an integer (P2)", () => {
  it.each([["1234567"], [1234567], [0]])("accepts %j", (accountId) => {
    expect(token({ ...credentials, account_id: accountId })).toEqual({ ok: true });
  });

  it.each([[-1], [1.5], ["abc"], [""], [{}], [true], [null]])("refuses %j", (accountId) => {
    expect(token({ ...credentials, account_id: accountId }).ok).toBe(false);
  });
});

describe('a 401 carries WWW-Authenticate: Bearer error="invalid_token" (P3)', () => {
  const unauthorized = components.responses?.Unauthorized as { headers?: Record<string, unknown> } | undefined;
  const header = (value: string | null) => ({ get: (name: string) => (name === "WWW-Authenticate" ? value : null) });
  // fuel-rest (Salesforce's Node REST library, used by FuelSDK) renews its token only on this.
  const fuelRest = /^Bearer\s.+?invalid_token/;

  it("is documented on the Unauthorized response, as required", () => {
    expect(unauthorized?.headers).toHaveProperty("WWW-Authenticate");
    expect(validator.validateResponseHeaders("post", ESTABLISH, 401, header(null))).toMatchObject({
      ok: false,
      message: "header WWW-Authenticate is required but missing",
    });
  });

  it("takes what fuel-rest renews on, and its own example", () => {
    const example = String((components.headers?.WwwAuthenticate as { example?: string } | undefined)?.example);
    for (const value of [example, 'Bearer error="invalid_token"', 'Bearer realm="x", error="invalid_token"']) {
      expect(fuelRest.test(value)).toBe(true);
      expect(validator.validateResponseHeaders("post", ESTABLISH, 401, header(value))).toEqual({ ok: true });
    }
  });

  it("refuses a header without the invalid_token error", () => {
    expect(validator.validateResponseHeaders("post", ESTABLISH, 401, header('Basic realm="x"')).ok).toBe(false);
    expect(validator.validateResponseHeaders("post", ESTABLISH, 401, header("Bearer")).ok).toBe(false);
  });

  it("checks Retry-After as whole seconds", () => {
    const retryAfter = (value: string) => ({ get: (name: string) => (name === "Retry-After" ? value : null) });
    expect(validator.validateResponseHeaders("post", ESTABLISH, 429, retryAfter("30"))).toEqual({ ok: true });
    expect(validator.validateResponseHeaders("post", ESTABLISH, 429, retryAfter("soon"))).toMatchObject({
      ok: false,
      message: expect.stringContaining("Retry-After"),
    });
  });
});

describe("null is refused for the optional establish fields (P4)", () => {
  it.each([["ContactType"], ["ReturnResults"], ["CorrelateResponseItem"], ["IncludeNewContactAwareness"]])(
    "%s: null is invalid, and the description says so",
    (field) => {
      expect(establish({ [field]: null }).ok).toBe(false);
      const schemas = doc.components?.schemas as Record<
        string,
        { properties: Record<string, { description: string }> }
      >;
      expect(schemas.EstablishContactsRequest?.properties[field]?.description).toMatch(/`null` is\s+refused/);
    },
  );
});

describe("the token route takes JSON or a form, and checks scope (P5)", () => {
  const operation = doc.paths["/v2/token"]?.post as
    | { requestBody: { content: Record<string, { schema: unknown }> } }
    | undefined;
  const body = operation?.requestBody.content ?? {};

  it("lists both media types with the same schema", () => {
    expect(Object.keys(body).sort()).toEqual(["application/json", "application/x-www-form-urlencoded"]);
    expect(body["application/x-www-form-urlencoded"]?.schema).toEqual(body["application/json"]?.schema);
  });

  it.each([["list_and_subscribers_write"], ["list_and_subscribers_read list_and_subscribers_write"], [""]])(
    "accepts the scope %j",
    (scope) => {
      expect(token({ ...credentials, scope })).toEqual({ ok: true });
    },
  );

  it.each([[{}], [["a", "b"]], [42], ["a  b"], [" a"], ['a"b'], ["a\tb"]])("refuses the scope %j", (scope) => {
    expect(token({ ...credentials, scope }).ok).toBe(false);
  });
});

describe('ContactType is 0 or "Default" (P7)', () => {
  it.each([[0], ["Default"], ["default"], ["DEFAULT"]])("accepts %j", (type) => {
    expect(establish({ ContactType: type })).toEqual({ ok: true });
  });

  it.each([[1.5], ["Other"], ["0"], [true], [{}]])("refuses %j", (type) => {
    expect(establish({ ContactType: type }).ok).toBe(false);
  });

  it("states the mocks' rule and its reason in the description", () => {
    const schemas = doc.components?.schemas as Record<string, { properties: Record<string, { description: string }> }>;
    const description = schemas.EstablishContactsRequest?.properties.ContactType?.description ?? "";
    expect(description).toContain("10005");
    expect(description).toContain("account");
  });
});

describe("boolean strings are read case-insensitively (P8)", () => {
  it.each([["True"], ["FALSE"], ["tRuE"], ["true"], ["false"]])("accepts %j for every flag", (flag) => {
    expect(establish({ ReturnResults: flag, CorrelateResponseItem: flag, IncludeNewContactAwareness: flag })).toEqual({
      ok: true,
    });
  });

  it.each([["yes"], ["1"], [" true"], ["truee"], [1]])("refuses %j", (flag) => {
    expect(establish({ ReturnResults: flag }).ok).toBe(false);
  });
});
