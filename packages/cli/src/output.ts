/**
 * Where results go: table, json, ndjson or csv, to stdout or a file, and the failed keys to their
 * own file. Rows are flushed batch by batch (a kill leaves every finished row on disk), a write
 * error is never swallowed (it stops the run), and what may reach a terminal or a spreadsheet is
 * made safe there.
 */
import type { FileHandle } from "node:fs/promises";
import { open, realpath, stat } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import type { Writable } from "node:stream";
import { CliUsageError } from "./cli-error.js";

/** One row of output: a key and what happened to it. */
export interface ResultRow {
  key: string;
  result: "established" | "acknowledged" | "failed" | "valid";
  contactId?: number | undefined;
  isNew?: boolean | undefined;
  status?: string | undefined;
  /** Why it failed (with the input line for a key that was never sent). */
  reason?: string | undefined;
}

export const FORMATS = ["table", "json", "ndjson", "csv"] as const;
export type Format = (typeof FORMATS)[number];

/** The results that mean "done": `--resume` skips these keys. */
export const DONE_RESULTS: ReadonlySet<string> = new Set(["established", "acknowledged"]);

export const COLUMNS: Array<[keyof ResultRow, string, number]> = [
  ["key", "KEY", 28],
  ["result", "RESULT", 12],
  ["contactId", "CONTACT ID", 11],
  ["isNew", "NEW", 5],
  ["status", "STATUS", 8],
  ["reason", "DETAIL", 0],
];

/** The CSV header line (without its newline): `--resume` recognises a CSV file by it. */
export const CSV_HEADER = COLUMNS.map(([field]) => field).join(",");

