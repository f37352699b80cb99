"use strict";
// The Jest transformer of @sfmc-contacts/mocks/jest, for the ESM-only packages msw 2 and 3 load
// (rettime, until-async, msw 3 itself, @mswjs/interceptors, ...): ESM -> CommonJS with the app's
// own TypeScript (ts.transpileModule; every ts-jest user has it), and `import.meta` (msw 3's
// interceptors read a .wasm file next to themselves) -> the file's own URL, path and folder.
const { createHash } = require("node:crypto");
const { readFileSync } = require("node:fs");
const { createRequire } = require("node:module");
const { join } = require("node:path");

let ts;
function typescript(rootDir) {
  if (!ts) {
    try {
      ts = createRequire(join(rootDir, "package.json"))("typescript");
    } catch {
      ts = require("typescript");
    }
  }
  return ts;
}

const IMPORT_META = [
  [/\bimport\.meta\.url\b/g, 'require("node:url").pathToFileURL(__filename).href'],
  [/\bimport\.meta\.filename\b/g, "__filename"],
  [/\bimport\.meta\.dirname\b/g, "__dirname"],
];

let ownSource;
module.exports = {
  process(source, filename, options) {
    const t = typescript(options.config.rootDir);
    const code = IMPORT_META.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), source);
    const { outputText } = t.transpileModule(code, {
      // transpileModule decides the module format from the extension: .mjs would stay ESM.
      fileName: filename.replace(/\.mjs$/, ".js"),
      compilerOptions: { module: t.ModuleKind.CommonJS, target: t.ScriptTarget.ES2022, esModuleInterop: true },
    });
    return { code: outputText };
  },
  // Jest's own key omits the transformer: include this file and the TypeScript version, so an
  // upgrade of either never serves stale output from Jest's cache.
  getCacheKey(source, filename, options) {
    ownSource ??= readFileSync(__filename, "utf8");
    return createHash("sha256")
      .update(source)
      .update("\0")
      .update(filename)
      .update("\0")
      .update(options.configString)
      .update("\0")
      .update(ownSource)
      .update("\0")
      .update(typescript(options.config.rootDir).version)
      .digest("hex");
  },
};
