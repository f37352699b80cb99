/** Writes results as they arrive: table, json, ndjson or csv, to stdout or a file. */
import { once } from "node:events";
import type { Writable } from "node:stream";

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

const COLUMNS: Array<[keyof ResultRow, string, number]> = [
  ["key", "KEY", 28],
  ["result", "RESULT", 12],
  ["contactId", "CONTACT ID", 11],
  ["isNew", "NEW", 5],
  ["status", "STATUS", 8],
  ["reason", "DETAIL", 0],
];

const text = (value: unknown): string => (value === undefined ? "" : String(value));
const csvField = (value: unknown): string => {
  const s = text(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** A streaming writer for one format. `end()` closes the document (and the stream, unless stdout). */
export class ResultWriter {
  readonly #out: Writable;
  readonly #format: Format;
  readonly #close: boolean;
  #rows = 0;

  constructor(out: Writable, format: Format, close: boolean) {
    this.#out = out;
    this.#format = format;
    this.#close = close;
  }

  async #write(chunk: string): Promise<void> {
    if (!this.#out.write(chunk)) await once(this.#out, "drain");
  }

  /** Writes one row. The chunk is composed at once, so concurrent writers never split a row. */
  write(row: ResultRow): Promise<void> {
    const first = this.#rows++ === 0;
    const cells = (pick: (field: keyof ResultRow, title: string) => string) =>
      COLUMNS.map(([field, title]) => pick(field, title));
    const tableLine = (values: string[]) =>
      `${values
        .map((cell, i) => (i < COLUMNS.length - 1 ? cell.padEnd(COLUMNS[i]?.[2] ?? 0) : cell))
        .join(" ")
        .trimEnd()}\n`;
    let chunk: string;
    switch (this.#format) {
      case "table":
        chunk = `${first ? tableLine(cells((_, title) => title)) : ""}${tableLine(cells((field) => text(row[field])))}`;
        break;
      case "json":
        chunk = `${first ? "[\n" : ",\n"}  ${JSON.stringify(row)}`;
        break;
      case "ndjson":
        chunk = `${JSON.stringify(row)}\n`;
        break;
      case "csv":
        chunk = `${first ? `${COLUMNS.map(([field]) => field).join(",")}\n` : ""}${cells((field) => csvField(row[field])).join(",")}\n`;
        break;
    }
    return this.#write(chunk);
  }

  async end(): Promise<void> {
    if (this.#format === "json") await this.#write(this.#rows === 0 ? "[]\n" : "\n]\n");
    if (this.#close) {
      this.#out.end();
      await once(this.#out, "finish");
    }
  }
}

/** One failed key per line, ready to feed back with --file. */
export class FailedWriter {
  readonly #out: Writable;
  count = 0;

  constructor(out: Writable) {
    this.#out = out;
  }

  async add(key: string): Promise<void> {
    this.count++;
    if (!this.#out.write(`${key}\n`)) await once(this.#out, "drain");
  }

  async end(): Promise<void> {
    this.#out.end();
    await once(this.#out, "finish");
  }
}
