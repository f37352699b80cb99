#!/usr/bin/env node
// Generates src/generated/spec-schemas.ts from specs/openapi.yaml: what `sfmc-contacts doctor`
// validates answers against, since the published CLI cannot read the spec at run time.
//   - components/schemas, as the spec has them (annotations such as description and examples left out:
//     they change no verdict and would only grow the CLI),
//   - per path, method and documented status: the JSON body's schema (a `$ref` into
//     components/schemas, or the spec's inline schema) and the response headers,
//   - info.version.
//
//   node scripts/generate-spec-schemas.mjs           write the file
//   node scripts/generate-spec-schemas.mjs --check   write nothing; exit 1 if the file differs (the drift check)
//   --spec <path>                                    read another copy of the spec (the drift check's own test)
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { generatorArgs } from "../../../scripts/generator-args.mjs";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const specPackage = fileURLToPath(new URL("../../../specs/package.json", import.meta.url));
// yaml is a dependency of the spec's own package (sfmc-contacts-spec), not of the CLI: the
// generator reads the spec with the spec package's parser, so the CLI gains no dependency for it.
const { parse } = createRequire(specPackage)("yaml");

const { check, specFile } = generatorArgs("the committed module is");
const outFile = fileURLToPath(new URL("../src/generated/spec-schemas.ts", import.meta.url));

const spec = parse(readFileSync(specFile, "utf8"));

/** Keywords that describe and change no verdict, and OpenAPI's own keywords that JSON Schema does not know. */
const ANNOTATIONS = new Set([
  "description",
  "summary",
  "title",
  "examples",
  "example",
  "externalDocs",
  "xml",
  "$comment",
  "discriminator",
  "default",
  "deprecated",
  "readOnly",
  "writeOnly",
]);
/** Keywords whose value is a map of schemas, a list of schemas, or one schema. */
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]);
const SCHEMA_LISTS = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);
const SCHEMA_ONE = new Set([
  "items",
  "additionalProperties",
  "unevaluatedProperties",
  "unevaluatedItems",
  "not",
  "if",
  "then",
  "else",
  "contains",
  "propertyNames",
  "contentSchema",
]);

/** A schema without its annotations (a walk that knows which values are schemas: a property may be named "description"). */
function bare(schema) {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(key) || key.startsWith("x-")) continue;
    if (SCHEMA_MAPS.has(key)) out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bare(v)]));
    else if (SCHEMA_LISTS.has(key)) out[key] = value.map(bare);
    else if (SCHEMA_ONE.has(key)) out[key] = bare(value);
    else out[key] = value;
  }
  return out;
}

/** Follows a local `$ref` (to components/responses or components/headers). */
function deref(node) {
  if (!node?.$ref) return node;
  if (!node.$ref.startsWith("#/")) throw new Error(`only local $refs are supported, found ${node.$ref}`);
  return node.$ref
    .slice(2)
    .split("/")
    .reduce((at, part) => at?.[part.replaceAll("~1", "/").replaceAll("~0", "~")], spec);
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const paths = {};
for (const [path, item] of Object.entries(spec.paths ?? {})) {
  for (const method of METHODS) {
    const operation = item[method];
    if (!operation) continue;
    const answers = {};
    for (const [status, reference] of Object.entries(operation.responses ?? {})) {
      const response = deref(reference);
      const json = response?.content?.["application/json"];
      const headers = {};
      for (const [name, header] of Object.entries(response?.headers ?? {})) {
        const resolved = deref(header);
        headers[name] = { required: resolved?.required === true, schema: bare(resolved?.schema ?? {}) };
      }
      answers[status] = {
        // The media types the spec documents for this answer (the doctor reports another one).
        mediaTypes: Object.keys(response?.content ?? {}),
        body: json?.schema === undefined ? null : bare(json.schema),
        headers,
      };
    }
    paths[path] = { ...paths[path], [method]: answers };
  }
}
const schemas = Object.fromEntries(Object.entries(spec.components?.schemas ?? {}).map(([k, v]) => [k, bare(v)]));

const specVersion = String(spec.info.version);
const source = [
  "/**",
  " * DO NOT EDIT. The answers (status, body schema, headers) and the schemas of the sfmc-contacts",
  " * OpenAPI document, for `sfmc-contacts doctor`, which validates live answers against them.",
  ` * Generated from specs/openapi.yaml (spec version ${specVersion}) by scripts/generate-spec-schemas.mjs.`,
  " * Change the spec, then run `pnpm generate` from the repository root.",
  " */",
  "",
  "/** A documented answer of one route and status. */",
  "export interface SpecAnswer {",
  "  /** The media types the spec documents for the body (empty: no body). */",
  "  mediaTypes: string[];",
  "  /** The JSON body's schema: a `$ref` into `components/schemas`, or an inline schema; null when none. */",
  "  body: unknown;",
  "  /** The documented headers, by the spec's spelling of their names. */",
  "  headers: Record<string, { required: boolean; schema: unknown }>;",
  "}",
  "",
  "/** The spec's `info.version`. */",
  `export const specVersion = ${JSON.stringify(specVersion)};`,
  "",
  "/** components/schemas, and per path, method and status the documented answer. */",
  "export const specDocument: {",
  "  components: { schemas: Record<string, unknown> };",
  "  paths: Record<string, Record<string, Record<string, SpecAnswer>>>;",
  `} = ${JSON.stringify({ components: { schemas }, paths }, null, 2)};`,
  "",
].join("\n");

let current = null;
try {
  current = readFileSync(outFile, "utf8");
} catch {}
const shown = relative(repoRoot, outFile);
if (current === source) {
  console.log(`${shown} is up to date with specs/openapi.yaml (spec version ${specVersion}).`);
} else if (check) {
  console.error(`drift: ${shown} is out of date with ${relative(repoRoot, specFile) || specFile}.`);
  console.error("Run `pnpm generate` and commit the result.");
  process.exit(1);
} else {
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, source);
  console.log(`wrote ${shown} (spec version ${specVersion})`);
}
