/**
 * Issue 15, point 6, end to end: the built CLI against a loopback service scripted to throttle.
 * The progress line shows the current concurrency and the pause, the summary counts the throttled
 * requests, and a 50200 stop exits 2 naming the code and --resume. Judged on what the CLI printed
 * and wrote, not on timing.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { answerEstablish, type Loopback, startLoopback } from "../../../tests/support/loopback.js";
import { runCli } from "./run-cli.js";

let dir: string;
let service: Loopback;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sfmc-contacts-cli-throttled-"));
  service = await startLoopback();
});
afterEach(() => {
  service.onEstablish = answerEstablish;
});
afterAll(async () => {
  await service.close();
  await rm(dir, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}) => ({
  SFMC_CLIENT_ID: "id",
  SFMC_CLIENT_SECRET: "secret",
  SFMC_REST_BASE_URL: service.url,
  SFMC_AUTH_BASE_URL: service.url,
  ...extra,
});

async function keysFile(name: string, count: number): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `${Array.from({ length: count }, (_, i) => `key-${i}`).join("\n")}\n`);
  return file;
}

const refuse = (response: ServerResponse, errorcode: number, retryAfter?: number): void =>
  void response
    .writeHead(429, {
      "content-type": "application/json",
      ...(retryAfter === undefined ? {} : { "retry-after": String(retryAfter) }),
    })
    .end(JSON.stringify({ message: "Too many requests", errorcode, documentation: "" }));

describe("the CLI under throttling", () => {
  it("progress shows concurrency cut to 8/16 and 'throttled, resuming in Ns'; the summary counts 3 throttled requests", async () => {
    let hits = 0;
    service.onEstablish = (request, body, response) => {
      // The first three requests are throttled (one episode: 16 -> 8), the rest answered.
      if (++hits <= 3) return refuse(response, 50100, 3);
      setTimeout(() => answerEstablish(request, body, response), 20);
    };
    const file = await keysFile("throttled.txt", 400);
    const run = await runCli(
      ["establish", "--file", file, "--batch-size", "10", "--concurrency", "16", "--format", "ndjson"],
      { env: env({ SFMC_CONTACTS_PROGRESS_MS: "100" }) },
    );
    expect(run.stderr).not.toContain("MaxListenersExceededWarning");
    // Cut from 16 to 8 by the episode (and maybe raised by one or two since, as answers came in).
    expect(run.stderr).toMatch(/^progress: .*, concurrency ([89]|10)\/16, throttled, resuming in [123]s$/m);
    expect(run.stderr).toContain("Marketing Cloud throttled 3 requests (HTTP 429/503); the run paused");
    expect(run.code).toBe(0);
    const results = run.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { result: string });
    expect(results).toHaveLength(400);
    expect(results.every((r) => r.result === "established")).toBe(true);
  });

  it("a 50200 stop: exit 2 naming errorcode 50200 and --resume; --failed lists the keys not sent", async () => {
    let hits = 0;
    service.onEstablish = (request, body, response) => {
      if (++hits > 4) return refuse(response, 50200);
      setTimeout(() => answerEstablish(request, body, response), 20);
    };
    const file = await keysFile("blocked.txt", 300);
    const out = join(dir, "blocked.ndjson");
    const failed = join(dir, "blocked.failed.txt");
    const run = await runCli(
      [
        "establish",
        "--file",
        file,
        "--batch-size",
        "10",
        "--concurrency",
        "2",
        "--format",
        "ndjson",
        "--out",
        out,
        "--failed",
        failed,
      ],
      { env: env() },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("errorcode 50200");
    expect(run.stderr).toContain(`--resume ${out}`);
    const rows = (await readFile(out, "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { key: string; result: string; reason?: string });
    const notDone = rows.filter((r) => r.result !== "established").map((r) => r.key);
    // Keys read and not sent are NOT_SENT; keys never read are not in the results, and the message
    // says where reading stopped.
    expect(rows.length).toBeLessThan(300);
    expect(notDone.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.result === "established" || /^(REQUEST_FAILED|NOT_SENT): /.test(r.reason ?? ""))).toBe(
      true,
    );
    expect(run.stderr).toMatch(/The input was read through line \d+; nothing after it was read/);
    expect((await readFile(failed, "utf8")).trim().split("\n").sort()).toEqual(notDone.sort());
    // No loop: the block stops the run at its first 50200s (at most one per batch in flight).
    expect(hits).toBeLessThanOrEqual(4 + 2);
  });

  it("--max-requests-per-second: checked as the client checks it, and applied to the run", async () => {
    for (const bad of ["0", "-1", "abc", "100001"]) {
      const run = await runCli(["establish", "--max-requests-per-second", bad, "Key1"], { env: env() });
      expect(run.code, bad).toBe(2);
      expect(run.stderr).toContain("--max-requests-per-second must be a number from 0.01 to 100000");
    }
    const arrivals: number[] = [];
    service.onEstablish = (request, body, response) => {
      arrivals.push(Date.now());
      answerEstablish(request, body, response);
    };
    const run = await runCli(
      [
        "establish",
        "--batch-size",
        "1",
        "--concurrency",
        "4",
        "--max-requests-per-second",
        "10",
        "a",
        "b",
        "c",
        "d",
        "e",
      ],
      { env: env() },
    );
    expect(run.code).toBe(0);
    expect(arrivals).toHaveLength(5);
    // A burst of 1, then 10/s: the 5 requests are sent over 0.4 s (the first arrival may lag on a new connection, hence 0.3 s; without
    // the budget, 4 in flight arrive together).
    expect((arrivals[4] as number) - (arrivals[0] as number)).toBeGreaterThanOrEqual(300);
  });
});
