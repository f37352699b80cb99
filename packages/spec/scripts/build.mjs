#!/usr/bin/env node
// Builds @sfmc-contacts/spec from specs/openapi.yaml, the single source: nothing here is copied by hand.
//   dist/openapi.yaml                      the document as written, under a do-not-edit comment
//   dist/openapi.json                      the same document as JSON, with an `x-generated` note
//   dist/schemas/<Name>.schema.json        a standalone JSON Schema 2020-12 of one body: `$schema`,
//                                          `$id`, and every `#/components/schemas/...` it reaches
//                                          bundled under `$defs`, so it compiles with nothing else loaded
//   dist/openapi.json.d.cts, dist/schemas/<Name>.schema.json.d.cts   their types, named by the
//                                          exports map's "types" conditions (CommonJS `export =`, the
//                                          shape of a JSON module, so they type `import ... with
//                                          { type: "json" }`, `require()` and bundlers alike)
//   dist/index.mjs, dist/index.cjs         the document and the schemas as plain objects
//   dist/index.d.mts, dist/index.d.cts     copies of src/index.d.mts
//   package.json "sfmc-contacts".specVersion   the spec's info.version (written only when it differs)
//
//   node scripts/build.mjs                     build into dist/
//   node scripts/build.mjs --spec <file> --out <dir>   build another copy of the spec elsewhere
//                                              (the tests' determinism and error checks; package.json untouched)
// The output depends on the spec's text alone (no dates, no paths, no tool versions), so two builds
// are byte-identical and turbo's cache stays honest.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

/** The bodies published as standalone schemas: the establish route's and the token route's. */
const SCHEMAS = [
  "EstablishContactsRequest",
  "EstablishContactsResponse",
  "MarketingCloudError",
  "TokenRequest",
  "TokenResponse",
  "OAuthError",
];
const GENERATED = "Generated from specs/openapi.yaml by @sfmc-contacts/spec's build. Do not edit.";
const JSON_SCHEMA_2020 = "https://json-schema.org/draft/2020-12/schema";
/** A name, not a location: the schemas are not served anywhere, and a URN does not pretend they are. */
const schemaId = (name) => `urn:sfmc-contacts:schema:${name}`;
// Keywords whose values are data, not schemas: a `$ref` key inside them is not a reference.
const DATA_KEYWORDS = new Set(["examples", "example", "default", "const", "enum"]);

const pkgDir = fileURLToPath(new URL("..", import.meta.url));
const option = (name) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const specFile = resolve(option("--spec") ?? join(pkgDir, "../../specs/openapi.yaml"));
const outDir = resolve(option("--out") ?? join(pkgDir, "dist"));
const isDefaultBuild = option("--out") === undefined;

function fail(message) {
  console.error(`@sfmc-contacts/spec build: ${message}`);
  process.exit(1);
}

const specText = readFileSync(specFile, "utf8");
const doc = parse(specText);
const components = doc?.components?.schemas ?? {};
const specVersion = doc?.info?.version;
if (typeof specVersion !== "string") fail(`${specFile} has no info.version.`);

const decodePointer = (segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~");
const encodePointer = (segment) => segment.replaceAll("~", "~0").replaceAll("/", "~1");

/** One component schema with every schema it reaches moved under `$defs` and its `$ref`s rewritten. */
function standalone(name) {
  const defs = new Map();
  const refTo = (ref, at) => {
    const match = /^#\/components\/schemas\/([^/]+)$/.exec(ref);
    if (!match) fail(`${name}: cannot bundle the $ref ${ref} at ${at}; only #/components/schemas/<Name> is supported.`);
    const target = decodePointer(match[1]);
    if (!(target in components)) fail(`${name}: unresolved $ref ${ref} at ${at}.`);
    if (target === name) return "#";
    if (!defs.has(target)) {
      defs.set(target, undefined); // claimed first, so a cycle ends here
      defs.set(target, rewrite(components[target], `#/components/schemas/${target}`));
    }
    return `#/$defs/${encodePointer(target)}`;
  };
  const rewrite = (node, at) => {
    if (Array.isArray(node)) return node.map((item, index) => rewrite(item, `${at}/${index}`));
    if (node === null || typeof node !== "object") return node;
    const out = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") out[key] = refTo(value, at);
      else if (DATA_KEYWORDS.has(key)) out[key] = value;
      else out[key] = rewrite(value, `${at}/${encodePointer(key)}`);
    }
    return out;
  };
  if (!(name in components)) fail(`the spec has no components.schemas.${name}.`);
  const body = rewrite(components[name], `#/components/schemas/${name}`);
  const sorted = [...defs.keys()].sort();
  return {
    $schema: JSON_SCHEMA_2020,
    $id: schemaId(name),
    $comment: GENERATED,
    title: name,
    ...body,
    ...(sorted.length > 0 ? { $defs: Object.fromEntries(sorted.map((key) => [key, defs.get(key)])) } : {}),
  };
}

const json = (value) => `${JSON.stringify(value, null, 2)}\n`;
const { openapi: openapiVersion, ...rest } = doc;
const openapiJson = { openapi: openapiVersion, "x-generated": GENERATED, ...rest };
const schemas = Object.fromEntries(SCHEMAS.map((name) => [name, standalone(name)]));

const declarations = readFileSync(join(pkgDir, "src/index.d.mts"), "utf8");
const jsonTypes = (from, type, typeArguments = "") =>
  [
    `// ${GENERATED}`,
    `import type { ${type} } from "${from}";`,
    `declare const value: ${type}${typeArguments};`,
    "export = value;",
    "",
  ].join("\n");
const moduleBody = (exportPrefix) =>
  [
    `${exportPrefix("specVersion")}${JSON.stringify(specVersion)};`,
    `${exportPrefix("openapi")}${JSON.stringify(openapiJson, null, 2)};`,
    `${exportPrefix("schemas")}${JSON.stringify(schemas, null, 2)};`,
    "",
  ].join("\n");

const files = new Map([
  ["openapi.yaml", `# ${GENERATED}\n${specText}`],
  ["openapi.json", json(openapiJson)],
  ["openapi.json.d.cts", jsonTypes("./index.cjs", "OpenApiDocument")],
  ["index.mjs", `// ${GENERATED}\n${moduleBody((name) => `export const ${name} = `)}`],
  ["index.cjs", `// ${GENERATED}\n"use strict";\n${moduleBody((name) => `exports.${name} = `)}`],
  ["index.d.mts", declarations],
  ["index.d.cts", declarations],
  ...SCHEMAS.flatMap((name) => [
    [`schemas/${name}.schema.json`, json(schemas[name])],
    [`schemas/${name}.schema.json.d.cts`, jsonTypes("../index.cjs", "StandaloneJsonSchema", `<"${name}">`)],
  ]),
]);

rmSync(outDir, { recursive: true, force: true });
for (const [file, content] of files) {
  mkdirSync(join(outDir, file, ".."), { recursive: true });
  writeFileSync(join(outDir, file), content);
}

if (isDefaultBuild) {
  const pkgFile = join(pkgDir, "package.json");
  const pkg = JSON.parse(readFileSync(pkgFile, "utf8"));
  if (pkg["sfmc-contacts"]?.specVersion !== specVersion) {
    pkg["sfmc-contacts"] = { ...pkg["sfmc-contacts"], specVersion };
    writeFileSync(pkgFile, json(pkg));
    console.log(`wrote package.json: specVersion ${specVersion}`);
  }
}
console.log(`built ${files.size} files from spec version ${specVersion} into ${outDir}`);
