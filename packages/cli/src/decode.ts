/**
 * Bytes to text for the key inputs. The encoding is the one named (UTF-8 by default) unless the
 * file starts with a byte-order mark, which decides (as the WHATWG Encoding Standard's decode
 * does). Decoding is strict: bytes that are not valid in the encoding are an error that names their
 * line, never U+FFFD in a key that would be sent. Text is handed on in pieces of whole lines, so a
 * piece never ends inside a character or between the CR and LF of a line end, each piece is decoded
 * on its own, and the line where a problem is stays known. A line longer than a bound is refused
 * as soon as the bound is passed: memory stays bounded, and no line is ever joined piece by piece.
 */
import { CliUsageError } from "./cli-error.js";

/**
 * The encodings `--encoding` offers (TextDecoder labels). `latin1` is an alias of windows-1252,
 * as in the Encoding Standard and every browser: the bytes 0x80 to 0x9F are the euro sign, curly
 * quotes and dashes of Windows and Excel exports, never C1 control characters.
 */
export const ENCODINGS = ["utf-8", "utf-16le", "utf-16be", "latin1", "windows-1252"] as const;
export type Encoding = (typeof ENCODINGS)[number];

const LF = 0x0a;
const CR = 0x0d;

/**
 * windows-1252's 0x80 to 0x9F (the Encoding Standard's index). Node 20.18.3 and later decode
 * windows-1252 as ISO-8859-1 (nodejs/node#60888), so what TextDecoder gives in that range is mapped
 * here; on a Node that decodes it right, nothing is left in the range to map but the five bytes
 * windows-1252 leaves undefined, which map to themselves.
 */
const WINDOWS_1252_HIGH =
  "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F" +
  "\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178";
const fromWindows1252 = (text: string) =>
  text.replace(/[\u0080-\u009F]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80] ?? c);

interface Codec {
  /** How a person knows it: UTF-8, UTF-16LE. */
  name: string;
  decoder: TextDecoder;
  /** Bytes per code unit: a line end is one unit (LF or CR), found only at a unit boundary. */
  unit: 1 | 2;
  /** The code unit at `i` (caller keeps i + unit <= length). */
  unitAt: (bytes: Uint8Array, i: number) => number;
  repair?: (text: string) => string;
}

function codec(encoding: Encoding): Codec {
  // ignoreBOM: the mark is taken off here, once; TextDecoder would take a U+FEFF off every piece.
  const decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
  switch (encoding) {
    case "utf-16le":
      return { name: "UTF-16LE", decoder, unit: 2, unitAt: (b, i) => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8) };
    case "utf-16be":
      return { name: "UTF-16BE", decoder, unit: 2, unitAt: (b, i) => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0) };
    case "latin1":
    case "windows-1252":
      return { name: "windows-1252", decoder, unit: 1, unitAt: (b, i) => b[i] ?? 0, repair: fromWindows1252 };
    default:
      return { name: "UTF-8", decoder, unit: 1, unitAt: (b, i) => b[i] ?? 0 };
  }
}

/** The encoding a byte-order mark names, and its length; undefined without one. */
function sniff(head: Uint8Array): [Encoding, number] | undefined {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return ["utf-8", 3];
  if (head[0] === 0xff && head[1] === 0xfe) return ["utf-16le", 2];
  if (head[0] === 0xfe && head[1] === 0xff) return ["utf-16be", 2];
  return undefined;
}

/** How many lines `text` ends: each CRLF, lone CR and lone LF ends one. */
export function lineEnds(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++;
  for (let i = text.indexOf("\r"); i !== -1; i = text.indexOf("\r", i + 1)) if (text.charCodeAt(i + 1) !== LF) n++;
  return n;
}

/** What a piece of input is to a person: `keys.txt`, `stdin`. */
export interface DecodeOptions {
  encoding: Encoding;
  source: string;
  /** The longest line accepted, in bytes. */
  maxLineBytes: number;
  /** Why a longer line cannot be right, for the message. */
  longLineHint: string;
}

/**
 * Input the decoder refuses (bytes not valid in the encoding, a line over the bound). `text` holds
 * the whole lines before the bad one, decoded, so the keys on them are still read.
 */
export class InputTextError extends CliUsageError {
  constructor(
    message: string,
    readonly text = "",
  ) {
    super(message);
  }
}

