/**
 * The doctor's own requests: plain fetch, not the client, so it sees each answer as it came (the
 * client would retry, unwrap, renew or refuse it first). A redirect is reported, never followed
 * (the token request carries the client secret, establish the token); one time limit covers the
 * request and the whole body; the body is read up to a size cap.
 */
import type { Answer } from "./doctor-validate.js";

/** The most of a body the doctor reads. An answer for one key is a few kilobytes. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/** A request that got no answer: why, as the system said it. */
export interface NetworkFailure {
  /** `ENOTFOUND`, `ECONNREFUSED`, ..., or `TIMEOUT` when --timeout ran out. */
  code: string;
  message: string;
}

export type Exchange = { answer: Answer; failure?: undefined } | { answer?: undefined; failure: NetworkFailure };

/** The cause fetch gives for a failed request ("fetch failed"), down to the system's code. */
function failureOf(error: unknown): NetworkFailure {
  let at: unknown = error;
  for (let depth = 0; depth < 5 && at instanceof Error; depth++) {
    const code = (at as NodeJS.ErrnoException).code;
    if (code) return { code, message: at.message };
    // An AggregateError (every address of a host refused) carries its causes in errors.
    at = at.cause ?? (at as Partial<AggregateError>).errors?.[0];
  }
  return { code: "UNKNOWN", message: error instanceof Error ? error.message : String(error) };
}

/** Sends one POST with a JSON body and reads its answer. Never throws. */
export async function exchange(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<Exchange> {
  const controller = new AbortController();
  // A timer of our own, not AbortSignal.timeout: Node holds a timeout signal weakly (see core's raw).
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...headers },
      body,
      redirect: "manual",
      signal: controller.signal,
    });
    const chunks: Uint8Array[] = [];
    let size = 0;
    let overCap = false;
    const reader = response.body?.getReader();
    while (reader) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_ANSWER_BYTES) {
        overCap = true;
        chunks.push(value.subarray(0, value.byteLength - (size - MAX_ANSWER_BYTES)));
        await reader.cancel();
        break;
      }
      chunks.push(value);
    }
    const text = new TextDecoder().decode(Buffer.concat(chunks));
    return { answer: { status: response.status, headers: response.headers, text, overCap } };
  } catch (error) {
    if (controller.signal.aborted) {
      return { failure: { code: "TIMEOUT", message: `no whole answer within ${timeoutMs} ms` } };
    }
    return { failure: failureOf(error) };
  } finally {
    clearTimeout(timer);
  }
}