// ESC sequences as terminals read them: CSI (`ESC [` ... final byte), OSC / DCS / SOS / PM / APC
// strings (up to BEL or ST, or the end of the text), then any other two-byte escape.
const ESCAPES =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /\u001b\[[0-?]*[ -/]*[@-~]?|\u001b[\]PX^_][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u009b[0-?]*[ -/]*[@-~]?|[\u0090\u0098\u009d\u009e\u009f][^\u0007\u001b\u009c]*(?:\u0007|\u009c|\u001b\\)?|\u001b[\s\S]?/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Text from the service (messages, reasons) made safe for a terminal: escape sequences (a title
 * change, a screen clear, a hyperlink) and C0/C1 control characters are removed; a tab or newline
 * becomes a space, so one message stays one line.
 */
export function sanitize(text: string): string {
  return text
    .replace(ESCAPES, "")
    .replace(/[\t\n]/g, " ")
    .replace(CONTROLS, "");
}

const text = (value: unknown): string => (value === undefined ? "" : String(value));

/**
 * A CSV cell. OWASP's advice against CSV injection: a cell a spreadsheet would read as a formula
 * (starting with `=`, `+`, `-`, `@`, tab or carriage return) gets a leading `'` and is quoted. A
 * cell that starts with `'` gets one too, so `--resume` can always take exactly one off again.
 */
export function csvField(value: unknown): string {
  const s = text(value);
  if (/^[=+\-@\t\r']/.test(s)) return `"'${s.replaceAll('"', '""')}"`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * A key in the table: as is when it is one plain word; as a JSON string when it is empty, holds
 * whitespace or control characters, or starts with a quote. So a table can be read back (by
 * `--resume`) and never carries a raw escape sequence to a terminal.
 */
export function tableKey(key: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return key === "" || /[\s\u0000-\u001f\u007f-\u009f]|^"/.test(key) ? JSON.stringify(key) : key;
}

/** Writes whole chunks somewhere; rejects with the write's error. */
export interface Sink {
  write(chunk: string): Promise<void>;
  /** Closes a file; leaves stdout open. */
  close(): Promise<void>;
}

/** A file opened by {@link openOutputFile}. */
function fileSink(handle: FileHandle): Sink {
  return {
    async write(chunk) {
      const bytes = Buffer.from(chunk, "utf8");
      // A write may take part of the buffer (a pipe, a FIFO): write the rest.
      for (let offset = 0; offset < bytes.length; ) {
        const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, null);
        offset += bytesWritten;
      }
    },
    close: () => handle.close(),
  };
}

/** A stream the process was given (stdout): each chunk resolves once the stream took it. */
export function streamSink(stream: Writable): Sink {
  // Errors arrive through each write's callback; without a listener the stream's own 'error'
  // event (EPIPE when the reader went away) would end the process before the run could report.
  stream.on("error", () => {});
  return {
    write: (chunk) =>
      new Promise((resolve, reject) => {
        stream.write(chunk, (error) => (error ? reject(error) : resolve()));
      }),
    close: async () => {},
  };
}

/** A person's words for the usual reasons a file cannot be written. */
function why(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  switch (code) {
    case "ENOENT":
      return "no such directory";
    case "EISDIR":
      return "it is a directory";
    case "ENOTDIR":
      return "a part of the path is not a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "read-only file system";
    case "ENOSPC":
      return "no space left on device";
    case "EDQUOT":
      return "disk quota exceeded";
    case "EPIPE":
      return "the reader closed the pipe";
    default:
      return message;
  }
}

/** The message for an output that cannot be written: what (`--out results.csv`), and why. */
export function writeFailure(what: string, error: unknown): string {
  return `Cannot write ${what}: ${why(error)}`;
}

/**
 * Opens an output file before anything is sent, so a missing directory, a directory, a file
 * without write permission or a read-only disk stops the run before its first request. `keep`
 * (for `--out` that is also `--resume`) keeps the first `keep` bytes and appends after them.
 */
export async function openOutputFile(flag: string, path: string, keep?: number): Promise<Sink> {
  try {
    if ((await stat(path).catch(() => undefined))?.isDirectory()) {
      throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    }
    if (keep === undefined) return fileSink(await open(path, "w"));
    const handle = await open(path, "r+");
    try {
      await handle.truncate(keep);
    } catch (error) {
      await handle.close();
      throw error;
    }
    // Positioned writes would need bookkeeping: reopen for append, which always writes at the end.
    await handle.close();
    return fileSink(await open(path, "a"));
  } catch (error) {
    throw new CliUsageError(writeFailure(`${flag} ${path}`, error));
  }
}

/** The largest batch of text held before it is written, whatever the batch boundaries. */
const HIGH_WATER = 64 * 1024;

/**
 * Text on its way to a sink: gathered while a batch's rows arrive (they come in one go), then
 * written in one write on the next turn of the event loop. So rows reach the file batch by batch,
 * not one syscall per row, and not at the end. One write at a time; what arrives meanwhile waits
 * for the next, and a writer with a lot waiting is held back until it is written (backpressure:
 * a slow reader of stdout slows the run, it does not fill memory). After the first error nothing
 * more is written, and `onError` is told once.
 */
class Buffered {
  readonly #sink: Sink;
  readonly #onError: (error: unknown) => void;
  #text = "";
  #scheduled = false;
  #writing: Promise<void> | undefined;
  failure: { error: unknown } | undefined;

  constructor(sink: Sink, onError: (error: unknown) => void) {
    this.#sink = sink;
    this.#onError = onError;
  }

  #fail(error: unknown): void {
    if (this.failure) return;
    this.failure = { error };
    this.#onError(error);
  }

  /** Writes until nothing is waiting. */
  async #drain(): Promise<void> {
    while (this.#text !== "" && !this.failure) {
      const text = this.#text;
      this.#text = "";
      try {
        await this.#sink.write(text);
      } catch (error) {
        this.#fail(error);
      }
    }
  }

  #kick(): Promise<void> {
    this.#writing ??= this.#drain().finally(() => {
      this.#writing = undefined;
    });
    return this.#writing;
  }

  /** Adds text; resolves at once, or once written when a lot is waiting. */
  push(text: string): Promise<void> {
    if (this.failure) return Promise.resolve();
    this.#text += text;
    if (this.#text.length >= HIGH_WATER) return this.flush();
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        void this.#kick();
      });
    }
    return Promise.resolve();
  }

  /** Resolves when everything pushed so far is written (or failed: see `failure`). */
  async flush(): Promise<void> {
    while ((this.#text !== "" || this.#writing) && !this.failure) await this.#kick();
  }

  async close(): Promise<void> {
    await this.flush();
    try {
      await this.#sink.close();
    } catch (error) {
      this.#fail(error);
    }
  }
}

/** What an output file already holds, when a run appends to it (`--resume` naming `--out`). */
export interface Continuation {
  /** Complete rows already in the file (after its header, if any); at least 1. */
  rows: number;
  /** The kept part ends with a complete row but no newline (a JSON row, or one cut before its `\n`). */
  openLine: boolean;
}

/**
 * A streaming writer for one format. `end()` closes the document (and the file). A write error
 * stops nothing here: `onError` is told, and the run decides.
 */
export class ResultWriter {
  readonly #out: Buffered;
  readonly #format: Format;
  #rows: number;
  #started: boolean;
  #openLine: boolean;

  constructor(sink: Sink, format: Format, onError: (error: unknown) => void, continuation?: Continuation) {
    this.#out = new Buffered(sink, onError);
    this.#format = format;
    this.#rows = continuation?.rows ?? 0;
    this.#started = continuation !== undefined;
    this.#openLine = continuation?.openLine ?? false;
  }

  get failure(): { error: unknown } | undefined {
    return this.#out.failure;
  }

  #header(): string {
    switch (this.#format) {
      case "table":
        return this.#tableLine(COLUMNS.map(([, title]) => title));
      case "json":
        return "[\n";
      case "ndjson":
        return "";
      case "csv":
        return `${CSV_HEADER}\n`;
    }
  }

  #tableLine(values: string[]): string {
    return `${values
      .map((cell, i) => (i < COLUMNS.length - 1 ? cell.padEnd(COLUMNS[i]?.[2] ?? 0) : cell))
      .join(" ")
      .trimEnd()}\n`;
  }

  /**
   * Writes the header now and waits for it: a file that takes the open but not the write
   * (`/dev/full`, a full disk) fails here, before the first request. ndjson has no header.
   */
  async begin(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const header = this.#header();
    if (header !== "") await this.#out.push(header);
    await this.#out.flush();
  }

  /** Writes one row. The chunk is composed at once, so concurrent writers never split a row. */
  write(row: ResultRow): Promise<void> {
    let chunk = "";
    if (!this.#started) {
      this.#started = true;
      chunk += this.#header();
    }
    if (this.#openLine && this.#format !== "json") chunk += "\n";
    this.#openLine = false;
    switch (this.#format) {
      case "table":
        chunk += this.#tableLine(
          COLUMNS.map(([field]) => (field === "key" ? tableKey(row.key) : sanitize(text(row[field])))),
        );
        break;
      case "json":
        // One row per line, so a file cut short by a crash can be read back line by line.
        chunk += `${this.#rows > 0 ? ",\n" : ""}  ${JSON.stringify(row)}`;
        break;
      case "ndjson":
        chunk += `${JSON.stringify(row)}\n`;
        break;
      case "csv":
        chunk += `${COLUMNS.map(([field]) => csvField(row[field])).join(",")}\n`;
        break;
    }
    this.#rows++;
    return this.#out.push(chunk);
  }

  /** Writes what is waiting; resolves when it is on its way to the OS. */
  flush(): Promise<void> {
    return this.#out.flush();
  }

  /** Closes the document (a JSON array), flushes and closes the file. */
  async end(): Promise<void> {
    if (this.#format === "json") await this.#out.push(!this.#started ? "[]\n" : this.#rows === 0 ? "]\n" : "\n]\n");
    await this.#out.close();
  }
}

