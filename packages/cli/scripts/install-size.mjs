#!/usr/bin/env node
// What `npm install @sfmc-contacts/cli` puts on a user's disk. Packs the CLI and the workspace
// packages it depends on (their dist must be built: `pnpm --filter @sfmc-contacts/cli... build`),
// installs the tarballs with plain npm into a fresh project outside the workspace, the way
// tests/consumers does, and measures `du -sb node_modules`.
//
//   node packages/cli/scripts/install-size.mjs            # prints the total and the largest packages
//   node packages/cli/scripts/install-size.mjs --json     # the same as JSON, for tests
//   node packages/cli/scripts/install-size.mjs --keep     # leaves the project on disk and prints its path
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const packages = fileURLToPath(new URL("../../", import.meta.url));
const json = process.argv.includes("--json");
const keep = process.argv.includes("--keep");

async function sh(command, args, options = {}) {
  return run(command, args, { maxBuffer: 64 * 1024 * 1024, timeout: 10 * 60_000, ...options });
}

/** The workspace packages the CLI installs: itself and its `@sfmc-contacts/*` dependencies, transitively. */
async function workspaceClosure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  const manifest = JSON.parse(await readFile(join(packages, name, "package.json"), "utf8"));
  for (const dependency of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
    if (dependency.startsWith("@sfmc-contacts/"))
      await workspaceClosure(dependency.slice("@sfmc-contacts/".length), seen);
  }
  return seen;
}

const bytes = async (path) => Number((await sh("du", ["-sb", path])).stdout.split("\t")[0]);

const work = await mkdtemp(join(tmpdir(), "sfmc-contacts-install-size-"));
try {
  const tarballs = {};
  const into = join(work, "tarballs");
  await mkdir(into);
  for (const name of await workspaceClosure("cli")) {
    const before = new Set(await readdir(into));
    await sh("pnpm", ["pack", "--pack-destination", into], { cwd: join(packages, name) });
    const file = (await readdir(into)).find((f) => !before.has(f));
    tarballs[`@sfmc-contacts/${name}`] = `file:${join(into, file)}`;
  }
  const project = join(work, "project");
  await mkdir(project);
  await writeFile(
    join(project, "package.json"),
    JSON.stringify({
      name: "install-size",
      private: true,
      dependencies: { "@sfmc-contacts/cli": tarballs["@sfmc-contacts/cli"] },
      // The tarballs name each other as ^<version>: point those at the tarballs, not the registry.
      overrides: tarballs,
    }),
  );
  // npm's defaults, as a user gets them: peer dependencies that are not optional are installed too.
  await sh("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: project });
  const modules = join(project, "node_modules");

  // Every installed package directory (scoped ones included), with its own size.
  const sizes = [];
  for (const entry of await readdir(modules)) {
    if (entry.startsWith(".")) continue;
    const names = entry.startsWith("@") ? (await readdir(join(modules, entry))).map((n) => `${entry}/${n}`) : [entry];
    for (const name of names) sizes.push({ name, bytes: await bytes(join(modules, name)) });
  }
  sizes.sort((a, b) => b.bytes - a.bytes);
  const result = { bytes: await bytes(modules), packages: sizes.length, largest: sizes.slice(0, 10) };
  if (keep) result.project = project;

  if (json) console.log(JSON.stringify(result));
  else {
    const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
    console.log(
      `npm install @sfmc-contacts/cli: ${mb(result.bytes)} (${result.bytes} bytes, du -sb) in ${result.packages} packages`,
    );
    for (const { name, bytes: size } of result.largest) console.log(`  ${mb(size).padStart(8)}  ${name}`);
    if (keep) console.log(`project kept at ${project}`);
  }
} finally {
  if (!keep) await rm(work, { recursive: true, force: true });
}
