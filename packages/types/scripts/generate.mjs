#!/usr/bin/env node
// Generates @sfmc-contacts/types from specs/openapi.yaml with openapi-typescript:
//   src/generated/openapi.ts          paths, components, operations (with a do-not-edit banner)
//   test/generated/spec-examples.ts   every named example of the spec, each `satisfies` the type
//                                     at its place in the spec, so the type tests prove the types
//                                     accept the spec's (and the seed page's) examples
//   package.json "sfmc-contacts".specVersion   the spec's info.version
//
//   node scripts/generate.mjs           write the files
//   node scripts/generate.mjs --check   write nothing; exit 1 if any file differs (the drift check)
//   --spec <path>                       read another copy of the spec (the drift check's own test)
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import { parse } from "yaml";
import { generatorArgs } from "../../../scripts/generator-args.mjs";

const pkgDir = fileURLToPath(new URL("..", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const { check, specFile, otherSpec } = generatorArgs("the committed types are");
const specRel = otherSpec ? "specs/openapi.yaml" : relative(repoRoot, specFile);

const spec = parse(readFileSync(specFile, "utf8"));
const specVersion = spec.info.version;
const generatorVersion = JSON.parse(
  readFileSync(fileURLToPath(import.meta.resolve("openapi-typescript/package.json")), "utf8"),
).version;

const banner = (what) =>
  [
    "/**",
    ` * DO NOT EDIT. ${what}`,
    ` * Generated from ${specRel} (spec version ${specVersion}) by openapi-typescript ${generatorVersion}.`,
    " * Change the spec, then run `pnpm generate` from the repository root.",
    " */",
    "",
  ].join("\n");

// --- src/generated/openapi.ts -----------------------------------------------------------------
const ast = await openapiTS(new URL(`file://${specFile}`), {
  // A default in the spec documents what the service assumes; it must not make a request field required.
  defaultNonNullable: false,
});
const typesSource = `${banner("The types of the sfmc-contacts OpenAPI document.")}${astToString(ast)}`;

// --- test/generated/spec-examples.ts ----------------------------------------------------------
const httpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const deref = (node) => {
  if (!node?.$ref) return node;
  return node.$ref
    .slice(2)
    .split("/")
    .reduce((at, part) => at[part.replaceAll("~1", "/").replaceAll("~0", "~")], spec);
};
const camel = (s) => s.replace(/^./, (c) => c.toLowerCase());
const exampleLines = [];
const seen = new Set();
for (const [path, item] of Object.entries(spec.paths)) {
  for (const method of httpMethods) {
    const op = item[method];
    if (!op) continue;
    const places = [];
    if (op.requestBody) {
      places.push([deref(op.requestBody), `paths[${JSON.stringify(path)}]["${method}"]["requestBody"]`, "request"]);
    }
    for (const [status, response] of Object.entries(op.responses ?? {})) {
      places.push([deref(response), `paths[${JSON.stringify(path)}]["${method}"]["responses"][${status}]`, status]);
    }
    for (const [media, typePath, status] of places) {
      const examples = media?.content?.["application/json"]?.examples ?? {};
      const bodyType =
        status === "request"
          ? `NonNullable<${typePath}>["content"]["application/json"]`
          : `${typePath}["content"]["application/json"]`;
      for (const [key, entry] of Object.entries(examples)) {
        const name = entry.$ref ? camel(entry.$ref.split("/").pop()) : camel(key);
        if (seen.has(name)) continue;
        seen.add(name);
        exampleLines.push(
          `/** ${method.toUpperCase()} ${path} ${status === "request" ? "request" : status}: ${deref(entry).summary ?? key} */`,
          `export const ${name} = ${JSON.stringify(deref(entry).value, null, 2)} satisfies ${bodyType};`,
          "",
        );
      }
    }
  }
}
const examplesSource = [
  banner("Every named example of the spec, each checked against the type at its place in the spec."),
  'import type { paths } from "../../src/generated/openapi.js";',
  "",
  ...exampleLines,
].join("\n");

// --- package.json ------------------------------------------------------------------------------
const pkgFile = `${pkgDir}package.json`;
const pkg = JSON.parse(readFileSync(pkgFile, "utf8"));
pkg["sfmc-contacts"] = { ...pkg["sfmc-contacts"], specVersion };
const pkgSource = `${JSON.stringify(pkg, null, 2)}\n`;

const outputs = [
  [`${pkgDir}src/generated/openapi.ts`, typesSource],
  [`${pkgDir}test/generated/spec-examples.ts`, examplesSource],
  [pkgFile, pkgSource],
];

let stale = 0;
for (const [file, content] of outputs) {
  let current = null;
  try {
    current = readFileSync(file, "utf8");
  } catch {}
  if (current === content) continue;
  if (check) {
    stale++;
    console.error(`drift: ${relative(repoRoot, file)} is out of date with ${specRel}.`);
  } else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    console.log(`wrote ${relative(repoRoot, file)}`);
  }
}
if (check && stale > 0) {
  console.error("Run `pnpm generate` and commit the result.");
  process.exit(1);
}
if (check) console.log(`types are up to date with ${specRel} (spec version ${specVersion}).`);
