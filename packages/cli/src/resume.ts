/**
 * `--resume <file>`: reads the results of an earlier run (any --format it wrote, told apart by its
 * first line) and keeps the keys it records as done, so this run skips them. A run killed
 * mid-write leaves at most one partial last line: it is tolerated. Only the set of done keys is
 * kept; the file is streamed.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { CliUsageError } from "./cli-error.js";
import { COLUMNS, type Continuation, CSV_HEADER, DONE_RESULTS, type Format } from "./output.js";

/** What an earlier run's results say. */
export interface ResumeState {
  /** The format of the file (`undefined` when it holds nothing yet). */
  format: Format | undefined;
  /** Keys recorded `established` or `acknowledged`. */
  done: Set<string>;
  /** Complete rows read (any result). */
  rows: number;
  /** Where the last complete row ends: an append keeps the bytes before it and drops the rest. */
  keep: number;
  /** For an append to this file: what is already there (undefined: start the file afresh). */
  continuation: Continuation | undefined;
}

/** A row longer than this is never a done row (a key is at most 254 characters): it is skipped unread. */
const MAX_ROW_BYTES = 64 * 1024;

const NL = 0x0a;
const QUOTE = 0x22;

const RESULTS = new Set(["established", "acknowledged", "failed", "valid"]);

/** The format a first line announces, or undefined. */
function sniff(line: string): Format | undefined {
  const first = line.replace(/^\uFEFF/, "").trim();
  if (first === "[" || first === "[]") return "json";
  if (first.startsWith("{")) return "ndjson";
  if (first === CSV_HEADER) return "csv";
  const [key, result] = COLUMNS.map(([, title]) => title);
  if (new RegExp(`^${key}\\s+${result}(\\s|$)`).test(first)) return "table";
  return undefined;
}

/** The cells of one CSV record (RFC 4180, as `csvField` writes them), or undefined if it is cut short. */
function csvCells(record: string): string[] | undefined {
  // The usual row has no quotes at all.
  if (!record.includes('"')) return record.split(",");
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < record.length; i++) {
    const c = record[i];
    if (quoted) {
      if (c === '"') {
        if (record[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      cells.push(cell);
      cell = "";
    } else cell += c;
  }
  if (quoted) return undefined;
  cells.push(cell);
  return cells;
}

/** A row's key and result, or undefined when the line is not a row (cut short, or not ours). */
type Row = { key: string; result: string };

function jsonRow(line: string): Row | undefined {
  try {
    const value = JSON.parse(line) as { key?: unknown; result?: unknown } | null;
    if (typeof value?.key === "string" && typeof value.result === "string" && RESULTS.has(value.result)) {
      return { key: value.key, result: value.result };
    }
  } catch {
    // Not JSON: cut short, or not a row.
  }
  return undefined;
}

function parseRow(format: Format, record: string): Row | undefined {
  switch (format) {
    case "json":
      return jsonRow(record.trim().replace(/,$/, ""));
    case "ndjson":
      return jsonRow(record);
    case "csv": {
      const cells = csvCells(record.replace(/\r$/, ""));
      const [key, result] = cells ?? [];
      if (key === undefined || result === undefined || !RESULTS.has(result)) return undefined;
      // csvField put a `'` before any cell starting with = + - @ tab CR or `'`: take it off.
      return { key: key.startsWith("'") ? key.slice(1) : key, result };
    }
    case "table": {
      // The key is one word, or a JSON string (see tableKey); then spaces and the result.
      let key: string;
      let rest: string;
      if (record.startsWith('"')) {
        const end = /^"(?:[^"\\]|\\.)*"/.exec(record)?.[0];
        if (end === undefined) return undefined;
        try {
          key = JSON.parse(end) as string;
        } catch {
          return undefined;
        }
        rest = record.slice(end.length);
      } else {
        const word = /^\S+/.exec(record)?.[0];
        if (word === undefined) return undefined;
        key = word;
        rest = record.slice(word.length);
      }
      const result = /^\s+(\S+)/.exec(rest)?.[1];
      return result !== undefined && RESULTS.has(result) ? { key, result } : undefined;
    }
  }
}

/** Lines that are part of the document but not rows. */
function isFrame(format: Format, record: string): boolean {
  const trimmed = record.trim();
  return trimmed === "" || (format === "json" && (trimmed === "[" || trimmed === "]" || trimmed === "[]"));
}

/**
 * Reads an earlier run's results. Throws a {@link CliUsageError} for a file that cannot be read or
 * is not a results file; a partial last line (the run was killed mid-write) is left out. With
 * `missingIsEmpty` (the file is also --out), a file that does not exist yet records nothing.
 */
