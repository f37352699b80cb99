/**
 * Where keys come from: the command line, a text file (one key per line), a CSV file (one column),
 * or stdin. Everything is streamed: a file of a million lines never sits in memory whole. Files and
 * stdin are decoded strictly (decode.ts): a file in the wrong encoding stops the run with the line
 * to look at, instead of sending keys made of replacement characters or NULs.
 */
import { constants, createReadStream } from "node:fs";
import { access, open, stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { CsvError, type Parser, parse } from "csv-parse";
import { CliUsageError } from "./cli-error.js";
import { type DecodeOptions, decodeLines, type Encoding, LineDecoder, lineEnds } from "./decode.js";

export { ENCODINGS, type Encoding } from "./decode.js";

/** One key as read, with where it was (for messages a person can act on). */
export interface InputKey {
  key: string;
  /** e.g. `line 17`, `argument 2`. */
  where: string;
  /** Why the key cannot be sent, when reading it showed that (a control character, say). */
  problem?: string;
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
  /** How the file or stdin is encoded, unless it starts with a byte-order mark. Default utf-8. */
  encoding?: Encoding | undefined;
  stdin: Readable;
}

/**
 * The longest line of a text input. A key is at most 254 UTF-16 code units (1,016 bytes in UTF-8),
 * so a line this long is not a key: it is the wrong file, refused before it is read whole.
 */
const MAX_TEXT_LINE_BYTES = 64 * 1024;
/** The longest line, and record, of a CSV input: a wide export fits; a file with no line ends does not. */
const MAX_CSV_LINE_BYTES = 1024 * 1024;

const LINE_END = /\r\n|\r|\n/;

/** Names a control character for a person. */
function controlName(code: number): string {
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  if (code === 0)
    return `a NUL character (${hex}): is the file UTF-16 without a byte-order mark? Try --encoding utf-16le`;
  if (code === 9)
    return `a tab (${hex}): is the file tab-separated? Save it as CSV and choose the column with --column`;
  if (code === 10 || code === 13) return `a line break (${hex}), inside a quoted CSV field`;
  return `the control character ${hex}`;
}

/** Why a key with a control character (C0, including NUL, CR, LF and TAB, or DEL) cannot be sent. */
function controlProblem(key: string): string | undefined {
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return `the key has ${controlName(code)} (at character ${i + 1})`;
  }
  return undefined;
}

function inputKey(key: string, where: string): InputKey {
  const problem = controlProblem(key);
  return problem === undefined ? { key, where } : { key, where, problem };
}

async function* fromArgs(args: string[]): AsyncIterable<InputKey> {
  for (const [i, key] of args.entries()) yield inputKey(key, `argument ${i + 1}`);
}

function textOptions(source: string, encoding: Encoding): DecodeOptions {
  return {
    encoding,
    source,
    maxLineBytes: MAX_TEXT_LINE_BYTES,
    longLineHint: "a contact key is at most 254 characters. Is this the right file? (A CSV file needs --column.)",
  };
}

function csvOptions(source: string, encoding: Encoding): DecodeOptions {
  return {
    encoding,
    source,
    maxLineBytes: MAX_CSV_LINE_BYTES,
    longLineHint: "is this the right file, and is it CSV?",
  };
}

/**
 * Lines of a stream, read chunk by chunk: the stream's own async iterator pauses the file while
 * keys wait to be sent (readline's would buffer lines ahead without bound). A CRLF, a lone CR (old
 * Mac, some exports) and a lone LF each end a line.
 */