/** One failed key per line, ready to feed back with --file. */
export class FailedWriter {
  readonly #out: Buffered;
  count = 0;

  constructor(sink: Sink, onError: (error: unknown) => void) {
    this.#out = new Buffered(sink, onError);
  }

  get failure(): { error: unknown } | undefined {
    return this.#out.failure;
  }

  add(key: string): Promise<void> {
    this.count++;
    return this.#out.push(`${key}\n`);
  }

  flush(): Promise<void> {
    return this.#out.flush();
  }

  end(): Promise<void> {
    return this.#out.close();
  }
}

/** What a path names on disk, to tell whether two flags name one file. */
interface Identity {
  flag: string;
  path: string;
  real: string;
  /** `dev:ino` of an existing regular file (hard links share it). */
  inode: string | undefined;
  /** A device, FIFO or socket: never truncated, so never in the way (`/dev/null` twice is fine). */
  special: boolean;
}

async function identify(flag: string, path: string): Promise<Identity> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch(() => undefined);
  let real: string;
  try {
    real = await realpath(absolute);
  } catch {
    // Not there (yet): its directory's real path and its name.
    real = await realpath(dirname(absolute))
      .then((dir) => resolve(dir, basename(absolute)))
      .catch(() => absolute);
  }
  return {
    flag,
    path,
    real,
    inode: info?.isFile() ? `${info.dev}:${info.ino}` : undefined,
    special: info !== undefined && !info.isFile() && !info.isDirectory(),
  };
}

/**
 * Refuses flags that name one file twice where that would destroy data: an output that is also
 * the input (opening it for writing would empty it before it is read), or two outputs. Compares
 * real paths (symbolic links, `..`) and, for files that exist, device and inode (hard links).
 * `--resume` may name `--out`: the run appends to it.
 */
export async function refuseSameFile(paths: {
  file?: string | undefined;
  out?: string | undefined;
  failed?: string | undefined;
  resume?: string | undefined;
}): Promise<{ resumeIsOut: boolean }> {
  const named = async (flag: string, path: string | undefined) =>
    path === undefined || path === "-" ? undefined : identify(flag, path);
  const [file, out, failed, resume] = await Promise.all([
    named("--file", paths.file),
    named("--out", paths.out),
    named("--failed", paths.failed),
    named("--resume", paths.resume),
  ]);
  const same = (a: Identity | undefined, b: Identity | undefined): boolean =>
    a !== undefined &&
    b !== undefined &&
    !a.special &&
    !b.special &&
    (a.real === b.real || (a.inode !== undefined && a.inode === b.inode));
  const pairs: Array<[Identity | undefined, Identity | undefined, string]> = [
    [file, out, "it would be emptied before it is read. Write the results to another file."],
    [file, failed, "it would be emptied before it is read. Write the failed keys to another file."],
    [out, failed, "the results and the failed keys would overwrite each other. Give them two files."],
    [resume, failed, "it would be emptied before it is read. Write the failed keys to another file."],
  ];
  for (const [a, b, consequence] of pairs) {
    if (a && b && same(a, b)) {
      const also = a.path === b.path ? "" : ` (${b.path})`;
      throw new CliUsageError(`${b.flag} names the same file as ${a.flag} ${a.path}${also}: ${consequence}`);
    }
  }
  return { resumeIsOut: same(resume, out) };
}
