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
/** The same fields in the reference schema's camelCase names. */
const camelCase = (body: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(body).map(([name, value]) => [name.replace(/^./, (c) => c.toLowerCase()), value]));
const establishCamelCase = (body: Record<string, unknown>) =>
  validator.validateRequest("post", ESTABLISH, { contactKeys: ["a"], ...camelCase(body) });
type SchemaNode = { description?: string; $ref?: string; required?: string[]; properties?: Record<string, SchemaNode> };
const schemas = (components.schemas ?? {}) as Record<string, SchemaNode & { anyOf?: SchemaNode[] }>;

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

  it("refuses a header without the invalid_token or invalid_request error", () => {
    expect(validator.validateResponseHeaders("post", ESTABLISH, 401, header('Basic realm="x"')).ok).toBe(false);
    expect(validator.validateResponseHeaders("post", ESTABLISH, 401, header("Bearer")).ok).toBe(false);
    for (const value of [
      'Bearer error="insufficient_scope"',
      'Bearer error="invalid_tokens"',
      "Bearer invalid_request",
    ]) {
      expect(validator.validateResponseHeaders("post", ESTABLISH, 401, header(value)).ok, value).toBe(false);
    }
  });

  it('takes error="invalid_request" for a token in the URL or the body (40004, RFC 6750 section 3.1), which fuel-rest does not renew on', () => {
    const value =
      'Bearer error="invalid_request", error_description="Send the access token in the Authorization header only"';
    expect(validator.validateResponseHeaders("post", ESTABLISH, 401, header(value))).toEqual({ ok: true });
    // fuel-rest keeps its token: a new one does not help for 40004.
    expect(fuelRest.test(value)).toBe(false);
    const described = [
      String((components.headers?.WwwAuthenticate as { description?: string } | undefined)?.description),
      String((components.responses?.Unauthorized as { description?: string } | undefined)?.description),
    ];
    for (const description of described) {
      expect(description).toContain('error="invalid_request"');
      expect(description).toContain("40004");
    }
    expect(described[0]).toContain("RFC 6750 section 3.1");
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

describe("a token answer's access_token is never empty (issue 12 review: the doctor took an empty token for a pass)", () => {
  const answer = {
    access_token: "000000000000000000000000000000000000000000000000",
    token_type: "Bearer",
    expires_in: 1079,
    scope: "list_and_subscribers_write",
    soap_instance_url: "https://mc1.soap.marketingcloudapis.com/",
    rest_instance_url: "https://mc1.rest.marketingcloudapis.com/",
  };

  it("accepts a token, refuses an empty one", () => {
    expect(validator.validateResponse("post", "/v2/token", 200, answer)).toEqual({ ok: true });
    expect(validator.validateResponse("post", "/v2/token", 200, { ...answer, access_token: "" }).ok).toBe(false);
    expect(validator.validateSchema("TokenResponse", { ...answer, access_token: "" }).ok).toBe(false);
  });
});

describe("null is refused for the optional establish fields (P4)", () => {
  it.each([["ContactType"], ["ReturnResults"], ["CorrelateResponseItem"], ["IncludeNewContactAwareness"]])(
    "%s: null is invalid in both spellings, and the descriptions say so",
    (field) => {
      expect(establish({ [field]: null }).ok).toBe(false);
      expect(establishCamelCase({ [field]: null }).ok).toBe(false);
      // The field's own schema, and each spelling's property, which both $ref it.
      expect(schemas[field]?.description).toMatch(/`null` is\s+refused/);
      const camel = field.replace(/^./, (c) => c.toLowerCase());
      expect(schemas.EstablishContactsRequestPascalCase?.properties?.[field]?.description).toMatch(/`null` is refused/);
      expect(schemas.EstablishContactsRequestCamelCase?.properties?.[camel]?.description).toMatch(/`null` is refused/);
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

  it.each([[0], ["Default"], ["default"]])("accepts %j as contactType too", (type) => {
    expect(establishCamelCase({ ContactType: type })).toEqual({ ok: true });
  });

  it("states the mocks' rule and its reason in the description", () => {
    const description = schemas.ContactType?.description ?? "";
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

describe("both spellings of the establish body are typed: the page's PascalCase and the reference's camelCase (issue 12 point 1)", () => {
  const request = schemas.EstablishContactsRequest;
  const branches = (request?.anyOf ?? []).map((branch) => branch.$ref?.split("/").pop());
  const pascal = schemas.EstablishContactsRequestPascalCase;
  const camel = schemas.EstablishContactsRequestCamelCase;

  // What sfmc-sdk sends for the reference's names: its caller's body, as given.
  it.each([
    ["keys only", {}],
    ["flags as booleans", { ReturnResults: true, CorrelateResponseItem: true, IncludeNewContactAwareness: true }],
    [
      "flags as the page's strings",
      { ReturnResults: "false", CorrelateResponseItem: "false", IncludeNewContactAwareness: "false" },
    ],
    ["flags as strings in another case", { ReturnResults: "FALSE" }],
    ["ContactType 0", { ContactType: 0 }],
  ])("accepts a camelCase body: %s", (_, fields) => {
    expect(establishCamelCase(fields)).toEqual({ ok: true });
    expect(establish(fields)).toEqual({ ok: true });
  });

  it.each([
    ["an empty contactKeys", { contactKeys: [] }],
    ["a number in contactKeys", { contactKeys: [42] }],
    ["a key over 254 characters", { contactKeys: ["k".repeat(255)] }],
    ["a flag that is neither boolean nor its string", { contactKeys: ["a"], returnResults: "yes" }],
    ["null contactType", { contactKeys: ["a"], contactType: null }],
    ['contactType "Other"', { contactKeys: ["a"], contactType: "Other" }],
  ])("refuses a camelCase body with %s, as it refuses the PascalCase one", (_, body) => {
    expect(validator.validateRequest("post", ESTABLISH, body).ok).toBe(false);
  });

  it("refuses a body with neither spelling of the keys, naming both", () => {
    const result = validator.validateRequest("post", ESTABLISH, { returnResults: true });
    expect(result.ok ? "valid" : result.message).toContain("must have required property 'ContactKeys'");
    expect(result.ok ? "valid" : result.message).toContain("must have required property 'contactKeys'");
  });

  it("does not describe other casings, which the service and the mocks still take, and says so", () => {
    expect(validator.validateRequest("post", ESTABLISH, { CONTACTKEYS: ["a"] }).ok).toBe(false);
    expect(request?.description).toContain("`CONTACTKEYS`");
    expect(request?.description).toMatch(/case-insensitively/);
    expect(String((doc.info as { description?: string }).description)).toContain("`CONTACTKEYS`");
  });

  it("is anyOf of the two named schemas, PascalCase first, each requiring its own keys", () => {
    expect(branches).toEqual(["EstablishContactsRequestPascalCase", "EstablishContactsRequestCamelCase"]);
    expect(pascal?.required).toEqual(["ContactKeys"]);
    expect(camel?.required).toEqual(["contactKeys"]);
  });

  it("gives both spellings the same fields, each a $ref to one shared schema (no field defined twice)", () => {
    const refs = (node: SchemaNode | undefined) =>
      Object.entries(node?.properties ?? {}).map(([name, property]) => {
        // Only a $ref and its description: the field's schema lives in one place.
        expect(Object.keys(property).sort(), name).toEqual(["$ref", "description"]);
        return [name.toLowerCase(), property.$ref] as const;
      });
    const pascalRefs = refs(pascal);
    expect(pascalRefs.map(([name]) => name)).toEqual([
      "contactkeys",
      "contacttype",
      "returnresults",
      "correlateresponseitem",
      "includenewcontactawareness",
    ]);
    expect(refs(camel)).toEqual(pascalRefs);
    for (const [, ref] of pascalRefs) expect(schemas[String(ref).split("/").pop() ?? ""]).toBeDefined();
  });
});
