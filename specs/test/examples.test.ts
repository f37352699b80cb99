import { describe, expect, it } from "vitest";
import { createSpecValidator, listMediaExamples, loadSpec } from "../src/validator.js";

const doc = loadSpec();
const validator = createSpecValidator(doc);
const examples = listMediaExamples(doc);

describe("every named example in the spec", () => {
  it("is found: the seed's four examples and one per error status", () => {
    const components = new Set(examples.map((e) => e.component));
    for (const seed of [
      "EstablishRequest",
      "EstablishResponse",
      "EstablishFireAndForgetRequest",
      "EstablishFireAndForgetResponse",
    ]) {
      expect(components).toContain(seed);
    }
    const errorStatuses = new Set(
      examples.filter((e) => e.path === "/contacts/v1/establish" && e.status !== "request").map((e) => e.status),
    );
    expect([...errorStatuses].sort()).toEqual(["200", "400", "401", "403", "415", "429", "500", "503"]);
  });

  it("has an example of each answer the readings of issue 12 added", () => {
    const named = (component: string) => examples.find((e) => e.component === component);
    expect(named("ErrorTokenOutsideHeader")).toMatchObject({ status: "401", value: { errorcode: 40004 } });
    expect(named("ErrorNullFlag")).toMatchObject({ status: "400", value: { errorcode: 10001 } });
    expect(named("OAuthInvalidScope")).toMatchObject({
      path: "/v2/token",
      status: "400",
      value: { error: "invalid_request" },
    });
    expect(named("OAuthUnsupportedContentType")).toMatchObject({
      path: "/v2/token",
      status: "400",
      value: { error: "invalid_request" },
    });
    expect(named("TokenRequestNumericAccountId")).toMatchObject({ status: "request", value: { account_id: 1234567 } });
    expect(named("EstablishCamelCaseRequest")).toMatchObject({
      path: "/contacts/v1/establish",
      status: "request",
      name: "camelCaseRequest",
      value: { contactKeys: ["Key1", "Key2"], returnResults: true },
    });
  });

  it.each(examples.map((e) => [`${e.where}: ${e.name}`, e] as const))(
    "%s validates against its schema",
    (_, example) => {
      const result = validator.validateAt(example.schemaPointer, example.value);
      expect(result.ok ? "valid" : result.message).toBe("valid");
    },
  );
});

describe("the example check catches broken examples", () => {
  const response = examples.find((e) => e.component === "EstablishResponse");

  it("rejects the seed response with a contactID that is a string", () => {
    const broken = structuredClone(response?.value) as {
      items: Array<{ value: { contactReference: { contactID: unknown } } }>;
    };
    const first = broken.items[0];
    if (!first) throw new Error("the seed response has no items");
    first.value.contactReference.contactID = "295863490";
    const result = validator.validateResponse("post", "/contacts/v1/establish", 200, broken);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.message).toContain("/items/0/value/contactReference/contactID must be integer");
  });

  it("names the broken example when a copy of the spec carries one", () => {
    const copy = structuredClone(doc);
    const named = copy.components?.examples as Record<string, { value: Record<string, unknown> }> | undefined;
    const request = named?.EstablishRequest;
    if (!request) throw new Error("no EstablishRequest example");
    request.value.ContactKeys = [];
    const invalid = createSpecValidator(copy).invalidExamples();
    expect(invalid.map((e) => `${e.where}: ${e.name}`)).toEqual(["POST /contacts/v1/establish request: request"]);
    expect(invalid[0]?.message).toContain("must NOT have fewer than 1 items");
  });

  it.each([
    ["a key over 254 characters", { ContactKeys: ["k".repeat(255)] }, "must NOT have more than 254 characters"],
    ["an empty key", { ContactKeys: [""] }, "must NOT have fewer than 1 characters"],
    ["a number in ContactKeys", { ContactKeys: [42] }, "must be string"],
    ["no ContactKeys", { ReturnResults: true }, "must have required property 'ContactKeys'"],
    ["no contactKeys", { returnResults: true }, "must have required property 'contactKeys'"],
    ["an empty contactKeys", { contactKeys: [] }, "must NOT have fewer than 1 items"],
    [
      "a flag that is neither boolean nor its string",
      { ContactKeys: ["a"], ReturnResults: "yes" },
      "must match a schema in anyOf",
    ],
  ])("rejects a request with %s", (_, body, message) => {
    const result = validator.validateRequest("post", "/contacts/v1/establish", body);
    expect(result.ok ? "valid" : result.message).toContain(message);
  });

  it("accepts both boolean forms of every flag, in both spellings", () => {
    for (const flag of [true, false, "true", "false"]) {
      const body = {
        ContactKeys: ["a"],
        ReturnResults: flag,
        CorrelateResponseItem: flag,
        IncludeNewContactAwareness: flag,
      };
      const camelCase = {
        contactKeys: ["a"],
        returnResults: flag,
        correlateResponseItem: flag,
        includeNewContactAwareness: flag,
      };
      expect(validator.validateRequest("post", "/contacts/v1/establish", body)).toEqual({ ok: true });
      expect(validator.validateRequest("post", "/contacts/v1/establish", camelCase)).toEqual({ ok: true });
    }
  });

  it("names the camelCase example when a copy of the spec breaks it", () => {
    const copy = structuredClone(doc);
    const named = copy.components?.examples as Record<string, { value: Record<string, unknown> }> | undefined;
    const request = named?.EstablishCamelCaseRequest;
    if (!request) throw new Error("no EstablishCamelCaseRequest example");
    request.value.returnResults = "yes";
    const invalid = createSpecValidator(copy).invalidExamples();
    expect(invalid.map((e) => `${e.where}: ${e.name}`)).toEqual([
      "POST /contacts/v1/establish request: camelCaseRequest",
    ]);
  });
});
