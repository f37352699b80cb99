import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { listMediaExamples, loadSpec, type MediaExample } from "sfmc-contacts-spec/validator";
import { describe, expect, it } from "vitest";
import type { SchemaName } from "../dist/index.mjs";
import * as esm from "../dist/index.mjs";
import { freshAjv } from "./ajv.ts";

const require = createRequire(import.meta.url);
const cjs = require("../dist/index.cjs") as typeof esm;
const schemasDir = fileURLToPath(new URL("../dist/schemas/", import.meta.url));
const NAMES = Object.keys(esm.schemas) as Array<keyof typeof esm.schemas>;

const doc = loadSpec();
const examples = listMediaExamples(doc);

/** The component schema an example's place refers to, e.g. `EstablishContactsResponse`. */
function schemaNameAt(example: MediaExample): string {
  let node: unknown = doc;
  for (const raw of example.schemaPointer.slice(2).split("/")) {
    node = (node as Record<string, unknown>)[raw.replaceAll("~1", "/").replaceAll("~0", "~")];
  }
  const ref = (node as { $ref?: string }).$ref ?? "";
  return ref.replace("#/components/schemas/", "");
}

function validate(name: keyof typeof esm.schemas, value: unknown) {
  const check = freshAjv().compile(esm.schemas[name]);
  const ok = check(value);
  return { ok, errors: check.errors ?? [] };
}

const exampleValue = (name: string): Record<string, unknown> => {
  const found = examples.find((example) => example.name === name);
  if (!found) throw new Error(`the spec has no example ${name}`);
  return structuredClone(found.value) as Record<string, unknown>;
};

