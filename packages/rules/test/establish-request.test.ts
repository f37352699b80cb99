import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ERROR_DOCUMENTATION_URL,
  type EstablishCall,
  type EstablishRefusal,
  isRefusal,
  MAX_CONTACT_KEY_LENGTH,
  parseEstablishRequest,
} from "../src/index.js";

const JSON_TYPE = "application/json";

function parse(body: unknown, options?: { maxKeys?: number }): EstablishCall | EstablishRefusal {
  return parseEstablishRequest(JSON_TYPE, JSON.stringify(body), options);
}

function accepted(result: EstablishCall | EstablishRefusal): EstablishCall {
  if (isRefusal(result)) throw new Error(`refused: ${JSON.stringify(result)}`);
  return result;
}

function refused(result: EstablishCall | EstablishRefusal): EstablishRefusal {
  if (!isRefusal(result)) throw new Error(`accepted: ${JSON.stringify(result)}`);
  return result;
}

const keys = (count: number) => Array.from({ length: count }, (_, index) => `Key${index}`);

describe("415: a content type that is not JSON (errorcode 0)", () => {
  it.each([
    ["text/plain", "text/plain"],
    ["application/x-www-form-urlencoded", "application/x-www-form-urlencoded"],
    [null, "no content type"],
  ])("%j", (contentType, named) => {
    const refusal = refused(parseEstablishRequest(contentType, JSON.stringify({ ContactKeys: ["a"] })));
    expect(refusal).toEqual({
      status: 415,
      body: {
        errorcode: 0,
        message: `Unsupported Media Type: send the body as application/json, not ${named}`,
        documentation: ERROR_DOCUMENTATION_URL,
      },
    });
  });

  it("takes application/json with a charset, and +json types", () => {
    for (const type of ["application/json; charset=utf-8", "application/vnd.api+json"]) {
      expect(isRefusal(parseEstablishRequest(type, '{"ContactKeys":["a"]}'))).toBe(false);
    }
  });
});

describe("400: what the service refuses, with its errorcode", () => {
  const key255 = "k".repeat(MAX_CONTACT_KEY_LENGTH + 1);
  it.each<[string, string, number, string]>([
    ["text that is not JSON", "{", 10004, "Invalid message format: the body is not valid JSON"],
    ["an empty body", "", 10004, "Invalid message format: the body is not valid JSON"],
    ["a JSON array", "[]", 10004, "Invalid message format: the body must be a JSON object"],
    ["JSON null", "null", 10004, "Invalid message format: the body must be a JSON object"],
    ["a JSON string", '"a"', 10004, "Invalid message format: the body must be a JSON object"],
    ["no ContactKeys", "{}", 10002, "ContactKeys: required field is missing"],
    ["ContactKeys null", '{"ContactKeys":null}', 10002, "ContactKeys: required field is missing"],
    [
      "ContactKeys a string",
      '{"ContactKeys":"a"}',
      10001,
      "ContactKeys: invalid data type: expected an array of strings",
    ],
    [
      "a key that is a number",
      '{"ContactKeys":["a",1]}',
      10001,
      "ContactKeys[1]: invalid data type: expected a string, got number",
    ],
    [
      "a key that is null",
      '{"ContactKeys":[null]}',
      10001,
      "ContactKeys[0]: invalid data type: expected a string, got null",
    ],
    [
      "a flag that is neither boolean nor its string",
      '{"ContactKeys":["a"],"ReturnResults":"yes"}',
      10001,
      'ReturnResults: invalid data type: expected a boolean or "true" / "false"',
    ],
    [
      "a flag sent as a number",
      '{"ContactKeys":["a"],"correlateResponseItem":1}',
      10001,
      'CorrelateResponseItem: invalid data type: expected a boolean or "true" / "false"',
    ],
    [
      "a flag sent as null",
      '{"ContactKeys":["a"],"IncludeNewContactAwareness":null}',
      10001,
      "IncludeNewContactAwareness: null is not accepted; leave the field out to get the default",
    ],
    [
      "ContactType null",
      '{"ContactKeys":["a"],"ContactType":null}',
      10001,
      "ContactType: null is not accepted; leave the field out to get the default",
    ],
    [
      "ContactType not an integer",
      '{"ContactKeys":["a"],"ContactType":1.5}',
      10001,
      'ContactType: invalid data type: expected an integer or the name "Default"',
    ],
    ["no key at all", '{"ContactKeys":[]}', 10005, "ContactKeys: invalid value: at least one contact key is required"],
    [
      "an empty key",
      '{"ContactKeys":["a",""]}',
      10005,
      "ContactKeys[1]: invalid value: a contact key is 1 to 254 characters, got 0",
    ],
    [
      "a key over 254 characters",
      JSON.stringify({ ContactKeys: [key255] }),
      10005,
      "ContactKeys[0]: invalid value: a contact key is 1 to 254 characters, got 255",
    ],
    [
      "a ContactType other than 0",
      '{"ContactKeys":["a"],"ContactType":1}',
      10005,
      'ContactType: invalid value: 1 (the mock knows only 0, "Default")',
    ],
    [
      "a ContactType name other than Default",
      '{"ContactKeys":["a"],"ContactType":"Other"}',
      10005,
      'ContactType: invalid value: "Other" (the mock knows only 0, "Default")',
    ],
  ])("%s: errorcode %i", (_, text, errorcode, message) => {
    expect(parseEstablishRequest(JSON_TYPE, text)).toEqual({
      status: 400,
      body: { errorcode, message, documentation: ERROR_DOCUMENTATION_URL },
    });
  });

  it("counts a key's length in UTF-16 code units, as .NET does (127 emoji fit, 128 do not)", () => {
    expect(isRefusal(parse({ ContactKeys: ["😀".repeat(127)] }))).toBe(false);
    expect(refused(parse({ ContactKeys: ["😀".repeat(128)] })).body.errorcode).toBe(10005);
    expect(isRefusal(parse({ ContactKeys: ["k".repeat(MAX_CONTACT_KEY_LENGTH)] }))).toBe(false);
  });
});

