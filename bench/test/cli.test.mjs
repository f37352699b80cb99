import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const runMjs = fileURLToPath(new URL("../run.mjs", import.meta.url));
// Each of these exits before the service or any measurement starts.
const bench = (args, env = {}) =>
  spawnSync(process.execPath, [runMjs, ...args], {
    encoding: "utf8",
    env: { ...process.env, BENCH_QUICK: "", BENCH_ROUNDS: "", ...env },
    timeout: 60_000,
  });

test("--help says what the bench does, the scenarios and --profile", () => {
  const { status, stdout } = bench(["--", "--help"]);
  assert.equal(status, 0);
  for (const text of ["--profile <name>", "BENCH_ROUNDS", "BENCH_QUICK=1", "establishAll-undici", ".cpuprofile"]) {
    assert.ok(stdout.includes(text), text);
  }
  assert.match(stdout, /top 15 functions by self\s+time/);
});

test("--profile with an unknown or no name lists the valid names and exits 2", () => {
  for (const args of [["--profile", "nope"], ["--profile"]]) {
    const { status, stderr } = bench(args);
    assert.equal(status, 2, args.join(" "));
    assert.match(stderr, /Valid names:\n {2}establishAll-undici\n/);
    assert.match(stderr, /establish-fetch:openapi-fetch/);
  }
});

test("--only with a name that matches no scenario lists the ids and exits 2", () => {
  for (const args of [["--only", "nope"], ["--only"], ["--only=proxy,nope"]]) {
    const { status, stderr } = bench(args);
    assert.equal(status, 2, args.join(" "));
    assert.match(stderr, /names no scenario[\s\S]*\n {2}proxy-2keys-1\n/);
  }
});

test("--help describes --only and the proxy scenarios", () => {
  const { stdout } = bench(["--help"]);
  for (const text of ["--only <ids>", "proxy-2keys-1", "proxy-50keys-16", "bench/proxy-driver.mjs", "1.3×"]) {
    assert.ok(stdout.includes(text), text);
  }
});

test("fewer than 7 rounds only in a quick run", () => {
  assert.equal(bench([], { BENCH_ROUNDS: "3" }).status, 2);
  assert.equal(bench(["--bogus"]).status, 2);
});
