#!/usr/bin/env node
// Fails unless every export of the given entry files has TSDoc with an `@example`.
//   node ../../scripts/check-tsdoc.mjs src/index.ts src/node.ts
import { resolve } from "node:path";
import ts from "typescript";

const entries = process.argv.slice(2).map((file) => resolve(file));
if (entries.length === 0) {
  console.error("usage: check-tsdoc.mjs <entry.ts> [entry.ts...]");
  process.exit(2);
}
const program = ts.createProgram(entries, {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  skipLibCheck: true,
  noEmit: true,
});
const checker = program.getTypeChecker();

const missing = [];
let checked = 0;
for (const entry of entries) {
  const source = program.getSourceFile(entry);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) {
    console.error(`check-tsdoc: cannot read ${entry}`);
    process.exit(2);
  }
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declarations = symbol.getDeclarations() ?? [];
    // Generated modules re-exported as a whole (`paths`, `components`) carry their own docs per member.
    if (declarations.some((d) => d.getSourceFile().fileName.includes("/generated/"))) continue;
    checked++;
    const documented = declarations.some((d) => ts.getJSDocTags(d).some((tag) => tag.tagName.text === "example"));
    if (!documented) missing.push(`${entry.replace(`${process.cwd()}/`, "")}: ${exported.name}`);
  }
}
if (missing.length > 0) {
  console.error(`These exports have no TSDoc @example:\n  ${missing.join("\n  ")}`);
  process.exit(1);
}
console.log(`check-tsdoc: all ${checked} exports have TSDoc with an @example.`);