describe("options.maxKeys", () => {
  it("takes 50 keys with maxKeys 50", () => {
    expect(accepted(parse({ ContactKeys: keys(50) }, { maxKeys: 50 })).contactKeys).toHaveLength(50);
  });

  it("refuses 51 keys with maxKeys 50: 400, errorcode 10005, naming the limit and the count", () => {
    expect(parse({ ContactKeys: keys(51) }, { maxKeys: 50 })).toEqual({
      status: 400,
      body: {
        errorcode: 10005,
        message: "ContactKeys: invalid value: at most 50 contact keys per request, got 51",
        documentation: ERROR_DOCUMENTATION_URL,
      },
    });
  });

  it("refuses before reading any key: a bad key past the limit does not change the answer", () => {
    const body = { ContactKeys: [...keys(50), 7, ""] };
    expect(refused(parse(body, { maxKeys: 50 })).body.message).toBe(
      "ContactKeys: invalid value: at most 50 contact keys per request, got 52",
    );
  });

  it("sets no limit by default (the service documents none), nor with Infinity", () => {
    expect(accepted(parse({ ContactKeys: keys(5000) })).contactKeys).toHaveLength(5000);
    expect(accepted(parse({ ContactKeys: keys(5000) }, { maxKeys: Number.POSITIVE_INFINITY }))).toBeDefined();
  });

  it.each([0, -1, 1.5, Number.NaN, Number.NEGATIVE_INFINITY])(
    "throws a RangeError for maxKeys %d, which would otherwise silently lift the limit",
    (maxKeys) => {
      expect(() => parse({ ContactKeys: ["a"] }, { maxKeys })).toThrow(RangeError);
    },
  );
});

describe("the call: every default applied", () => {
  it("fills the defaults when only ContactKeys is sent", () => {
    const call = accepted(parse({ ContactKeys: ["a", "b"] }));
    expect(call).toEqual({
      contactKeys: ["a", "b"],
      contactType: 0,
      returnResults: true,
      correlateResponseItem: true,
      includeNewContactAwareness: true,
      body: { ContactKeys: ["a", "b"] },
    });
  });

  it("binds names in any case; the last spelling wins", () => {
    const call = accepted(
      parseEstablishRequest(JSON_TYPE, '{"CONTACTKEYS":["x"],"returnresults":true,"ReturnResults":"FALSE"}'),
    );
    expect(call.contactKeys).toEqual(["x"]);
    expect(call.returnResults).toBe(false);
  });
});

