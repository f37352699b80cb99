/**
 * Issue 11, points 3, 4 and 9: the run stops, and says why, when it must. An input that fails
 * mid-file still accounts for every key read before it and leaves --out whole; a 401 or 403 from
 * establish stops the run at once; Ctrl-C ends a run whose stdin has gone quiet. The built bin runs
 * as a child process against a loopback service that counts what it was sent.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { answerEstablish, type Loopback, startLoopback } from "../../../tests/support/loopback.js";
import { loopbackEnv, ndjsonRows, runCli } from "./run-cli.js";

let dir: string;
let service: Loopback;
const originalToken = () => service.onToken;
let answerToken: Loopback["onToken"];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sfmc-contacts-run-stops-"));
  service = await startLoopback();
  answerToken = originalToken();
});
afterEach(() => {
  service.onEstablish = answerEstablish;
  service.onToken = answerToken;
});
afterAll(async () => {
  await service.close();
  await rm(dir, { recursive: true, force: true });
});

const requests = () => service.hits["/contacts/v1/establish"] ?? 0;
const tokens = () => service.hits["/v2/token"] ?? 0;

describe("an input that fails mid-file (a CSV quote never closed): exit 2, every key read has its result", () => {
  const csv = 'Key\nk1\nk2\nk3\n"k4\nk5\n';

  it("--format json: the array is closed, the line is named", async () => {
    const file = join(dir, "unclosed.csv");
    const out = join(dir, "unclosed.json");
    await writeFile(file, csv);
    const run = await runCli(["establish", "--file", file, "--format", "json", "--out", out], {
      env: loopbackEnv(service.url),
    });
    expect(run.code).toBe(2);
    const rows = JSON.parse(await readFile(out, "utf8")) as Array<{ key: string; result: string }>;
    expect(rows.map((r) => [r.key, r.result])).toEqual([
      ["k1", "established"],
      ["k2", "established"],
      ["k3", "established"],
    ]);
    expect(run.stderr).toMatch(/line 5\b/);
    expect(run.stderr).toContain("The 3 keys read before it (the input was read through line 4) have their results");
    expect(run.stderr).toContain(`run again with --resume ${out}`);
  });

  it("--format ndjson on stdin: whole lines only", async () => {
    const run = await runCli(["establish", "--file", "-", "--column", "Key", "--format", "ndjson"], {
      env: loopbackEnv(service.url),
      stdin: csv,
    });
    expect(run.code).toBe(2);
    expect(run.stdout.endsWith("\n")).toBe(true);
    expect(ndjsonRows(run.stdout).map((r) => r.key)).toEqual(["k1", "k2", "k3"]);
    expect(run.stderr).toMatch(/line 5\b/);
  });
});

describe("a 401 or 403 from establish stops the run at once: exit 2, no further batches", () => {
  const keys = Array.from({ length: 500 }, (_, i) => `k${i}`);
  const flags = ["--batch-size", "10", "--concurrency", "2", "--format", "ndjson"];

  it("403: the message names the permissions and the scope to grant", async () => {
    service.onEstablish = (_request, _body, response) => {
      response
        .writeHead(403, { "content-type": "application/json" })
        .end(JSON.stringify({ message: "Insufficient privileges", errorcode: 20002, documentation: "" }));
    };
    const before = requests();
    const run = await runCli(["establish", ...flags, ...keys], { env: loopbackEnv(service.url) });
    expect(run.code).toBe(2);
    // The first batch of each of the two workers at most: of 50 batches.
    expect(requests() - before).toBeLessThanOrEqual(2);
    expect(run.stderr).toContain("403 Forbidden (Insufficient privileges, errorcode 20002)");
    expect(run.stderr).toContain('"Administer Contact Data Model" and "Access"');
    expect(run.stderr).toContain("list_and_subscribers_write");
    // Every key read has its result: the ones refused, and the ones never sent.
    const rows = ndjsonRows(run.stdout);
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
    expect(rows.every((r) => r.result === "failed")).toBe(true);
  });

  it("401 even after a new token: the message names the credentials, the account id and the IP allowlist", async () => {
    service.onEstablish = (_request, _body, response) => {
      response
        .writeHead(401, { "content-type": "application/json" })
        .end(JSON.stringify({ message: "Not Authorized", errorcode: 0, documentation: "" }));
    };
    const before = requests();
    const tokensBefore = tokens();
    const run = await runCli(["establish", ...flags, ...keys], { env: loopbackEnv(service.url) });
    expect(run.code).toBe(2);
    // Each worker's first batch, once more after the renewal: at most 4 of 50 batches.
    expect(requests() - before).toBeLessThanOrEqual(4);
    expect(tokens() - tokensBefore).toBeLessThanOrEqual(3);
    expect(run.stderr).toContain("401 Not Authorized");
    expect(run.stderr).toContain("SFMC_ACCOUNT_ID");
    expect(run.stderr).toContain("IP allowlist");
  });
});

describe("Ctrl-C while stdin is open and idle", () => {
  it("ends the run with exit 130; the key already read is reported", async () => {
    const run = await runCli(["establish", "--file", "-", "--format", "ndjson"], {
      env: loopbackEnv(service.url),
      stdin: "k1\n",
      stdinOpen: true,
      // A hang guard: the run must end on SIGINT alone, with stdin still open.
      timeoutMs: 60_000,
      onStart: (child, output) => {
        // Once k1 is established (its row is out), nothing more will come: interrupt.
        const poll = setInterval(() => {
          if (output.stdout().includes('"k1"')) {
            clearInterval(poll);
            child.kill("SIGINT");
          }
        }, 20);
        child.on("close", () => clearInterval(poll));
      },
    });
    expect(run.code).toBe(130);
    expect(ndjsonRows(run.stdout)).toEqual([expect.objectContaining({ key: "k1", result: "established" })]);
    expect(run.stderr).toContain("Interrupted: 1 key was read and it is in the results above");
    expect(run.stderr).toContain("the input was read through line 1");
  });

  it("before any key has come: exit 130 and an honest count, not a usage error about an empty input", async () => {
    const out = join(dir, "interrupted-before-a-key.csv");
    const run = await runCli(["establish", "--file", "-", "--format", "csv", "--out", out], {
      env: loopbackEnv(service.url),
      stdinOpen: true,
      timeoutMs: 60_000,
      onStart: (child) => {
        // --out's header is written once the Ctrl-C handler is on: interrupt when it is there.
        const poll = setInterval(async () => {
          if ((await readFile(out, "utf8").catch(() => "")).startsWith("key,")) {
            clearInterval(poll);
            child.kill("SIGINT");
          }
        }, 20);
        child.on("close", () => clearInterval(poll));
      },
    });
    expect(run.stderr).not.toContain("has no keys");
    expect(run.code).toBe(130);
    expect(await readFile(out, "utf8")).toMatch(/^key,[^\n]*\n$/);
    expect(run.stderr).toContain("Interrupted: 0 keys were read");
  });
});