export async function readResume(path: string, options: { missingIsEmpty?: boolean } = {}): Promise<ResumeState> {
  const state: ResumeState = { format: undefined, done: new Set(), rows: 0, keep: 0, continuation: undefined };
  try {
    if ((await stat(path)).isDirectory()) throw Object.assign(new Error("it is a directory"), { code: "EISDIR" });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    // `--resume x --out x` before x exists: the first run of a command line that is run again as is.
    if (code === "ENOENT" && options.missingIsEmpty) return state;
    throw new CliUsageError(`Cannot read --resume ${path}: ${code === "ENOENT" ? "no such file" : message}`);
  }

  let format: Format | undefined;
  /** A line that is not a row: tolerated only if nothing but blank lines follows it (the kill cut it). */
  let bad: number | undefined;
  /** The last complete row ends without its newline (it was the file's last bytes). */
  let openLine = false;

  /** One record: its text (undefined when too long to hold), where it ends, and its first line. */
  const record = (text: string | undefined, start: number, end: number, newline: boolean, line: number) => {
    if (text !== undefined && text.trim() === "") return;
    if (bad !== undefined) {
      throw new CliUsageError(
        `--resume ${path}, line ${bad}: not a result row of sfmc-contacts. Give it the --out file of an earlier run.`,
      );
    }
    if (format === undefined) {
      format = text === undefined ? undefined : sniff(text);
      if (format === undefined) bad = line;
      else state.format = format;
      // Every format but ndjson starts with a header line.
      if (format !== "ndjson") return;
    }
    // Too long to be a done row (a key is at most 254 characters): a failed row, skipped unread.
    if (text === undefined || isFrame(format, text)) return;
    const row = parseRow(format, text);
    if (!row) {
      bad = line;
      return;
    }
    state.rows++;
    if (DONE_RESULTS.has(row.result)) state.done.add(row.key);
    if (format === "json") {
      // Kept through the row's closing brace: the next row starts with its comma.
      state.keep = start + Buffer.byteLength(text.replace(/,?\s*$/, ""));
      openLine = true;
    } else {
      state.keep = end;
      openLine = !newline;
    }
  };

  // One pass over the bytes: a record ends at a newline (outside quotes, in CSV). Only the
  // current record is held, and at most MAX_ROW_BYTES of it.
  let offset = 0;
  let start = 0;
  let line = 1;
  let startLine = 1;
  let parts: Buffer[] = [];
  let size = 0;
  let quoted = false;
  let quoteChunk: Buffer | undefined;
  let nextQuote = -1;
  /** The newline that ends the record, from `from` on, or -1; counts lines, follows CSV quotes. */
  const recordEnd = (chunk: Buffer, from: number): number => {
    if (format !== "csv") {
      const at = chunk.indexOf(NL, from);
      if (at !== -1) line++;
      return at;
    }
    // Newlines and quotes found with indexOf (native), the next quote remembered per chunk.
    if (chunk !== quoteChunk) {
      quoteChunk = chunk;
      nextQuote = chunk.indexOf(QUOTE, from);
    }
    for (let i = from; ; ) {
      const nl = chunk.indexOf(NL, i);
      const stop = nl === -1 ? chunk.length : nl;
      if (nextQuote !== -1 && nextQuote < i) nextQuote = chunk.indexOf(QUOTE, i);
      while (nextQuote !== -1 && nextQuote < stop) {
        quoted = !quoted;
        nextQuote = chunk.indexOf(QUOTE, nextQuote + 1);
      }
      if (nl === -1) return -1;
      line++;
      if (!quoted) return nl;
      i = nl + 1;
    }
  };
  /** The text of the record so far plus `chunk[from, to)`, or undefined when it is too long. */
  const textOf = (chunk: Buffer, from: number, to: number): string | undefined => {
    if (size + to - from > MAX_ROW_BYTES) return undefined;
    return parts.length === 0
      ? chunk.toString("utf8", from, to)
      : Buffer.concat([...parts, chunk.subarray(from, to)]).toString("utf8");
  };
  try {
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
      let from = 0;
      for (let end = recordEnd(chunk, from); end !== -1; end = recordEnd(chunk, from)) {
        record(textOf(chunk, from, end), start, offset + end + 1, true, startLine);
        parts = [];
        size = 0;
        from = end + 1;
        start = offset + from;
        startLine = line;
      }
      if (from < chunk.length) {
        if (size + chunk.length - from <= MAX_ROW_BYTES) parts.push(chunk.subarray(from));
        size += chunk.length - from;
      }
      offset += chunk.length;
    }
  } catch (error) {
    if (error instanceof CliUsageError) throw error;
    throw new CliUsageError(`Cannot read --resume ${path}: ${(error as Error).message}`);
  }
  // The last line, when it has no newline: a whole row (a JSON row always ends so), or cut short.
  if (size > 0) {
    const last = size > MAX_ROW_BYTES ? undefined : Buffer.concat(parts).toString("utf8");
    record(last, start, offset, false, startLine);
  }
  if (state.rows > 0) state.continuation = { rows: state.rows, openLine };
  else state.keep = 0;
  return state;
}
