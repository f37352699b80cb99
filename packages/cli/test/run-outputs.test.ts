/**
 * Issue 11, points 1 and 2: outputs are opened and checked before the first request, a write
 * error later stops the run (exit 2, nothing in flight left waiting), and a file named as both
 * input and output is refused before anything is emptied. The built bin runs as a child process
 * against a loopback service that counts the requests it saw.
 */

import { spawnSync } from "node:child_process";
import { chmod, link, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { answerEstablish, type Handler, type Loopback, startLoopback } from "../../../tests/support/loopback.js";
import { bin, loopbackEnv, runCli } from "./run-cli.js";

let dir: string;
let service: Loopback;
let keys: string;
const KEY_COUNT = 1000;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sfmc-contacts-run-outputs-"));
  // Readable by `nobody`, for the permission test of a root run.
  await chmod(dir, 0o755);
  service = await startLoopback();
  keys = join(dir, "keys.txt");
  await writeFile(keys, `${Array.from({ length: KEY_COUNT }, (_, i) => `key-${i}`).join("\n")}\n`);
});
afterEach(() => {
  service.onEstablish = answerEstablish;
});
afterAll(async () => {
  await service.close();
  await rm(dir, { recursive: true, force: true });
});

/** Whether the unprivileged user can read `file` (every directory above it must let nobody through). */
const readableByNobody = (file: string) =>
  spawnSync(process.execPath, ["-e", "require('node:fs').accessSync(process.argv[1], 4)", file], {
    uid: 65534,
    gid: 65534,
  }).status === 0;

const requests = () => service.hits["/contacts/v1/establish"] ?? 0;

/** Answers the first `answered` requests, then none: only an abort ends the rest. */
const answerThenStall =
  (answered: number): Handler =>
  (request, body, response) => {
    if (answered-- > 0) answerEstablish(request, body, response);
  };

