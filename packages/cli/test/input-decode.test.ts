/**
 * openInput at the unit level: every chunk boundary (inputs fed a byte at a time), the keys' own
 * problems, line numbers and totals. The bin-level behaviour is in input-encodings and input-lines.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliUsageError } from "../src/cli-error.js";
import { type Encoding, type InputKey, openInput } from "../src/input.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sfmc-contacts-input-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A stdin that gives its bytes one at a time: every boundary falls everywhere once. */
const byteByByte = (bytes: Uint8Array) => Readable.from(Array.from(bytes, (b) => Buffer.of(b)));

async function readAll(keys: AsyncIterable<InputKey>): Promise<InputKey[]> {
  const all: InputKey[] = [];
  for await (const key of keys) all.push(key);
  return all;
}

/** Keys and where, and the error that ended the input, if any. */
async function readStdin(bytes: Uint8Array, options: { column?: string; encoding?: Encoding | undefined } = {}) {
  const { keys } = await openInput({
    args: [],
    file: "-",
    column: options.column,
    encoding: options.encoding,
    stdin: byteByByte(bytes),
  });
  const read: InputKey[] = [];
  try {
    for await (const key of keys) read.push(key);
    return { read, error: undefined };
  } catch (error) {
    return { read, error: error as Error };
  }
}

const utf16 = (text: string, order: "le" | "be") => {
  const le = Buffer.from(`\uFEFF${text}`, "utf16le");
  return order === "le" ? le : Buffer.from(le).swap16();
};

const keysOf = (read: InputKey[]) => read.map((k) => k.key);

describe("decoding, a byte at a time", () => {
  const text = "José\r\nZoë 😀\rEnd€\n";

  it("UTF-8 (with and without a BOM): characters split across chunks, CRLF and CR", async () => {
    for (const bytes of [Buffer.from(text), Buffer.from(`\uFEFF${text}`)]) {
      const { read, error } = await readStdin(bytes);
      expect(error).toBeUndefined();
      expect(read).toEqual([
        { key: "José", where: "line 1" },
        { key: "Zoë 😀", where: "line 2" },
        { key: "End€", where: "line 3" },
      ]);
    }
  });

  it("UTF-16LE and UTF-16BE with a BOM, whatever --encoding says", async () => {
    for (const order of ["le", "be"] as const) {
      for (const encoding of [undefined, "latin1", "utf-16be"] as const) {
        const { read, error } = await readStdin(utf16(text, order), { encoding });
        expect(error).toBeUndefined();
        expect(keysOf(read)).toEqual(["José", "Zoë 😀", "End€"]);
      }
    }
  });

  it("UTF-16 without a BOM, named with --encoding", async () => {
    const le = Buffer.from("José\r\nZoë\n", "utf16le");
    expect(keysOf((await readStdin(le, { encoding: "utf-16le" })).read)).toEqual(["José", "Zoë"]);
    expect(keysOf((await readStdin(Buffer.from(le).swap16(), { encoding: "utf-16be" })).read)).toEqual(["José", "Zoë"]);
  });

  it("latin1 and windows-1252 are the Encoding Standard's windows-1252 (0x80 is €, not a C1 control)", async () => {
    const bytes = Buffer.from([0x4a, 0x6f, 0x73, 0xe9, 0x0a, 0x80, 0x92, 0x9f, 0x81, 0x0a]);
    for (const encoding of ["latin1", "windows-1252"] as const) {
      const { read, error } = await readStdin(bytes, { encoding });
      expect(error).toBeUndefined();
      expect(keysOf(read)).toEqual(["José", "\u20AC\u2019\u0178\u0081"]);
    }
  });

  it("invalid UTF-8 names its line; the keys before it are still read", async () => {
    const bytes = Buffer.concat([
      Buffer.from("k1\r\nk2\rk3\n"),
      Buffer.from([0x4a, 0x6f, 0x73, 0xe9]),
      Buffer.from("\nk5\n"),
    ]);
    const { read, error } = await readStdin(bytes);
    expect(keysOf(read)).toEqual(["k1", "k2", "k3"]);
    expect(error).toBeInstanceOf(CliUsageError);
    expect(error?.message).toContain("stdin line 4 is not valid UTF-8");
    expect(error?.message).toContain("--encoding latin1");
    expect(error?.message).toContain("--encoding windows-1252");
  });

  it("a UTF-16 file with half a code unit at the end, or a lone surrogate, names its line", async () => {
    const odd = Buffer.concat([utf16("a\nb\n", "le"), Buffer.of(0x41)]);
    const oddRun = await readStdin(odd);
    expect(keysOf(oddRun.read)).toEqual(["a", "b"]);
    expect(oddRun.error?.message).toContain("stdin line 3 is not valid UTF-16LE");
    const lone = Buffer.concat([utf16("a\n", "be"), Buffer.of(0xd8, 0x3d, 0x00, 0x0a)]);
    const loneRun = await readStdin(lone);
    expect(keysOf(loneRun.read)).toEqual(["a"]);
    expect(loneRun.error?.message).toContain("stdin line 2 is not valid UTF-16BE");
    expect(loneRun.error?.message).toContain("byte-order mark");
  });

  it("CSV is parsed from decoded text (UTF-16 here), a byte at a time", async () => {
    const csv = 'Id,Key\r\n1,"Jos\u00e9"\r\n2,Zoë\r\n';
    const { read, error } = await readStdin(utf16(csv, "le"), { column: "Key" });
    expect(error).toBeUndefined();
    expect(read).toEqual([
      { key: "José", where: "line 2" },
      { key: "Zoë", where: "line 3" },
    ]);
  });
});

