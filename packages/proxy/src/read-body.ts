/**
 * Reads a request body with a byte cap, before anything parses it. The cap is checked on the
 * declared `Content-Length` first (no read at all) and then on every chunk, so a chunked body or a
 * `Content-Length` that lies costs at most the cap in memory: reading stops at the first chunk past
 * it. The text must be valid UTF-8 (a fatal decoder): a replacement character would otherwise turn
 * a key into another key.
 */

/** What reading the body gave. */
export type BodyRead =
  | { ok: true; text: string }
  | { ok: false; reason: "too-large" }
  | { ok: false; reason: "invalid-utf8" }
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

/** Reads the body as UTF-8 text, at most `maxBytes` of it. */
export async function readCappedText(request: Request, maxBytes: number): Promise<BodyRead> {
  const body = request.body;
  if (body === null) return { ok: true, text: "" };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        // Stop reading here: the rest of an oversized body is never pulled into memory.
        reader.cancel().catch(() => {});
        return { ok: false, reason: "too-large" };
      }
      chunks.push(value);
    }
  } catch (error) {
    return { ok: false, reason: "stream-error", error };
  }
  const bytes = chunks.length === 1 ? (chunks[0] as Uint8Array) : concat(chunks, total);
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, reason: "invalid-utf8" };
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}
