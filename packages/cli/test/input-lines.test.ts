/**
 * Issue 11, points 6 to 8, through the built bin: line ends of every kind, keys with control
 * characters, CSV line numbers after line breaks inside quoted fields, and a 40 MB single line.
 */
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { constants, createWriteStream } from "node:fs";
import { mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { established, runCli } from "./run-cli.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sfmc-contacts-lines-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

const mock = (...args: string[]) => runCli(["establish", "--mock", "--format", "ndjson", ...args]);

describe("line ends", () => {
  it("CR-only, CRLF, LF and a mix of them each split lines", async () => {
    const cr = await mock("--file", await file("cr.txt", "k1\rk2\rk3"));
    expect(cr.code).toBe(0);
    expect(established(cr)).toEqual(["k1", "k2", "k3"]);
    const mixed = await mock("--file", await file("mixed.txt", "a\r\nb\nc\rd\r\n\r\ne"));
    expect(mixed.code).toBe(0);
    expect(established(mixed)).toEqual(["a", "b", "c", "d", "e"]);
    const piped = await runCli(["establish", "--mock", "--format", "ndjson", "--file", "-"], { stdin: "s1\rs2\r" });
    expect(established(piped)).toEqual(["s1", "s2"]);
  });

  it("line numbers count CR-only lines", async () => {
    const run = await runCli([
      "establish",
      "--dry-run",
      "--file",
      await file("cr-long.txt", `a\r\r${"k".repeat(255)}\rb\r`),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("invalid key at line 3: the key is 255 characters");
  });

  it("a key with a control character is an invalid key, reported with its line (exit 1)", async () => {
    const path = await file("controls.txt", "ok-1\nA\u0000B\nx\ty\nbell\u0007\nok-2\n");
    const run = await mock("--file", path);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("invalid key at line 2: the key has a NUL character (U+0000)");
    expect(run.stderr).toContain("invalid key at line 3: the key has a tab (U+0009)");
    expect(run.stderr).toContain("invalid key at line 4: the key has the control character U+0007");
    expect(established(run)).toEqual(["ok-1", "ok-2"]);
  });
});

describe("a pipe as --file", () => {
  it("is read once, as it comes (a FIFO, as `--file <(zcat keys.gz)` gives)", async () => {
    const fifo = join(dir, "keys.fifo");
    execFileSync("mkfifo", [fifo]);
    const running = mock("--file", fifo);
    // Opening a FIFO for writing waits for its reader: the CLI's one open of it.
    const written = writeFile(fifo, "p1\rp2\r\np3\n").catch((error: Error) => error);
    const run = await running;
    // Had the CLI never opened it, the writer would wait for a reader forever: be one, then judge.
    await (await open(fifo, constants.O_RDONLY | constants.O_NONBLOCK)).close();
    expect(await written).toBeUndefined();
    expect(run.code).toBe(0);
    expect(established(run)).toEqual(["p1", "p2", "p3"]);
  });
});

describe("CSV line numbers are where the record starts", () => {
  // Line 1 header; lines 2-3 one record (a CRLF inside quotes); line 4; line 5 an empty key.
  const csv = 'Key,Note\r\na,"two\r\nlines"\r\nb,plain\r\n,empty key\r\nc,last\r\n';

  it("an empty key after a CRLF inside a quoted field is on line 5", async () => {
    const run = await runCli(["establish", "--dry-run", "--file", await file("quoted.csv", csv), "--column", "Key"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("invalid key at line 5: the key is empty");
    expect(run.stderr).not.toContain("line 6");
  });

  it("an unclosed quote names the line its record starts on (exit 2)", async () => {
    const path = await file("unclosed.csv", 'Key,Note\r\na,"x\r\ny"\r\nb,"never closed\r\nc,d\r\n');
    const run = await runCli(["establish", "--dry-run", "--file", path, "--column", "Key"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("the record that starts on line 4 opens a quote that is never closed");
  });
});

describe("a 40 MB single line", () => {
  /** 40 MB of one line, written in 1 MB pieces (no 40 MB string in the test either). */
  async function hugeLine(name: string, head: string): Promise<string> {
    const path = join(dir, name);
    const out = createWriteStream(path);
    out.write(head);
    const piece = "x".repeat(1024 * 1024);
    for (let i = 0; i < 40; i++) if (!out.write(piece)) await once(out, "drain");
    out.end("\n");
    await finished(out);
    return path;
  }

  it("as text: refused at once, exit 2, the line named, nothing sent", async () => {
    const path = await hugeLine("huge.txt", "first\n");
    // The hang guard is not a speed limit: today's reading is quadratic (about 19 s on this machine).
    const run = await mock("--file", path);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("huge.txt line 2 is longer than 64 KiB");
    expect(run.stderr).toContain("a contact key is at most 254 characters");
    expect(established(run)).toEqual([]);
    await rm(path);
  });

  it("as CSV: refused at once, exit 2, the line named", async () => {
    const path = await hugeLine("huge.csv", "Key\r\nfirst\r\n");
    const run = await runCli(["establish", "--dry-run", "--file", path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("huge.csv line 3 is longer than 1 MiB");
    await rm(path);
  });
});
