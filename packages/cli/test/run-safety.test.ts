/**
 * Issue 11, points 11 and 12: output is safe where it is opened. Text from the service reaches a
 * terminal without its control characters and escape sequences, and a CSV cell a spreadsheet
 * would run as a formula is escaped as OWASP advises. The built bin runs as a child process; the
 * terminal is a pseudo-terminal from `script`, as a person's would be.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "csv-parse/sync";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { answerEstablish, type Loopback, startLoopback } from "../../../tests/support/loopback.js";
import { bin, loopbackEnv, runCli } from "./run-cli.js";

let dir: string;
let service: Loopback;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sfmc-contacts-run-safety-"));
  service = await startLoopback();
});
afterEach(() => {
  service.onEstablish = answerEstablish;
});
afterAll(async () => {
  await service.close();
  await rm(dir, { recursive: true, force: true });
});

/** A message that sets the terminal's title and clears its screen, if printed as is. */
const HOSTILE = "bad \u001b]0;pwned\u0007 key \u001b[2J\u009b31m end";

/** Runs the bin in a pseudo-terminal: stdout and stderr are a TTY, and both come back merged. */
async function inTerminal(args: string[]): Promise<string> {
  const command = [bin, ...args].join(" ");
  const { stdout } = await promisify(execFile)("script", ["-q", "-e", "-c", command, "/dev/null"], {
    env: { ...process.env, ...loopbackEnv(service.url), TERM: "xterm" },
    timeout: 120_000, // a hang guard
  }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
  return stdout;
}

describe("service text on a terminal has no control characters or escape sequences", () => {
  it("a 400's message in the table on a TTY", async () => {
    service.onEstablish = (_request, _body, response) => {
      response
        .writeHead(400, { "content-type": "application/json" })
        .end(JSON.stringify({ message: HOSTILE, errorcode: 10005, documentation: "" }));
    };
    const screen = await inTerminal(["establish", "k1"]);
    expect(screen).toContain("REQUEST_FAILED: Marketing Cloud answered 400: bad");
    expect(screen).toContain("end (errorcode 10005)");
    expect(screen).not.toContain("\u001b]0;");
    expect(screen).not.toContain("pwned");
    expect(screen).not.toContain("\u0007");
    expect(screen).not.toContain("\u001b[2J");
    expect(screen).not.toContain("\u009b");
  });

  it("a 403's message on stderr, on a TTY", async () => {
    service.onEstablish = (_request, _body, response) => {
      response
        .writeHead(403, { "content-type": "application/json" })
        .end(JSON.stringify({ message: HOSTILE, errorcode: 20002, documentation: "" }));
    };
    const screen = await inTerminal(["establish", "--format", "ndjson", "--out", join(dir, "403.ndjson"), "k1"]);
    expect(screen).toContain("403 Forbidden (bad");
    expect(screen).not.toContain("pwned");
    expect(screen).not.toContain("\u0007");
    expect(screen).not.toContain("\u001b[2J");
  });
});

describe("CSV output is safe to open in a spreadsheet (OWASP: a leading ' in a quoted cell)", () => {
  it("=, +, -, @ and tab at the start of a key", async () => {
    const keys = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(1)", "\tk", "'quoted", "plain"];
    const file = join(dir, "formulas.txt");
    await writeFile(file, `${keys.join("\n")}\n`);
    const out = join(dir, "formulas.csv");
    const run = await runCli(["establish", "--mock", "--file", file, "--format", "csv", "--out", out]);
    // The key starting with a tab is invalid (a control character); the others are established.
    expect(run.code).toBe(1);
    const text = await readFile(out, "utf8");
    const lines = text.trim().split("\n");
    expect(lines[0]).toBe("key,result,contactId,isNew,status,reason");
    const keyCells = lines.slice(1).map((line) => /^("(?:[^"]|"")*"|[^,]*)/.exec(line)?.[1]);
    expect(keyCells.sort()).toEqual(
      [
        '"\'=HYPERLINK(""http://x"",""y"")"',
        '"\'+1"',
        '"\'-1"',
        '"\'@SUM(1)"',
        '"\'\tk"',
        "\"''quoted\"",
        "plain",
      ].sort(),
    );
    // No cell starts with a character a spreadsheet runs, and each key comes back without its `'`.
    const records = parse(text, { columns: true, relax_quotes: false }) as Array<Record<string, string>>;
    for (const record of records) {
      for (const cell of Object.values(record)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }
    expect(records.map((r) => (r.key?.startsWith("'") ? r.key.slice(1) : r.key)).sort()).toEqual([...keys].sort());
  });
});
