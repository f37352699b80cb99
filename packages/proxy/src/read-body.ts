/**
 * Reads a request body with a byte cap, before anything parses it. The cap is checked on the
 * declared `Content-Length` first (no read at all) and then on every chunk, so a chunked body or a
 * `Content-Length` that lies costs at most the cap in memory: the chunks are copied into one buffer
 * as they come, and reading stops at the first chunk past the cap. A body must arrive within a
 * time limit, so a slow sender cannot hold a request open. The text must be valid UTF-8 (a fatal decoder): a replacement character would otherwise turn
 * a key into another key.
 */

/** What reading the body gave. */
export type BodyRead =
  | { ok: true; text: string }
  | { ok: false; reason: "too-large" }
  | { ok: false; reason: "invalid-utf8" }
  | { ok: false; reason: "too-slow" }
  | { ok: false; reason: "already-read" }
  | { ok: false; reason: "stream-error"; error: unknown };

/**
 * Whether the declared `Content-Length` is over the cap. A missing or unreadable length is not:
 * the streamed read enforces the cap anyway.
 */
export function declaredTooLarge(headers: Headers, maxBytes: number): boolean {
  const declared = headers.get("content-length");
  return declared !== null && /^\s*\d+\s*$/.test(declared) && Number(declared) > maxBytes;
}

/**
 * Whether the body is compressed (`Content-Encoding` other than `identity`): the proxy reads
 * uncompressed bodies only, so that the byte cap is what is held in memory.
 */
export function isEncoded(headers: Headers): boolean {
  const encoding = headers.get("content-encoding");
  return encoding !== null && encoding.trim() !== "" && encoding.trim().toLowerCase() !== "identity";
}

/**
 * A body as it arrives, capped: one buffer, never a list of chunks (a body sent a byte at a time
 * would otherwise hold an object per byte, many times the cap). It starts at the declared length
 * (capped) and doubles. Shared by the Fetch path (`readCappedText`) and the Node adapter's reader.
 */
export class CappedBody {
  #bytes: Uint8Array;
  #total = 0;
  readonly #max: number;

  constructor(maxBytes: number, declaredLength?: string | null) {
    const declared = Number(declaredLength ?? Number.NaN);
    this.#max = maxBytes;
    this.#bytes = new Uint8Array(Math.min(maxBytes, Number.isInteger(declared) && declared > 0 ? declared : 16_384));
  }

  /** Adds a chunk; false (and nothing kept) when it would pass the cap. */
  add(chunk: Uint8Array): boolean {
    const total = this.#total + chunk.byteLength;
    if (total > this.#max) return false;
    if (total > this.#bytes.byteLength) {
      const grown = new Uint8Array(Math.min(this.#max, Math.max(this.#bytes.byteLength * 2, total)));
      grown.set(this.#bytes.subarray(0, this.#total));
      this.#bytes = grown;
    }
    this.#bytes.set(chunk, this.#total);
    this.#total = total;
    return true;
  }

  /** The body as UTF-8 text, or invalid-utf8 (a fatal decoder). */
  text(): BodyRead {
    try {
      return { ok: true, text: fatalDecoder.decode(this.#bytes.subarray(0, this.#total)) };
    } catch {
      return { ok: false, reason: "invalid-utf8" };
    }
  }
}

// A fatal decoder without `stream` keeps no state between calls: one serves every request.
const fatalDecoder = new TextDecoder("utf-8", { fatal: true });

/** Where `readCapped` pulls chunks from: a stream reader, or a node request's async iterator. */
export interface ChunkSource {
  next(): Promise<IteratorResult<Uint8Array | string>>;
  /** Stops pulling, past the cap or the deadline (a node request keeps its socket for the answer). */
  stop(): void;
}

const encoder = new TextEncoder();

/**
 * Reads chunks into a `CappedBody` until the end, the cap or the deadline: the one loop behind
 * every body reader that pulls (the Fetch path, and the Node adapter's iterator fallback).
 */
export async function readCapped(
  source: ChunkSource,
  maxBytes: number,
  declaredLength: string | null,
  timeoutMs: number,
): Promise<BodyRead> {
  const body = new CappedBody(maxBytes, declaredLength);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), timeoutMs);
    (timer as { unref?: () => void }).unref?.();
  });
  try {
    for (;;) {
      const next = await Promise.race([source.next(), late]);
      if (next === "late") {
        source.stop();
        return { ok: false, reason: "too-slow" };
      }
      if (next.done) break;
      if (!body.add(typeof next.value === "string" ? encoder.encode(next.value) : next.value)) {
        // Stop reading here: the rest of an oversized body is never pulled into memory.
        source.stop();
        return { ok: false, reason: "too-large" };
      }
    }
  } catch (error) {
    return { ok: false, reason: "stream-error", error };
  } finally {
    clearTimeout(timer);
  }
  return body.text();
}

/** Reads the body as UTF-8 text, at most `maxBytes` of it, within `timeoutMs`. */
export async function readCappedText(request: Request, maxBytes: number, timeoutMs: number): Promise<BodyRead> {
  const stream = request.body;
  if (stream === null) return { ok: true, text: "" };
  const reader = stream.getReader();
  const source: ChunkSource = {
    next: () => reader.read() as Promise<IteratorResult<Uint8Array>>,
    stop: () => void reader.cancel().catch(() => {}),
  };
  return readCapped(source, maxBytes, request.headers.get("content-length"), timeoutMs);
}
