import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Loopback, startLoopback } from "../../../tests/support/loopback.js";
import { examples, runCli } from "./run-cli.js";

let dir: string;
let service: Loopback;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sfmc-contacts-cli-"));
  service = await startLoopback();
});
afterAll(async () => {
  await service.close();
  await rm(dir, { recursive: true, force: true });
});

const csv = join(examples, "contacts.csv");
const loopbackEnv = () => ({
  SFMC_CLIENT_ID: "id",
  SFMC_CLIENT_SECRET: "cli-secret-never-printed",
  SFMC_REST_BASE_URL: service.url,
  SFMC_AUTH_BASE_URL: service.url,
});

describe("the README's main job: --mock with the sample CSV", () => {
  it("prints a table of every row's contact and a summary, exit 0", async () => {
    const run = await runCli(["establish", "--mock", "--file", csv, "--column", "ContactKey"]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^KEY\s+RESULT\s+CONTACT ID\s+NEW\s+STATUS\s+DETAIL$/);
    expect(lines).toHaveLength(13);
    expect(lines[1]).toMatch(/^CUST-0001842\s+established\s+\d+\s+true\s+Active$/);
    // The sample repeats its first key on the last row: the same contact, no longer new.
    expect(lines[12]).toMatch(/^CUST-0001842\s+established\s+\d+\s+false\s+Active$/);
    expect(lines[12]?.split(/\s+/)[2]).toBe(lines[1]?.split(/\s+/)[2]);
    expect(run.stderr).toContain("Established 12 contacts: 11 new, 1 existing. 0 failed.");
  });

  it("is repeatable with --seed", async () => {
    const one = await runCli(["establish", "--mock", "--seed", "7", "--format", "ndjson", "A", "B"]);
    const two = await runCli(["establish", "--mock", "--seed", "7", "--format", "ndjson", "A", "B"]);
    expect(one.stdout).toBe(two.stdout);
  });
});

describe("formats and files", () => {
  it("json, ndjson and csv carry the same rows", async () => {
    const json = await runCli(["establish", "--mock", "--format", "json", "a", "b"]);
    const ndjson = await runCli(["establish", "--mock", "--format", "ndjson", "a", "b"]);
    const table = await runCli(["establish", "--mock", "--format", "csv", "a", "b"]);
    const rows = JSON.parse(json.stdout) as Array<{ key: string; result: string; contactId: number; isNew: boolean }>;
    expect(rows.map((r) => [r.key, r.result, r.isNew])).toEqual([
      ["a", "established", true],
      ["b", "established", true],
    ]);
    expect(
      ndjson.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line)),
    ).toEqual(rows);
    expect(table.stdout.trim().split("\n")).toEqual([
      "key,result,contactId,isNew,status,reason",
      `a,established,${rows[0]?.contactId},true,Active,`,
      `b,established,${rows[1]?.contactId},true,Active,`,
    ]);
  });

  it("--out writes results to a file, --failed the failed keys one per line", async () => {
    const out = join(dir, "out.ndjson");
    const failed = join(dir, "failed.txt");
    const keys = join(dir, "keys.txt");
    await writeFile(keys, `good-1\n${"k".repeat(255)}\ngood-2\n\n`);
    const run = await runCli([
      "establish",
      "--mock",
      "--file",
      keys,
      "--format",
      "ndjson",
      "--out",
      out,
      "--failed",
      failed,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    const rows = (await readFile(out, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { key: string; result: string; reason?: string });
    expect(rows.map((r) => r.result).sort()).toEqual(["established", "established", "failed"]);
    expect(rows.find((r) => r.result === "failed")?.reason).toBe(
      "line 2: the key is 255 characters; a contact key is at most 254",
    );
    expect(await readFile(failed, "utf8")).toBe(`${"k".repeat(255)}\n`);
    expect(run.stderr).toContain("invalid key at line 2");
    expect(run.stderr).toContain(`Failed keys are in ${failed}.`);
  });

  it("reads stdin with --file -, text or CSV", async () => {
    const text = await runCli(["establish", "--mock", "--format", "ndjson", "--file", "-"], { stdin: "x1\r\nx2\r\n" });
    expect(
      text.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).key),
    ).toEqual(["x1", "x2"]);
    const fromCsv = await runCli(["establish", "--mock", "--format", "ndjson", "--file", "-", "--column", "2"], {
      stdin: "Email,Key\na@x,K1\nb@x,K2\n",
    });
    expect(
      fromCsv.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).key),
    ).toEqual(["K1", "K2"]);
  });

  it("--dedupe sends each key once", async () => {
    const run = await runCli(["establish", "--mock", "--dedupe", "--format", "ndjson", "a", "b", "a"]);
    expect(run.stdout.trim().split("\n")).toHaveLength(2);
  });

  it("--no-results: fire and forget", async () => {
    const run = await runCli(["establish", "--mock", "--no-results", "--format", "ndjson", "a", "b"]);
    expect(run.code).toBe(0);
    expect(
      run.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { key: "a", result: "acknowledged" },
      { key: "b", result: "acknowledged" },
    ]);
    expect(run.stderr).toContain("Sent 2 keys (fire and forget");
  });

  it("--dry-run checks and counts, sends nothing", async () => {
    const before = service.hits["/contacts/v1/establish"] ?? 0;
    const run = await runCli(["establish", "--dry-run", "--file", csv, "--column", "ContactKey", "--batch-size", "5"], {
      env: loopbackEnv(),
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      "Dry run: 12 valid keys would be sent in 3 requests of up to 5; 0 invalid. Nothing was sent.",
    );
    expect(service.hits["/contacts/v1/establish"] ?? 0).toBe(before);
  });
});

