/**
 * Issue 11, points 10 and 17: `--timeout <ms>` sets the per-attempt time limit (its default shown
 * in --help), and every message says "1 key", "1 contact", "1 request". The built bin runs as a
 * child process, against the embedded mock or a loopback service.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { answerEstablish, type Loopback, startLoopback } from "../../../tests/support/loopback.js";
import { loopbackEnv, ndjsonRows, runCli } from "./run-cli.js";

let service: Loopback;
beforeAll(async () => {
  service = await startLoopback();
});
afterEach(() => {
  service.onEstablish = answerEstablish;
});
afterAll(async () => {
  await service.close();
});

describe("--timeout <ms>", () => {
  it("--help shows it with its default, 30000 ms", async () => {
    const help = await runCli(["establish", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--timeout <ms>\s+time limit of one attempt[\s\S]*?\(default: 30000\)\n/);
  });

  it.each([["0"], ["-5"], ["1.5"], ["soon"], ["2147483648"]])("--timeout %s is refused: exit 2", async (value) => {
    const run = await runCli(["establish", "--mock", `--timeout=${value}`, "k1"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--timeout must be a whole number of milliseconds, 1 to 2147483647.");
  });

  it("is the limit of each attempt: a service that never answers fails the key with it", async () => {
    service.onEstablish = () => {
      // Never answers: only the time limit ends each attempt.
    };
    const run = await runCli(["establish", "--timeout", "250", "--format", "ndjson", "k1"], {
      env: loopbackEnv(service.url),
    });
    expect(run.code).toBe(1);
    const [row] = ndjsonRows(run.stdout);
    expect(row).toMatchObject({ key: "k1", result: "failed" });
    expect(row?.reason).toContain("No answer from Marketing Cloud within 250 ms");
  });
});

describe("plurals: one is singular everywhere", () => {
  it("--dry-run: 1 valid key, 1 request", async () => {
    const run = await runCli(["establish", "--dry-run", "k1"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("Dry run: 1 valid key would be sent in 1 request of up to 50; 0 invalid.");
  });

  it("a run: 1 contact; fire and forget: 1 key", async () => {
    const run = await runCli(["establish", "--mock", "k1"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("Established 1 contact: 1 new, 0 existing. 0 failed.");
    const forget = await runCli(["establish", "--mock", "--no-results", "k1"]);
    expect(forget.code).toBe(0);
    expect(forget.stderr).toContain("Sent 1 key (fire and forget");
  });

  it("many stay plural", async () => {
    const run = await runCli(["establish", "--dry-run", "--batch-size", "1", "k1", "k2"]);
    expect(run.stderr).toContain("Dry run: 2 valid keys would be sent in 2 requests of up to 1; 0 invalid.");
  });
});