const KIB = 1024;
const size = (bytes: number) => (bytes >= KIB * KIB ? `${bytes / KIB / KIB} MiB` : `${bytes / KIB} KiB`);

/**
 * Turns chunks of bytes into pieces of text made of whole lines (the last piece, from `end()`, may
 * end without a line end). Chunks may split anything: a byte-order mark, a character, a UTF-16
 * code unit, a CRLF.
 */
export class LineDecoder {
  readonly #options: DecodeOptions;
  #codec: Codec | undefined;
  /** Whether the byte-order mark chose the codec (then --encoding cannot change it). */
  #byMark = false;
  /** The first bytes, held until there are enough to look for a byte-order mark. */
  #head: Uint8Array[] = [];
  #headBytes = 0;
  /** A UTF-16 code unit's first byte, when a chunk ends between its two. */
  #odd: Uint8Array | undefined;
  /** The bytes of the line not ended yet (and, when #crAtEnd, of its CR). */
  #carry: Uint8Array[] = [];
  #carryBytes = 0;
  /** The carry ends with a CR: the next unit tells whether it is a CRLF. */
  #crAtEnd = false;
  #line = 1;

  constructor(options: DecodeOptions) {
    this.#options = options;
  }

  /** The line the next piece of text starts on. */
  get line(): number {
    return this.#line;
  }

