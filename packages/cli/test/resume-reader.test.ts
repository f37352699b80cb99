/**
 * The reader behind `--resume`, on files the writer made: every format, keys that need quoting,
 * rows that cross the reader's 64 KiB chunks, and a last line cut anywhere. (The bin-level proof,
 * a kill -9 and a resumed run, is resume.test.ts.)
 */
import { mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FORMATS, type Format, type ResultRow, ResultWriter, type Sink } from "../src/output.js";
import { readResume } from "../src/resume.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sfmc-contacts-resume-reader-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What the CLI's own writer makes of these rows. */
async function written(format: Format, rows: ResultRow[]): Promise<string> {
  let text = "";
  const sink: Sink = {
    write: async (chunk) => {
      text += chunk;
    },
    close: async () => {},
  };
  const writer = new ResultWriter(sink, format, (error) => {
    throw error;
  });
  await writer.begin();
  for (const row of rows) await writer.write(row);
  await writer.end();
  return text;
}

const awkward = [
  "plain",
  "with space",
  'with "quotes", and a comma',
  "=1+1",
  "'apostrophe",
  "-dash",
  "unicodé ✓",
  "line\nbreak",
  '"starts with a quote',
  "tab\tinside",
];

/** Many rows, so the file crosses several chunks; every third one failed. */
function manyRows(): ResultRow[] {
  const rows: ResultRow[] = [];
  for (let i = 0; i < 6000; i++) {
    const key = `${awkward[i % awkward.length]}-${i}`;
    rows.push(
      i % 3 === 2
        ? { key, result: "failed", reason: `REQUEST_FAILED: "bad", line\n${i}` }
        : { key, result: "established", contactId: 1000 + i, isNew: i % 2 === 0, status: "Active" },
    );
  }
  return rows;
}

const doneOf = (rows: ResultRow[]) => new Set(rows.filter((r) => r.result === "established").map((r) => r.key));

describe("readResume", () => {
  it.each(FORMATS.map((f) => [f]))("%s: every done key, across chunks", async (format) => {
    const rows = manyRows();
    const file = join(dir, `many.${format}`);
    const text = await written(format, rows);
    expect(Buffer.byteLength(text)).toBeGreaterThan(3 * 64 * 1024);
    await writeFile(file, text);
    const state = await readResume(file);
    expect(state.format).toBe(format);
    expect(state.rows).toBe(rows.length);
    expect(state.done).toEqual(doneOf(rows));
    expect(state.continuation).toEqual({ rows: rows.length, openLine: format === "json" });
  });

  it.each(FORMATS.map((f) => [f]))("%s: a last line cut anywhere is left out, nothing else", async (format) => {
    const rows = manyRows().slice(0, 40);
    const text = await written(format, rows);
    const file = join(dir, `cut.${format}`);
    const full = Buffer.from(text);
    // Cut the file at every byte of its last two rows (and the JSON closing bracket).
    const before = (await written(format, rows.slice(0, -2))).replace(/\n\]\n$/, "");
    for (let length = Buffer.byteLength(before); length <= full.length; length++) {
      await writeFile(file, full);
      await truncate(file, length);
      const state = await readResume(file);
      const done = state.done;
      // Wherever the cut is, every row before the last two is read, and nothing is made up.
      for (const row of rows.slice(0, -2)) expect(done.has(row.key)).toBe(row.result === "established");
      for (const key of done) expect(doneOf(rows).has(key)).toBe(true);
      expect(state.keep).toBeLessThanOrEqual(length);
    }
  });

  it("keep: where an append starts, after the last complete row", async () => {
    const rows = manyRows().slice(0, 3);
    for (const format of FORMATS) {
      const text = await written(format, rows);
      const file = join(dir, `keep.${format}`);
      await writeFile(file, `${text}garbage`);
      const state = await readResume(file);
      const kept = Buffer.from(text).subarray(0, state.keep).toString();
      if (format === "json") expect(kept.endsWith(`${JSON.stringify(rows[2])}`)).toBe(true);
      else expect(text.startsWith(kept) && kept.endsWith("\n")).toBe(true);
      expect(state.continuation?.rows).toBe(3);
    }
  });

  it("an empty file, or one with a header only, records nothing", async () => {
    for (const [name, text] of [
      ["empty", ""],
      ["csv header", "key,result,contactId,isNew,status,reason\n"],
      ["json empty", "[]\n"],
      ["cut header", "key,res"],
    ]) {
      const file = join(dir, `${name}.txt`);
      await writeFile(file, text as string);
      const state = await readResume(file);
      expect(state.done.size).toBe(0);
      expect(state.continuation).toBeUndefined();
    }
  });
});
