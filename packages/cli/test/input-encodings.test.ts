/**
 * Issue 11, point 5: the built bin decodes its input strictly. Files in another encoding than the
 * one named stop with the line to look at (exit 2) instead of sending keys made of U+FFFD or NULs.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { established, runCli } from "./run-cli.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sfmc-contacts-encodings-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

const mock = (...args: string[]) => runCli(["establish", "--mock", "--format", "ndjson", ...args]);

const utf16 = (text: string, order: "le" | "be") => {
  const le = Buffer.from(`\uFEFF${text}`, "utf16le");
  return order === "le" ? le : Buffer.from(le).swap16();
};

/** 1 KB from a fixed-seed generator: the same "random" file on every run. */
function noise(seed: number): Buffer {
  const bytes = Buffer.alloc(1024);
  let x = seed;
  for (let i = 0; i < bytes.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

describe("UTF-8 is decoded strictly", () => {
  const latin1 = Buffer.concat([Buffer.from("ok\r\n"), Buffer.from([0x4a, 0x6f, 0x73, 0xe9]), Buffer.from("\r\n")]);

  it("a latin1 file without --encoding: exit 2, names the line, suggests --encoding; nothing sent", async () => {
    const run = await mock("--file", await file("latin1.txt", latin1));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("latin1.txt line 2 is not valid UTF-8");
    expect(run.stderr).toContain("--encoding latin1");
    expect(run.stderr).toContain("--encoding windows-1252");
    expect(established(run)).toEqual([]);
  });

  it("the same bytes on stdin: exit 2, the line named", async () => {
    const piped = await runCli(["establish", "--mock", "--format", "ndjson", "--file", "-"], {
      stdin: latin1,
    });
    expect(piped.code).toBe(2);
    expect(piped.stderr).toContain("stdin line 2 is not valid UTF-8");
    expect(established(piped)).not.toContain("Jos\uFFFD");
  });

  it("with --encoding latin1 the key is José; windows-1252 gives the euro sign and curly quotes", async () => {
    const run = await mock("--encoding", "latin1", "--file", await file("latin1-named.txt", latin1));
    expect(run.code).toBe(0);
    expect(established(run)).toEqual(["ok", "José"]);
    const cp1252 = await file("cp1252.txt", Buffer.from([0x80, 0x31, 0x30, 0x0a, 0x92, 0x71, 0x92, 0x0a]));
    const euro = await mock("--encoding", "windows-1252", "--file", cp1252);
    expect(euro.code).toBe(0);
    expect(established(euro)).toEqual(["€10", "\u2019q\u2019"]);
  });

  it("1 KB of random bytes: exit 2, nothing sent (file and stdin)", async () => {
    const bytes = noise(11);
    const run = await mock("--file", await file("noise.bin", bytes));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/noise\.bin line \d+ is not valid UTF-8/);
    expect(established(run)).toEqual([]);
    const piped = await runCli(["establish", "--mock", "--format", "ndjson", "--file", "-"], { stdin: bytes });
    expect(piped.code).toBe(2);
    expect(piped.stderr).toMatch(/stdin line \d+ is not valid UTF-8/);
  });

  it("a CSV file is decoded before it is parsed", async () => {
    const csv = Buffer.concat([
      Buffer.from("Id,Key\n1,ok\n2,"),
      Buffer.from([0x4a, 0x6f, 0x73, 0xe9]),
      Buffer.from("\n"),
    ]);
    const path = await file("latin1.csv", csv);
    const refused = await mock("--file", path, "--column", "Key");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("latin1.csv line 3 is not valid UTF-8");
    const named = await mock("--file", path, "--column", "Key", "--encoding", "latin1");
    expect(named.code).toBe(0);
    expect(established(named)).toEqual(["ok", "José"]);
  });

  it("--encoding takes only the encodings it knows", async () => {
    const run = await runCli(["establish", "--mock", "--encoding", "ebcdic", "a"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Allowed choices are utf-8, utf-16le, utf-16be, latin1, windows-1252");
    const help = await runCli(["establish", "--help"]);
    expect(help.stdout).toMatch(/--encoding <name>[\s\S]*default: "utf-8"/);
  });
});

describe("UTF-16 with a byte-order mark (Excel's Unicode Text) is decoded as UTF-16", () => {
  const text = "José\r\nZoë\r\nCUST-😀-1\r\n";

  it("little-endian and big-endian files, whatever --encoding says", async () => {
    for (const order of ["le", "be"] as const) {
      const path = await file(`unicode-${order}.txt`, utf16(text, order));
      const run = await mock("--file", path);
      expect([order, run.code, established(run)]).toEqual([order, 0, ["José", "Zoë", "CUST-😀-1"]]);
      const named = await mock("--file", path, "--encoding", "latin1");
      expect(established(named)).toEqual(["José", "Zoë", "CUST-😀-1"]);
    }
  });

  it("on stdin, and as CSV", async () => {
    const piped = await runCli(["establish", "--mock", "--format", "ndjson", "--file", "-"], {
      stdin: utf16(text, "le"),
    });
    expect(established(piped)).toEqual(["José", "Zoë", "CUST-😀-1"]);
    const csv = await mock("--file", await file("unicode.csv", utf16('Id,Key\r\n1,"José"\r\n2,Zoë\r\n', "be")));
    expect(csv.code).toBe(2); // two columns: --column needed (the header was read right)
    expect(csv.stderr).toContain('Columns: 1: "Id", 2: "Key"');
    const chosen = await mock("--file", join(dir, "unicode.csv"), "--column", "Key");
    expect(established(chosen)).toEqual(["José", "Zoë"]);
  });
});

describe("decoding streams: characters and line ends split across the file's 64 KiB reads", () => {
  const READ = 64 * 1024;

  /** ASCII keys whose CRLF lines take exactly `units` characters. */
  function fill(units: number): string[] {
    const keys: string[] = [];
    let left = units;
    for (let i = 0; left > 0; i++) {
      // Lines of 152 until the last, which takes the rest (50 to 202): every key is 10 to 200 long.
      const length = left - 2 <= 200 ? left - 2 : 150;
      keys.push(`f${i}-`.padEnd(length, "q"));
      left -= length + 2;
    }
    return keys;
  }

  it("UTF-8: an é split, then a CRLF split; UTF-16LE: a surrogate pair split", async () => {
    // "T" at READ - 2, so the two bytes of é are READ - 1 and READ.
    const first = [...fill(READ - 2), "Té"];
    // Then lines up to a CR at 2 * READ - 1: its LF is the first byte of the third read.
    const start = READ + 3;
    const second = fill(2 * READ + 1 - start);
    const utf8 = Buffer.from(`${[...first, ...second, "last"].join("\r\n")}\r\n`);
    expect(utf8.subarray(READ - 1, READ + 1).toString()).toBe("é");
    expect(utf8.subarray(2 * READ - 1, 2 * READ + 1).toString()).toBe("\r\n");
    // One request at a time: results in input order.
    const run = await mock("--concurrency", "1", "--file", await file("split.txt", utf8));
    expect(run.code).toBe(0);
    expect(established(run)).toEqual([...first, ...second, "last"]);

    // After the 2-byte mark, "T" at byte READ - 4: the emoji's surrogates are READ - 2 and READ.
    const keys = [...fill((READ - 4 - 2) / 2), "T😀"];
    const utf16File = utf16(`${keys.join("\r\n")}\r\n`, "le");
    expect(utf16File.subarray(READ - 2, READ + 2).toString("utf16le")).toBe("😀");
    const wide = await mock("--concurrency", "1", "--file", await file("split16.txt", utf16File));
    expect(wide.code).toBe(0);
    expect(established(wide)).toEqual(keys);
  });
});
