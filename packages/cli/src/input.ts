/**
 * Where keys come from: the command line, a text file (one key per line), a CSV file (one column),
 * or stdin. Everything is streamed: a file of a million lines never sits in memory whole.
 */
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { parse } from "csv-parse";
import { CliUsageError } from "./cli-error.js";

/** One key as read, with where it was (for messages a person can act on). */
export interface InputKey {
  key: string;
  /** e.g. `line 17`, `argument 2`. */
  where: string;
}

/** An opened input. */
export interface InputSource {
  keys: AsyncIterable<InputKey>;
  /** How many keys there are, when that is known before reading (at most; empty lines skipped). */
  total: number | undefined;
}

export interface InputOptions {
  args: string[];
  file?: string | undefined;
  column?: string | undefined;
  stdin: Readable;
}

async function* fromArgs(args: string[]): AsyncIterable<InputKey> {
  for (const [i, key] of args.entries()) yield { key, where: `argument ${i + 1}` };
}

/**
 * Lines of a stream, read chunk by chunk: the stream's own async iterator pauses the file while
 * keys wait to be sent (readline's would buffer lines ahead without bound).
 */
async function* fromLines(stream: Readable): AsyncIterable<InputKey> {
  const decoder = new StringDecoder("utf8");
  let line = 0;
  let rest = "";
  const keyOf = (text: string) => {
    line++;
    // A byte-order mark is not part of the first key; a carriage return ends a Windows line.
    return (line === 1 ? text.replace(/^\uFEFF/, "") : text).replace(/\r$/, "");
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const lines = (rest + decoder.write(chunk)).split("\n");
    rest = lines.pop() ?? "";
    for (const text of lines) {
      const key = keyOf(text);
      if (key !== "") yield { key, where: `line ${line}` };
    }
  }
  rest += decoder.end();
  if (rest !== "") {
    const key = keyOf(rest);
    if (key !== "") yield { key, where: `line ${line}` };
  }
}

/** Resolves `--column` against the header: a header name, or a 1-based position. */
function columnIndex(header: string[], column: string | undefined, source: string): number {
  const list = header.map((name, i) => `${i + 1}: ${JSON.stringify(name)}`).join(", ");
  if (column === undefined) {
    if (header.length === 1) return 0;
    throw new CliUsageError(`${source} has ${header.length} columns; choose one with --column. Columns: ${list}`);
  }
  const byName = header.indexOf(column);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(column) && Number(column) >= 1 && Number(column) <= header.length) return Number(column) - 1;
  throw new CliUsageError(`${source} has no column ${JSON.stringify(column)}. Columns: ${list}`);
}

async function* fromCsv(stream: Readable, column: string | undefined, source: string): AsyncIterable<InputKey> {
  const parser = stream.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true }));
  let index: number | undefined;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (index === undefined) {
      index = columnIndex(record, column, source);
      continue;
    }
    const key = record[index] ?? "";
    yield { key, where: `line ${info.lines}` };
  }
  if (index === undefined) throw new CliUsageError(`${source} is empty: no header, no keys`);
}

/** Counts the lines of a file without holding it, so the progress bar knows the total. */
async function countLines(path: string): Promise<number> {
  let lines = 0;
  let last = 10;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    last = chunk[chunk.length - 1] ?? last;
  }
  return last === 10 ? lines : lines + 1;
}

async function openFile(path: string): Promise<Readable> {
  try {
    if ((await stat(path)).isDirectory()) throw new Error("it is a directory");
    await (await open(path, "r")).close();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new CliUsageError(`Cannot read --file ${path}: ${reason}`);
  }
  return createReadStream(path);
}

/** Opens the keys' source the flags name. */
export async function openInput({ args, file, column, stdin }: InputOptions): Promise<InputSource> {
  if (file === undefined) {
    if (column !== undefined) throw new CliUsageError("--column needs --file (a CSV file, or - for CSV on stdin)");
    if (args.length === 0) {
      throw new CliUsageError("No keys: give them as arguments, or with --file <path> (--file - reads stdin)");
    }
    return { keys: fromArgs(args), total: args.length };
  }
  if (args.length > 0) throw new CliUsageError("Give keys as arguments or with --file, not both");
  const csv = column !== undefined || /\.csv$/i.test(file);
  if (file === "-") {
    return { keys: csv ? fromCsv(stdin, column, "stdin") : fromLines(stdin), total: undefined };
  }
  const stream = await openFile(file);
  const lines = await countLines(file);
  return csv
    ? { keys: fromCsv(stream, column, file), total: Math.max(0, lines - 1) }
    : { keys: fromLines(stream), total: lines };
}
