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

/** Reads the body as UTF-8 text, at most `maxBytes` of it, within `timeoutMs`. */
export async function readCappedText(request: Request, maxBytes: number, timeoutMs: number): Promise<BodyRead> {
  const body = request.body;
  if (body === null) return { ok: true, text: "" };
  const reader = body.getReader();
  // One buffer, never a list of chunks: a body sent a byte at a time would otherwise hold an
  // object per byte, many times the cap. It starts at the declared length (capped) and doubles.
  const declared = Number(request.headers.get("content-length"));
  let bytes = new Uint8Array(Math.min(maxBytes, Number.isInteger(declared) && declared > 0 ? declared : 16_384));
  let total = 0;
  let late = false;
  const timer = setTimeout(() => {
    late = true;
    reader.cancel().catch(() => {});
  }, timeoutMs);
  (timer as { unref?: () => void }).unref?.();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (late) return { ok: false, reason: "too-slow" };
      if (done) break;
      if (total + value.byteLength > maxBytes) {
        // Stop reading here: the rest of an oversized body is never pulled into memory.
        reader.cancel().catch(() => {});
        return { ok: false, reason: "too-large" };
      }
      if (total + value.byteLength > bytes.byteLength) {
        const grown = new Uint8Array(Math.min(maxBytes, Math.max(bytes.byteLength * 2, total + value.byteLength)));
        grown.set(bytes.subarray(0, total));
        bytes = grown;
      }
      bytes.set(value, total);
      total += value.byteLength;
    }
  } catch (error) {
    return late ? { ok: false, reason: "too-slow" } : { ok: false, reason: "stream-error", error };
  } finally {
    clearTimeout(timer);
  }
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, total)) };
  } catch {
    return { ok: false, reason: "invalid-utf8" };
  }
}