  /** The whole lines completed by `chunk`, decoded ("" when none is). */
  push(chunk: Uint8Array): string {
    if (chunk.length === 0) return "";
    if (this.#codec) return this.#take(chunk);
    this.#head.push(chunk);
    this.#headBytes += chunk.length;
    return this.#headBytes < 3 ? "" : this.#take(this.#open());
  }

  /** The rest of the input: its last line, if it has no line end. */
  end(): string {
    let text = this.#codec ? "" : this.#take(this.#open());
    const codec = this.#codec as Codec;
    if (this.#odd) {
      // Half a UTF-16 code unit at the end: the decoder refuses it, with its line.
      this.#carry.push(this.#odd);
      this.#odd = undefined;
    }
    if (this.#carry.length > 0) {
      const last = Buffer.concat(this.#carry);
      this.#carry = [];
      this.#carryBytes = 0;
      text += this.#decode(last, codec, text);
    }
    return text;
  }

  /** Chooses the codec from the byte-order mark or the options; the head without its mark. */
  #open(): Uint8Array {
    const head = Buffer.concat(this.#head);
    this.#head = [];
    const mark = sniff(head);
    this.#byMark = mark !== undefined;
    this.#codec = codec(mark?.[0] ?? this.#options.encoding);
    return head.subarray(mark?.[1] ?? 0);
  }

  #take(bytes: Uint8Array): string {
    const codec = this.#codec as Codec;
    const { unit, unitAt } = codec;
    let chunk = bytes;
    if (unit === 2) {
      if (this.#odd) chunk = Buffer.concat([this.#odd, chunk]);
      this.#odd = chunk.length % 2 === 1 ? chunk.subarray(chunk.length - 1) : undefined;
      if (this.#odd) chunk = chunk.subarray(0, chunk.length - 1);
    }
    if (chunk.length === 0) return "";
    let cut = this.#lastBreak(chunk, codec);
    if (cut === -1 && this.#crAtEnd) cut = unitAt(chunk, 0) === LF ? unit : 0;
    if (cut === -1) {
      // No line ends here: the chunk is more of the current line, kept (no string is built).
      this.#carry.push(chunk);
      this.#carryBytes += chunk.length;
      this.#crAtEnd = unitAt(chunk, chunk.length - unit) === CR;
      this.#bound();
      return "";
    }
    const piece =
      this.#carry.length > 0 ? Buffer.concat([...this.#carry, chunk.subarray(0, cut)]) : chunk.subarray(0, cut);
    const rest = chunk.subarray(cut);
    this.#carry = rest.length > 0 ? [rest] : [];
    this.#carryBytes = rest.length;
    this.#crAtEnd = rest.length > 0 && unitAt(rest, rest.length - unit) === CR;
    // Only a piece longer than the bound can hold a line longer than it (a long line ended here).
    if (piece.length > this.#options.maxLineBytes) this.#boundLines(piece, codec);
    const text = this.#decode(piece, codec);
    this.#bound();
    return text;
  }

  /**
   * Where the chunk's last line end ends, or -1. A CR in the chunk's last unit does not count: an
   * LF may follow in the next chunk, and a CRLF is one line end, never split between pieces.
   */
  #lastBreak(chunk: Uint8Array, { unit, unitAt }: Codec): number {
    const last = chunk.length - unit;
    for (let i = last; i >= 0; i -= unit) {
      const c = unitAt(chunk, i);
      if (c === LF || (c === CR && i !== last)) return i + unit;
    }
    return -1;
  }

  /** Refuses the line being read once it is longer than the bound. */
  #bound(): void {
    if (this.#carryBytes > this.#options.maxLineBytes) throw this.#tooLong(this.#line);
  }

  /** Refuses the first line of a piece that is longer than the bound; the lines before it are read. */
  #boundLines(piece: Uint8Array, codec: Codec): void {
    const { unit, unitAt } = codec;
    let line = this.#line;
    let start = 0;
    for (let i = 0; i + unit <= piece.length; i += unit) {
      const c = unitAt(piece, i);
      if (c !== LF && c !== CR) continue;
      if (i - start > this.#options.maxLineBytes) {
        throw this.#tooLong(line, this.#decode(piece.subarray(0, start), codec));
      }
      if (c === CR && i + 2 * unit <= piece.length && unitAt(piece, i + unit) === LF) i += unit;
      line++;
      start = i + unit;
    }
  }

  #tooLong(line: number, text = ""): InputTextError {
    const { maxLineBytes, source, longLineHint } = this.#options;
    return new InputTextError(`${source} line ${line} is longer than ${size(maxLineBytes)}: ${longLineHint}`, text);
  }

  /** Decodes a piece of whole lines; counts its lines. `before`: text decoded earlier in this call. */
  #decode(piece: Uint8Array, codec: Codec, before = ""): string {
    let text: string;
    try {
      text = codec.decoder.decode(piece);
    } catch {
      throw this.#invalid(piece, codec, before);
    }
    if (codec.repair) text = codec.repair(text);
    this.#line += lineEnds(text);
    return text;
  }

  /** The error for a piece that does not decode: the first line that does not, by number. */
  #invalid(piece: Uint8Array, codec: Codec, before: string): InputTextError {
    const { unit, unitAt } = codec;
    const decodes = (bytes: Uint8Array) => {
      try {
        codec.decoder.decode(bytes);
        return true;
      } catch {
        return false;
      }
    };
    let line = this.#line;
    let start = 0;
    for (let i = 0; i + unit <= piece.length; i += unit) {
      const c = unitAt(piece, i);
      if (c !== LF && c !== CR) continue;
      if (!decodes(piece.subarray(start, i))) break;
      if (c === CR && i + 2 * unit <= piece.length && unitAt(piece, i + unit) === LF) i += unit;
      line++;
      start = i + unit;
    }
    // The lines before the bad one are good: they are decoded, so their keys are still read.
    const good = before + this.#decode(piece.subarray(0, start), codec);
    const { encoding, source } = this.#options;
    const hint = this.#byMark
      ? `The file starts with a ${codec.name} byte-order mark, which decides its encoding: it is damaged, or mixes encodings.`
      : encoding === "utf-8"
        ? "If the file is in another encoding, name it: --encoding latin1 or --encoding windows-1252 (Western European Windows and Excel exports), or --encoding utf-16le / utf-16be."
        : `Name the file's encoding with --encoding (${ENCODINGS.join(", ")}).`;
    return new InputTextError(`${source} line ${line} is not valid ${codec.name}. ${hint}`, good);
  }
}

/**
 * The text of a byte stream, in pieces of whole lines. On an error, the whole lines before the bad
 * one are given first, then the error is thrown.
 */
export async function* decodeLines(
  stream: AsyncIterable<Uint8Array | string>,
  options: DecodeOptions,
): AsyncGenerator<string> {
  const decoder = new LineDecoder(options);
  let text: string;
  for await (const chunk of stream) {
    try {
      text = decoder.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    } catch (error) {
      if (error instanceof InputTextError && error.text !== "") yield error.text;
      throw error;
    }
    if (text !== "") yield text;
  }
  try {
    text = decoder.end();
  } catch (error) {
    if (error instanceof InputTextError && error.text !== "") yield error.text;
    throw error;
  }
  if (text !== "") yield text;
}