describe("every named example of the spec validates against the exported schema for its place", () => {
  it("finds examples for every published schema, and a published schema for every example's place", () => {
    expect(examples.length).toBeGreaterThanOrEqual(20);
    const places = new Set(examples.map(schemaNameAt));
    expect([...places].sort()).toEqual([...NAMES].sort());
  });

  it.each(examples.map((example) => [`${example.where}: ${example.name}`, example] as const))("%s", (_, example) => {
    const name = schemaNameAt(example) as keyof typeof esm.schemas;
    const result = validate(name, example.value);
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("takes the establish request in both documented spellings", () => {
    expect(validate("EstablishContactsRequest", exampleValue("request")).ok).toBe(true);
    expect(validate("EstablishContactsRequest", exampleValue("camelCaseRequest")).ok).toBe(true);
    expect(validate("EstablishContactsRequest", { contactKeys: ["Key1"], returnResults: "false" }).ok).toBe(true);
  });
});

describe("a payload that breaks the spec fails its schema", () => {
  // Each case starts from a valid example and breaks one thing, so the failure is that thing.
  const cases: Array<[keyof typeof esm.schemas, string, string, (value: Record<string, unknown>) => void]> = [
    ["EstablishContactsRequest", "request", "/ContactKeys", (v) => Object.assign(v, { ContactKeys: [] })],
    [
      "EstablishContactsRequest",
      "camelCaseRequest",
      "/returnResults",
      (v) => Object.assign(v, { returnResults: null }),
    ],
    [
      "EstablishContactsResponse",
      "response",
      "/items/0/value/contactReference/contactID",
      (v) => {
        const items = v.items as Array<{ value: { contactReference: Record<string, unknown> } }>;
        (items[0] as (typeof items)[0]).value.contactReference.contactID = "295863490";
      },
    ],
    [
      "EstablishContactsResponse",
      "fireAndForgetResponse",
      "/responseDateTime",
      (v) => Object.assign(v, { responseDateTime: "yesterday" }),
    ],
    ["MarketingCloudError", "rateLimited", "/errorcode", (v) => Object.assign(v, { errorcode: "50100" })],
    ["TokenRequest", "clientCredentials", "/grant_type", (v) => Object.assign(v, { grant_type: "password" })],
    ["TokenRequest", "numericAccountId", "/account_id", (v) => Object.assign(v, { account_id: -1 })],
    ["TokenResponse", "token", "", (v) => delete v.access_token],
    ["OAuthError", "invalidClient", "", (v) => delete v.error],
  ];

  it("covers every published schema", () => {
    expect([...new Set(cases.map(([name]) => name))].sort()).toEqual([...NAMES].sort());
  });

  it.each(cases)("%s: example %s broken at %j", (name, example, at, breakIt) => {
    const value = exampleValue(example);
    expect(validate(name, value).ok).toBe(true);
    breakIt(value);
    const result = validate(name, value);
    expect(result.ok).toBe(false);
    expect(result.errors.map((error) => error.instancePath)).toContain(at);
  });
});

describe("the published schemas", () => {
  // `satisfies` fails the typecheck when the SchemaName type gains or loses a name; the test fails
  // when the build's list and the type disagree.
  const typed = {
    EstablishContactsRequest: true,
    EstablishContactsResponse: true,
    MarketingCloudError: true,
    TokenRequest: true,
    TokenResponse: true,
    OAuthError: true,
  } satisfies Record<SchemaName, true>;

  it("are exactly the names of the SchemaName type", () => {
    expect([...NAMES].sort()).toEqual(Object.keys(typed).sort());
  });
});

describe("the schemas stand alone", () => {
  const files = readdirSync(schemasDir).filter((file) => file.endsWith(".schema.json"));

  it("ships one file per published schema", () => {
    expect(files.sort()).toEqual(NAMES.map((name) => `${name}.schema.json`).sort());
  });

  it.each(NAMES)("%s compiles in a fresh Ajv with no other schema added", (name) => {
    const schema = JSON.parse(readFileSync(`${schemasDir}${name}.schema.json`, "utf8"));
    expect(() => freshAjv().compile(schema)).not.toThrow();
    // Every reference points inside the file itself.
    const refs = JSON.stringify(schema).match(/"\$ref":"[^"]*"/g) ?? [];
    for (const ref of refs) expect(ref).toMatch(/^"\$ref":"#(\/\$defs\/[A-Za-z]+)?"$/);
    for (const ref of refs) {
      const target = ref.slice('"$ref":"#/$defs/'.length, -1);
      if (target) expect(schema.$defs).toHaveProperty(target);
    }
  });

  it.each(NAMES)("%s carries $schema, $id, a do-not-edit $comment and its title", (name) => {
    const schema = JSON.parse(readFileSync(`${schemasDir}${name}.schema.json`, "utf8"));
    expect(schema).toMatchObject({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: `urn:sfmc-contacts:schema:${name}`,
      $comment: "Generated from specs/openapi.yaml by @sfmc-contacts/spec's build. Do not edit.",
      title: name,
    });
    expect(Object.keys(schema).slice(0, 3)).toEqual(["$schema", "$id", "$comment"]);
  });

  it.each(NAMES)("%s: the file, the ESM export and the CJS export are the same schema", (name) => {
    const file = JSON.parse(readFileSync(`${schemasDir}${name}.schema.json`, "utf8"));
    expect(esm.schemas[name]).toEqual(file);
    expect(cjs.schemas[name]).toEqual(file);
  });

  it("all of them load into one Ajv side by side: their $ids do not collide", () => {
    const ajv = freshAjv();
    for (const name of NAMES) ajv.addSchema(esm.schemas[name]);
    const check = ajv.getSchema("urn:sfmc-contacts:schema:TokenRequest");
    expect(check?.(exampleValue("clientCredentials"))).toBe(true);
  });

  it("keeps the spec's meaning: the request schema is anyOf the PascalCase and camelCase bodies", () => {
    const request = esm.schemas.EstablishContactsRequest;
    expect(request.anyOf).toEqual([
      expect.objectContaining({ $ref: "#/$defs/EstablishContactsRequestPascalCase" }),
      expect.objectContaining({ $ref: "#/$defs/EstablishContactsRequestCamelCase" }),
    ]);
    expect(request.$defs?.EstablishContactsRequestPascalCase).toMatchObject({ required: ["ContactKeys"] });
    expect(request.$defs?.EstablishContactsRequestCamelCase).toMatchObject({ required: ["contactKeys"] });
  });
});
