#!/usr/bin/env node
// Bundles an app that calls `createContactsClient(...).establish(...)` the way a code-splitting
// bundler ships it (esbuild: browser platform, ESM, minified, split chunks), then writes for
// size-limit (.size-limit.json):
//   .size/download.js  the entry and every chunk it imports statically: what the app downloads
//   .size/all.js       every chunk, with those loaded on first use: openapi-fetch (raw,
//                      middleware) and the bulk code (establishAll)
// The browser platform also proves the client pulls in no Node built-in: esbuild fails on one.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const out = fileURLToPath(new URL("../.size/", import.meta.url));
const dist = fileURLToPath(new URL("../dist/index.mjs", import.meta.url));
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
const entry = `${out}app.js`;
await writeFile(
  entry,
  `import { createContactsClient } from ${JSON.stringify(dist)};\n` +
    `const client = createContactsClient({ baseUrl: "/api/sfmc" });\n` +
    `globalThis.run = () => client.establish(["Key1"]);\n`,
);
const result = await build({
  entryPoints: { entry: entry },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "browser",
  minify: true,
  outdir: `${out}bundle`,
  entryNames: "[name]",
  chunkNames: "chunk-[hash]",
  metafile: true,
  logLevel: "warning",
});
const outputs = result.metafile.outputs;
const name = (file) => file.replace(/^.*\.size\//, ".size/");
const entryFile = Object.keys(outputs).find((file) => outputs[file].entryPoint);
// The static import closure of the entry: what loads before the app's first line runs.
const download = new Set();
const visit = (file) => {
  if (download.has(file)) return;
  download.add(file);
  for (const imported of outputs[file].imports) if (imported.kind === "import-statement") visit(imported.path);
};
visit(entryFile);
for (const [file, output] of Object.entries(outputs)) {
  const inputs = Object.keys(output.inputs).map((input) =>
    input.replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, ""),
  );
  const when = download.has(file) ? "downloaded" : "loaded on first use";
  console.log(`${name(file)} (${when}): ${output.bytes} B min, from ${inputs.join(", ")}`);
}
const concat = async (files) => (await Promise.all([...files].map((file) => readFile(file, "utf8")))).join("\n");
await writeFile(`${out}download.js`, await concat(download));
await writeFile(`${out}all.js`, await concat(Object.keys(outputs)));
