import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import * as esm from "../dist/index.mjs";

const require = createRequire(import.meta.url);
const cjs = require("../dist/index.cjs") as typeof esm;
const read = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), "utf8");
const GENERATED = "Generated from specs/openapi.yaml by @sfmc-contacts/spec's build. Do not edit.";

const sourceText = read("../../../specs/openapi.yaml");
const source = parse(sourceText);
const openapiJson = JSON.parse(read("../dist/openapi.json"));
const withoutNote = ({ "x-generated": _note, ...rest }: Record<string, unknown>) => rest;

describe("openapi.json and openapi.yaml are specs/openapi.yaml", () => {
  it("openapi.json deep-equals the parsed YAML, apart from its x-generated note", () => {
    expect(withoutNote(openapiJson)).toEqual(source);
    expect(openapiJson["x-generated"]).toBe(GENERATED);
  });

  it("openapi.json keeps the spec's key order (openapi first, then the note)", () => {
    expect(Object.keys(openapiJson)).toEqual(["openapi", "x-generated", ...Object.keys(source).slice(1)]);
  });

  it("openapi.yaml is the source text under a do-not-edit comment", () => {
    expect(read("../dist/openapi.yaml")).toBe(`# ${GENERATED}\n${sourceText}`);
  });

  it("the spec's readings (info.description) travel with it", () => {
    expect(openapiJson.info.description).toContain("Where Salesforce's own documents disagree");
    expect(openapiJson.info.description).toBe(source.info.description);
  });

  it("the ESM and CJS entries export the same document and spec version", () => {
    expect(esm.openapi).toEqual(openapiJson);
    expect(cjs.openapi).toEqual(openapiJson);
    expect(esm.specVersion).toBe(source.info.version);
    expect(cjs.specVersion).toBe(source.info.version);
  });

  it("package.json records the spec version, like @sfmc-contacts/types", () => {
    const manifest = JSON.parse(read("../package.json"));
    expect(manifest["sfmc-contacts"]).toEqual({ specVersion: source.info.version });
  });
});

describe("the exports map serves the files to tools that read files", () => {
  // Self-reference: Node resolves the package's own name through its exports map.
  const resolve = (subpath: string) => require.resolve(`@sfmc-contacts/spec${subpath}`);
  const dist = fileURLToPath(new URL("../dist/", import.meta.url));

  it.each([
    ["", "index.cjs"],
    ["/openapi.json", "openapi.json"],
    ["/openapi.yaml", "openapi.yaml"],
    ...Object.keys(esm.schemas).map((name) => [`/schemas/${name}.schema.json`, `schemas/${name}.schema.json`]),
  ])("@sfmc-contacts/spec%s -> dist/%s", (subpath, file) => {
    expect(resolve(subpath)).toBe(`${dist}${file}`);
    expect(existsSync(resolve(subpath))).toBe(true);
  });

  it("a JSON file required through the exports map is the same data as the module's", () => {
    expect(require("@sfmc-contacts/spec/openapi.json")).toEqual(esm.openapi);
    expect(require("@sfmc-contacts/spec/schemas/TokenResponse.schema.json")).toEqual(esm.schemas.TokenResponse);
  });

  it("every types target of the exports map exists", () => {
    const manifest = JSON.parse(read("../package.json"));
    const targets: string[] = JSON.stringify(manifest.exports).match(/\.\/dist\/[^"]+\.d\.[cm]ts/g) ?? [];
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) {
      const files = target.includes("*")
        ? Object.keys(esm.schemas).map((name) => target.replace("*", `${name}.schema`))
        : [target];
      for (const file of files) expect(existsSync(fileURLToPath(new URL(`../${file}`, import.meta.url)))).toBe(true);
    }
  });
});

describe("the README", () => {
  const readme = read("../README.md");

  it("names only files the package has, and lists every schema", () => {
    const named = new Set(readme.match(/dist\/[\w./-]+\.(json|yaml|mjs|cjs)/g) ?? []);
    expect(named.size).toBeGreaterThan(0);
    for (const file of named)
      expect(existsSync(fileURLToPath(new URL(`../${file}`, import.meta.url))), file).toBe(true);
    for (const name of Object.keys(esm.schemas)) expect(readme).toContain(`dist/schemas/${name}.schema.json`);
  });
});