describe("against a loopback fake service, with credentials from the environment", () => {
  it("establishes through the service and never prints the secret", async () => {
    const run = await runCli(["establish", "--format", "ndjson", "--batch-size", "2", "k1", "k2", "k3"], {
      env: loopbackEnv(),
    });
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split("\n")).toHaveLength(3);
    expect(run.stdout + run.stderr).not.toContain("cli-secret-never-printed");
  });

  it("reads credentials from --dotenv, and from --env-file (its old name) when the file exists", async () => {
    const envFile = join(dir, "sfmc.env");
    await writeFile(
      envFile,
      Object.entries(loopbackEnv())
        .map(([k, v]) => `${k}=${v}`)
        .join("\n"),
    );
    for (const flag of ["--dotenv", "--env-file"]) {
      const run = await runCli(["establish", flag, envFile, "--quiet", "--format", "ndjson", "k1"]);
      expect(run.code, flag).toBe(0);
      expect(run.stderr, flag).toBe("");
    }
  });

  it("reports keys the service failed, exit 1", async () => {
    service.onEstablish = (_request, _body, response) => {
      response
        .writeHead(400, { "content-type": "application/json" })
        .end(JSON.stringify({ message: "bad", errorcode: 10005, documentation: "" }));
    };
    try {
      const run = await runCli(["establish", "--format", "ndjson", "k1"], { env: loopbackEnv() });
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout)).toMatchObject({
        key: "k1",
        result: "failed",
        reason: expect.stringContaining("REQUEST_FAILED"),
      });
    } finally {
      const { answerEstablish } = await import("../../../tests/support/loopback.js");
      service.onEstablish = answerEstablish;
    }
  });

  it("stops at refused credentials: one message, exit 2, one token request", async () => {
    const original = service.onToken;
    const before = service.hits["/v2/token"] ?? 0;
    service.onToken = (_request, _body, response) => {
      response.writeHead(401, { "content-type": "application/json" }).end(
        JSON.stringify({
          error: "invalid_client",
          error_description: "Client authentication failed.",
          error_uri: "",
        }),
      );
    };
    try {
      const keys = Array.from({ length: 500 }, (_, i) => `k${i}`);
      const run = await runCli(["establish", "--concurrency", "1", "--format", "ndjson", ...keys], {
        env: loopbackEnv(),
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("The token route refused the credentials (401 invalid_client");
      expect((service.hits["/v2/token"] ?? 0) - before).toBeLessThanOrEqual(2);
    } finally {
      service.onToken = original;
    }
  });
});

describe("bad input gets an error a person can act on", () => {
  it.each([
    [["establish", "--mock", "--file", "/no/such/file.txt"], "Cannot read --file /no/such/file.txt: no such file"],
    [
      ["establish", "--mock", "--file", csv, "--column", "Nope"],
      'has no column "Nope". Columns: 1: "ContactKey", 2: "Email"',
    ],
    [["establish", "--mock", "--file", csv], "has 6 columns; choose one with --column"],
    [["establish", "--mock"], "No keys: give them as arguments, or with --file"],
    [["establish", "--mock", "--batch-size", "0", "a"], "--batch-size must be a whole number >= 1."],
    [["establish", "--mock", "--format", "xml", "a"], "Allowed choices are table, json, ndjson, csv"],
    [["establish", "--mock", "--client-secret", "s", "a"], "unknown option '--client-secret'"],
    [["establish", "--seed", "3", "a"], "--seed only applies with --mock"],
    [["establish", "a"], "Missing environment variables: SFMC_SUBDOMAIN, SFMC_CLIENT_ID, SFMC_CLIENT_SECRET."],
    [["establish", "--dotenv", "/no/such.env", "a"], "Cannot read --dotenv /no/such.env: no such file"],
    [["frobnicate"], "unknown command 'frobnicate'"],
  ])("%j: exit 2", async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe("");
  });

  it("an empty input file: exit 2", async () => {
    const empty = join(dir, "empty.txt");
    await writeFile(empty, "\n\n");
    const run = await runCli(["establish", "--mock", "--file", empty]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("The input has no keys");
  });

  it("a key over 254 characters names its line; the others still go, exit 1", async () => {
    const file = join(dir, "long.csv");
    await writeFile(file, `Key,Other\nok-1,x\n${"k".repeat(300)},y\nok-2,z\n`);
    const run = await runCli(["establish", "--mock", "--file", file, "--column", "Key", "--format", "ndjson"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("invalid key at line 3: the key is 300 characters; a contact key is at most 254");
    expect(run.stderr).toContain("Established 2 contacts");
  });

  it("--help shows examples and the exit codes; --version the version", async () => {
    const help = await runCli(["establish", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Examples:");
    expect(help.stdout).toContain("--file <path>");
    expect(help.stdout).toContain("Exit codes:\n  0    every key established, every result written\n  1    ");
    expect(help.stdout).toContain("\n  2    something to fix stopped or prevented the run");
    expect(help.stdout).toContain("\n  130  interrupted");
    const version = await runCli(["--version"]);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
