/**
 * The doctor's validation engine (Ajv, ajv-formats) and the spec's schemas load only when the
 * doctor runs: `establish` starts as it did. A module hook refuses to resolve them; establish must
 * run under it, and the doctor must trip it (so the hook is known to bite).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refuseImports, runCli } from "./run-cli.js";

let dir: string;
let refuse: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sfmc-contacts-lazy-doctor-"));
  refuse = await refuseImports(
    dir,
    "refuse-doctor",
    /^ajv(-formats)?($|\/)|spec-schemas/,
    "the doctor's engine was loaded",
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("Ajv and the spec's schemas load with the doctor only", () => {
  it("establish --mock runs while they cannot be loaded", async () => {
    const run = await runCli(["establish", "--mock", "--format", "ndjson", "Key1"], { nodeArgs: ["--import", refuse] });
    expect(run.stderr).not.toContain("the doctor's engine was loaded");
    expect(run.code).toBe(0);
  });

  it("the hook bites: the doctor cannot run under it", async () => {
    const run = await runCli(["doctor", "--mock"], { nodeArgs: ["--import", refuse] });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("the doctor's engine was loaded");
  });
});