async function* fromLines(stream: Readable, options: DecodeOptions): AsyncIterable<InputKey> {
  let line = 0;
  for await (const text of decodeLines(stream, options)) {
    // Pieces are whole lines: after the split, the last part is "" (or, at the very end, a last
    // line with no line end).
    const lines = text.split(LINE_END);
    const last = lines.pop() ?? "";
    for (const key of lines) {
      line++;
      if (key !== "") yield inputKey(key, `line ${line}`);
    }
    if (last !== "") {
      line++;
      yield inputKey(last, `line ${line}`);
    }
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

/** Line ends at the start of a record's raw text: the empty lines skipped before it. */
function leadingLineEnds(raw: string): number {
  let i = 0;
  while (i < raw.length && (raw[i] === "\n" || raw[i] === "\r")) i++;
  return lineEnds(raw.slice(0, i));
}

/**
 * csv-parse's error, with the line counted here: csv-parse counts a CRLF inside quotes as two
 * lines, and names the line where it noticed, not where the record starts.
 */
function csvProblem(error: CsvError, line: number, source: string): CliUsageError {
  const raw = typeof (error as { raw?: unknown }).raw === "string" ? (error as unknown as { raw: string }).raw : "";
  const start = line + leadingLineEnds(raw);
  if (error.code === "CSV_QUOTE_NOT_CLOSED") {
    return new CliUsageError(
      `${source}: the record that starts on line ${start} opens a quote that is never closed; fix the quotes in the file`,
    );
  }
  if (error.code === "CSV_MAX_RECORD_SIZE") {
    return new CliUsageError(
      `${source}: the record that starts on line ${start} is longer than 1 MiB; is this the right file, and is it CSV?`,
    );
  }
  const reason = error.message.replace(/\s*(?:at|on) line \d+/g, "");
  return new CliUsageError(`${source} line ${line + lineEnds(raw)}: ${reason}`);
}

/**
 * Writes decoded text into the parser, waiting when it is full. Resolves the input's error, if any,
 * after ending the parser, so every record before the error is still read.
 */
async function feed(parser: Parser, pieces: AsyncIterable<string>): Promise<unknown> {
  try {
    for await (const text of pieces) {
      if (parser.destroyed) return undefined;
      if (!parser.write(text)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            parser.off("drain", done);
            parser.off("close", done);
            resolve();
          };
          parser.on("drain", done);
          parser.on("close", done);
        });
      }
    }
    return undefined;
  } catch (error) {
    return error;
  } finally {
    if (!parser.destroyed) parser.end();
  }
}

async function* fromCsv(stream: Readable, column: string | undefined, options: DecodeOptions): AsyncIterable<InputKey> {
  const { source } = options;
  // The text is decoded here (the parser sees text, never bytes in an encoding it would guess);
  // raw: each record's own text, to count its lines.
  const parser = parse({
    bom: false,
    raw: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_CSV_LINE_BYTES,
  });
  const failure = feed(parser, decodeLines(stream, options));
  let index: number | undefined;
  /** The line the next record's raw text starts on (its empty lines before it included). */
  let line = 1;
  try {
    for await (const { record, raw } of parser as AsyncIterable<{ record: string[]; raw: string }>) {
      // A record's line is where it starts: a quoted field may hold line breaks.
      const start = line + leadingLineEnds(raw);
      line += lineEnds(raw);
      if (index === undefined) {
        index = columnIndex(record, column, source);
        continue;
      }
      yield inputKey(record[index] ?? "", `line ${start}`);
    }
  } catch (error) {
    if (error instanceof CsvError) throw csvProblem(error, line, source);
    throw error;
  } finally {
    parser.destroy();
  }
  const error = await failure;
  if (error) throw error;
  if (index === undefined) throw new CliUsageError(`${source} is empty: no header, no keys`);
}

/**
 * Reads the file once before the run: it is decoded and its lines bounded, so a file in the wrong
 * encoding or with no line ends stops before anything is sent, and its lines are counted, so the
 * progress bar knows the total. Counted as they are read: a lone CR ends a line too.
 */
async function survey(path: string, options: DecodeOptions): Promise<number> {
  const decoder = new LineDecoder(options);
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) decoder.push(chunk);
  const last = decoder.end();
  // A last line without a line end is a line too.
  return decoder.line - 1 + (last !== "" && !/[\r\n]$/.test(last) ? 1 : 0);
}

/**
 * Checks the file can be read; whether it is a regular file. A pipe (a FIFO, `<(zcat keys.gz)`)
 * is only checked for permission: opening it to look would take its one writer.
 */
async function checkFile(path: string): Promise<boolean> {
  try {
    const stats = await stat(path);
    if (stats.isDirectory()) throw new Error("it is a directory");
    if (!stats.isFile()) {
      await access(path, constants.R_OK);
      return false;
    }
    await (await open(path, "r")).close();
    return true;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new CliUsageError(`Cannot read --file ${path}: ${reason}`);
  }
}

/** Opens the keys' source the flags name. */
export async function openInput({ args, file, column, encoding = "utf-8", stdin }: InputOptions): Promise<InputSource> {
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
    const keys = csv
      ? fromCsv(stdin, column, csvOptions("stdin", encoding))
      : fromLines(stdin, textOptions("stdin", encoding));
    return { keys, total: undefined };
  }
  const regular = await checkFile(file);
  const options = csv ? csvOptions(file, encoding) : textOptions(file, encoding);
  // A pipe (--file <(zcat keys.gz)) is read once, as it comes: no total, and errors as they come.
  const lines = regular ? await survey(file, options) : undefined;
  const stream = createReadStream(file);
  return csv
    ? { keys: fromCsv(stream, column, options), total: lines === undefined ? undefined : Math.max(0, lines - 1) }
    : { keys: fromLines(stream, options), total: lines };
}