describe("keys with control characters carry their problem", () => {
  it("text: NUL, TAB, other C0 and DEL; clean keys have no problem", async () => {
    const { read } = await readStdin(Buffer.from("ok\nA\u0000B\nx\ty\nbell\u0007\ndel\u007f\n"));
    expect(read[0]).toEqual({ key: "ok", where: "line 1" });
    expect(read.slice(1).map((k) => [k.where, k.problem])).toEqual([
      ["line 2", expect.stringContaining("NUL character (U+0000)")],
      ["line 3", expect.stringContaining("tab (U+0009)")],
      ["line 4", expect.stringContaining("U+0007")],
      ["line 5", expect.stringContaining("U+007F")],
    ]);
    expect(read[1]?.problem).toContain("--encoding utf-16le");
  });

  it("CSV: a line break inside a quoted field", async () => {
    const { read } = await readStdin(Buffer.from('Key\n"a\r\nb"\nc\n'), { column: "Key" });
    expect(read).toEqual([
      { key: "a\r\nb", where: "line 2", problem: expect.stringContaining("line break (U+000D)") },
      { key: "c", where: "line 4" },
    ]);
  });

  it("arguments too", async () => {
    const { keys } = await openInput({ args: ["ok", "a\tb"], stdin: Readable.from([]) });
    const read = await readAll(keys);
    expect(read[0]).toEqual({ key: "ok", where: "argument 1" });
    expect(read[1]?.problem).toContain("tab (U+0009)");
  });
});

describe("CSV line numbers are where each record starts", () => {
  it("after CRLFs inside quoted fields and empty lines", async () => {
    const csv = 'Key,Note\r\n\r\na,"x\r\ny\r\nz"\r\n,empty\r\n"q\nr",s\r\n\r\nlast,t';
    const { read } = await readStdin(Buffer.from(csv), { column: "Key" });
    expect(read.map((k) => [k.key, k.where])).toEqual([
      ["a", "line 3"],
      ["", "line 6"],
      ["q\nr", "line 7"],
      ["last", "line 10"],
    ]);
  });

  it("an unclosed quote names the line its record starts on", async () => {
    const { read, error } = await readStdin(Buffer.from('Key\r\na\r\n"b\r\nc\r\nd\r\n'), { column: "Key" });
    expect(keysOf(read)).toEqual(["a"]);
    expect(error).toBeInstanceOf(CliUsageError);
    expect(error?.message).toContain("the record that starts on line 3 opens a quote that is never closed");
  });
});

describe("files", () => {
  it("the total counts lines the way they are read: CR-only, CRLF, UTF-16", async () => {
    const cases: Array<[string, Uint8Array, number]> = [
      ["cr.txt", Buffer.from("k1\rk2\rk3"), 3],
      ["crlf.txt", Buffer.from("k1\r\nk2\r\nk3\r\n"), 3],
      ["mixed.txt", Buffer.from("a\r\nb\nc\rd"), 4],
      ["utf16.txt", utf16("k1\r\nk2\r\n", "le"), 2],
      ["keys.csv", Buffer.from("Key\rk1\rk2\r"), 2],
    ];
    for (const [name, bytes, total] of cases) {
      const file = join(dir, name);
      await writeFile(file, bytes);
      const input = await openInput({ args: [], file, stdin: Readable.from([]) });
      expect([name, input.total]).toEqual([name, total]);
      expect((await readAll(input.keys)).length).toBe(total);
    }
  });

  it("bad bytes anywhere in a file stop it before any key is read", async () => {
    const file = join(dir, "late-bad.txt");
    await writeFile(file, Buffer.concat([Buffer.from("k\n".repeat(100_000)), Buffer.from([0xe9, 0x0a])]));
    await expect(openInput({ args: [], file, stdin: Readable.from([]) })).rejects.toThrow(
      `${file} line 100001 is not valid UTF-8`,
    );
  });

  it("a line longer than the bound is refused, in text and in CSV", async () => {
    const text = join(dir, "long.txt");
    await writeFile(text, `ok\n${"x".repeat(70 * 1024)}\n`);
    await expect(openInput({ args: [], file: text, stdin: Readable.from([]) })).rejects.toThrow(
      `${text} line 2 is longer than 64 KiB`,
    );
    const csv = join(dir, "long.csv");
    await writeFile(csv, `Key\r\nok\r\n${"x".repeat(1100 * 1024)}\r\n`);
    await expect(openInput({ args: [], file: csv, stdin: Readable.from([]) })).rejects.toThrow(
      `${csv} line 3 is longer than 1 MiB`,
    );
  });
});