describe("the canonical body: what a proxy forwards", () => {
  const canonical = {
    ContactKeys: ["Key1", "Key2"],
    ContactType: 0,
    ReturnResults: false,
    CorrelateResponseItem: true,
  };

  it.each<[string, Record<string, unknown>]>([
    [
      "PascalCase with string flags",
      { ContactKeys: ["Key1", "Key2"], ContactType: "Default", ReturnResults: "false", CorrelateResponseItem: "TRUE" },
    ],
    [
      "camelCase with string flags",
      { contactKeys: ["Key1", "Key2"], contactType: "default", returnResults: "False", correlateResponseItem: "true" },
    ],
    [
      "booleans and the number 0",
      { ContactKeys: ["Key1", "Key2"], ContactType: 0, ReturnResults: false, CorrelateResponseItem: true },
    ],
  ])("%s gives the same body, and a field that was not sent stays absent", (_, body) => {
    const call = accepted(parse(body));
    expect(call.body).toStrictEqual(canonical);
    expect(Object.hasOwn(call.body, "IncludeNewContactAwareness")).toBe(false);
  });

  it("is an allowlist: unknown fields (a token, anything else) never reach it", () => {
    const call = accepted(
      parse({ ContactKeys: ["a"], access_token: "secret-token", client_secret: "s", Extra: { deep: 1 } }),
    );
    expect(call.body).toStrictEqual({ ContactKeys: ["a"] });
    expect(JSON.stringify(call.body)).not.toContain("secret");
  });

  it("holds its own copy of the keys", () => {
    const call = accepted(parse({ ContactKeys: ["a"] }));
    call.contactKeys.push("b");
    expect(call.body.ContactKeys).toEqual(["a"]);
  });

  // Every spelling the service takes for a valid request: names in any case, flags as booleans or
  // their strings in any case, the contact type as 0 or "Default" in any case, and unknown fields.
  const anyCase = (word: string) =>
    fc
      .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
      .map((upper) => [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(""));
  const flagValue = fc.oneof(
    fc.boolean(),
    fc.boolean().chain((value) => anyCase(String(value))),
  );
  const optional = (name: string, value: fc.Arbitrary<unknown>) =>
    fc.option(fc.tuple(anyCase(name), value), { nil: undefined });
  const validRequest = fc
    .record({
      keys: fc.tuple(
        anyCase("ContactKeys"),
        fc.array(fc.string({ minLength: 1, maxLength: 127, unit: "binary" }), { minLength: 1, maxLength: 20 }),
      ),
      type: optional("ContactType", fc.oneof(fc.constant(0), anyCase("Default"))),
      returnResults: optional("ReturnResults", flagValue),
      correlate: optional("CorrelateResponseItem", flagValue),
      awareness: optional("IncludeNewContactAwareness", flagValue),
      extra: fc.dictionary(
        fc.string({ minLength: 1, maxLength: 12 }).filter((name) => !ALLOWED.has(name.toLowerCase())),
        fc.jsonValue({ maxDepth: 2 }),
        { maxKeys: 3 },
      ),
    })
    .map(({ keys, type, returnResults, correlate, awareness, extra }) => {
      const body: Record<string, unknown> = { ...extra };
      for (const field of [keys, type, returnResults, correlate, awareness]) {
        if (field) body[field[0]] = field[1];
      }
      return body;
    });

  it("is a fixed point: parsing the canonical body gives the same call", () => {
    fc.assert(
      fc.property(validRequest, (body) => {
        const call = accepted(parse(body));
        expect(Object.keys(call.body).every((name) => CANONICAL_NAMES.has(name))).toBe(true);
        expect(accepted(parseEstablishRequest(JSON_TYPE, JSON.stringify(call.body)))).toStrictEqual(call);
      }),
      { numRuns: 300 },
    );
  });
});

const CANONICAL_NAMES = new Set([
  "ContactKeys",
  "ContactType",
  "ReturnResults",
  "CorrelateResponseItem",
  "IncludeNewContactAwareness",
]);
const ALLOWED = new Set([...CANONICAL_NAMES].map((name) => name.toLowerCase()));

describe('contactTypes: "any" (what a proxy passes): the account decides the types', () => {
  const parse = (type: unknown, contactTypes?: "default" | "any") =>
    parseEstablishRequest("application/json", JSON.stringify({ ContactKeys: ["A"], ContactType: type }), {
      ...(contactTypes ? { contactTypes } : {}),
    });

  it("passes any whole number from 0 and forwards it in the canonical body", () => {
    for (const type of [0, 1, 7, 2_147_483_647]) {
      const call = parse(type, "any");
      expect(isRefusal(call)).toBe(false);
      expect((call as EstablishCall).body.ContactType).toBe(type);
    }
  });

  it('still refuses negative, fractional and huge numbers, names other than "Default", and null', () => {
    for (const type of [-1, 1.5, 2_147_483_648]) expect(isRefusal(parse(type, "any"))).toBe(true);
    const named = parse("Subscriber", "any") as EstablishRefusal;
    expect(named.body.errorcode).toBe(10005);
    expect(named.body.message).not.toContain("mock");
    expect(isRefusal(parse(null, "any"))).toBe(true);
    expect((parse("default", "any") as EstablishCall).body.ContactType).toBe(0);
  });

  it('by default (the mocks\' rule) only 0 and "Default" pass', () => {
    expect((parse(7) as EstablishRefusal).body.errorcode).toBe(10005);
    expect(isRefusal(parse(0))).toBe(false);
  });
});