describe("an output that cannot be opened stops the run before its first request: exit 2", () => {
  const cases: Array<[string, () => string[], () => string]> = [
    [
      "--out in a missing directory",
      () => ["--out", join(dir, "missing", "out.txt")],
      () => `Cannot write --out ${join(dir, "missing", "out.txt")}: no such directory`,
    ],
    ["--out a directory", () => ["--out", dir], () => `Cannot write --out ${dir}: it is a directory`],
    [
      "--failed in a missing directory",
      () => ["--failed", join(dir, "missing", "failed.txt")],
      () => `Cannot write --failed ${join(dir, "missing", "failed.txt")}: no such directory`,
    ],
    ["--failed a directory", () => ["--failed", dir], () => `Cannot write --failed ${dir}: it is a directory`],
    // /dev/full takes the open and refuses the write: the header, written and waited for, finds it.
    [
      "--out /dev/full (table)",
      () => ["--out", "/dev/full"],
      () => "Cannot write --out /dev/full: no space left on device",
    ],
    [
      "--out /dev/full (csv)",
      () => ["--format", "csv", "--out", "/dev/full"],
      () => "Cannot write --out /dev/full: no space left on device",
    ],
    [
      "--out /dev/full (json)",
      () => ["--format", "json", "--out", "/dev/full"],
      () => "Cannot write --out /dev/full: no space left on device",
    ],
  ];
  it.each(cases)("%s", async (_name, flags, message) => {
    const before = requests();
    const run = await runCli(["establish", "--file", keys, ...flags()], { env: loopbackEnv(service.url) });
    expect(run.stderr).toContain(message());
    expect(run.code).toBe(2);
    expect(requests() - before).toBe(0);
  });

  it("an --out in a directory without write permission (checked as nobody when the tests run as root)", async (context) => {
    const locked = join(dir, "locked");
    await mkdir(locked, { recursive: true });
    await chmod(locked, 0o555);
    const asRoot = process.getuid?.() === 0;
    // Root may write anywhere, so the child runs as nobody; that needs a checkout nobody can read
    // (a clone under a 0700 temporary directory is not). The missing-directory, directory and
    // /dev/full cases above go through the same open-and-check path.
    if (asRoot && !readableByNobody(bin)) {
      context.skip("running as root, and nobody cannot read the built bin in this checkout");
    }
    const before = requests();
    const run = await runCli(["establish", "--file", keys, "--out", join(locked, "out.txt")], {
      env: loopbackEnv(service.url),
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    expect(run.stderr).toContain(`Cannot write --out ${join(locked, "out.txt")}: permission denied`);
    expect(run.code).toBe(2);
    expect(requests() - before).toBe(0);
  });
});

describe("a write error mid-run stops the run: no further batches, the ones in flight aborted, exit 2", () => {
  it("--format ndjson --out /dev/full (no header to try first): stops at the first rows", async () => {
    // One batch is answered; every later request stalls, so the run can only end by aborting them.
    service.onEstablish = answerThenStall(1);
    const before = requests();
    const run = await runCli(
      ["establish", "--file", keys, "--format", "ndjson", "--out", "/dev/full", "--batch-size", "50"],
      { env: loopbackEnv(service.url), timeoutMs: 60_000 },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Cannot write --out /dev/full: no space left on device");
    // The first batch and at most the others already in flight (--concurrency 4): not all 20.
    expect(requests() - before).toBeLessThanOrEqual(5);
    expect(run.stdout).toBe("");
  });

  it("--failed /dev/full: the first failed key's write stops the run", async () => {
    service.onEstablish = answerThenStall(1);
    const withInvalid = join(dir, "with-invalid.txt");
    await writeFile(withInvalid, `${"x".repeat(255)}\n${(await readFile(keys, "utf8")).trim()}\n`);
    const before = requests();
    const run = await runCli(
      [
        "establish",
        "--file",
        withInvalid,
        "--format",
        "ndjson",
        "--out",
        join(dir, "r.ndjson"),
        "--failed",
        "/dev/full",
      ],
      { env: loopbackEnv(service.url), timeoutMs: 60_000 },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Cannot write --failed /dev/full: no space left on device");
    expect(requests() - before).toBeLessThanOrEqual(5);
    // What was written is whole: every line of --out is a row.
    for (const line of (await readFile(join(dir, "r.ndjson"), "utf8")).split("\n").filter(Boolean)) {
      expect(() => JSON.parse(line)).not.toThrow();
    }
  });
});

describe("a file named as input and output is refused before anything is emptied: exit 2", () => {
  const original = () => readFile(keys, "utf8");
  // Messages are read when the case runs: `keys` is set in beforeAll.
  const cases: Array<[string, () => Promise<string[]>, () => string]> = [
    [
      "--failed is --file",
      async () => ["--file", keys, "--failed", keys],
      () => `--failed names the same file as --file ${keys}`,
    ],
    [
      "--out is --file",
      async () => ["--file", keys, "--out", keys],
      () => `--out names the same file as --file ${keys}`,
    ],
    [
      "--out is --file by another path (a/../)",
      async () => ["--file", keys, "--out", `${dir}/locked/../keys.txt`],
      () => "--out names the same file as --file",
    ],
    [
      "--out is a symbolic link to --file",
      async () => {
        const alias = join(dir, `symlink-${Math.random()}.txt`);
        await symlink(keys, alias);
        return ["--file", keys, "--out", alias];
      },
      () => "--out names the same file as --file",
    ],
    [
      "--failed is a hard link to --file",
      async () => {
        const alias = join(dir, `hardlink-${Math.random()}.txt`);
        await link(keys, alias);
        return ["--file", keys, "--failed", alias];
      },
      () => "--failed names the same file as --file",
    ],
    [
      "--out and --failed are one file",
      async () => ["--file", keys, "--out", join(dir, "both.txt"), "--failed", join(dir, "both.txt")],
      () => "--failed names the same file as --out",
    ],
  ];
  it.each(cases)("%s", async (_name, flags, message) => {
    const content = await original();
    await mkdir(join(dir, "locked"), { recursive: true });
    const before = requests();
    const run = await runCli(["establish", ...(await flags())], { env: loopbackEnv(service.url) });
    expect(run.stderr).toContain(message());
    expect(run.code).toBe(2);
    expect(await original()).toBe(content);
    expect(requests() - before).toBe(0);
  });
});
