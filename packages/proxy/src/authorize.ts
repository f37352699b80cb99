/**
 * Runs the app's `authorize` and reads its answer strictly: only `{ identity }` with an identity
 * that is not `null` or `undefined` allows. A refusal, a throw and anything unexpected (`null`,
 * `{}`, `{ identity: undefined }`, `{ status: 500 }`, a decision that throws when read) refuse, so
 * a bug in `authorize` never opens the route.
 */
import type { Authorize } from "./options.js";

/** What `authorize` decided, normalised. */
export type AuthorizeOutcome<Identity> =
  | { allowed: true; identity: Identity }
  | {
      allowed: false;
      status: 401 | 403;
      reason: "refused" | "threw" | "invalid-decision";
      message: string;
      error?: unknown;
    };

const MAX_MESSAGE = 500;

const defaultMessage = (status: 401 | 403) => (status === 401 ? "Not Authorized" : "Forbidden");

/** What `runAuthorize` gives when the caller went away before `authorize` settled. */
export const CALLER_GONE = Symbol("caller gone");

/**
 * Calls `authorize` and normalises what it returned or threw; never throws. When the request's
 * signal aborts first (the caller hung up), it stops waiting and gives `CALLER_GONE`: an
 * `authorize` that never settles cannot hold the request forever.
 */
export async function runAuthorize<Identity>(
  authorize: Authorize<Identity>,
  request: Request,
): Promise<AuthorizeOutcome<Identity> | typeof CALLER_GONE> {
  let decision: unknown;
  try {
    decision = await untilAborted(request.signal, () => authorize(request));
  } catch (error) {
    if (error === CALLER_GONE) return CALLER_GONE;
    // The thrown error's text may name internals: it goes into the decision event, not to the caller.
    const status = ownValue(error, "status") === 403 ? 403 : 401;
    return { allowed: false, status, reason: "threw", message: defaultMessage(status), error };
  }
  try {
    return readDecision<Identity>(decision);
  } catch (error) {
    // A decision whose fields cannot be read (a getter that throws, a revoked Proxy) refuses.
    return { allowed: false, status: 401, reason: "invalid-decision", message: defaultMessage(401), error };
  }
}

// Only the decision's own fields count (never inherited ones: a polluted Object.prototype must not
// allow), and an identity must be a value: `{ identity: session?.userId }` with no session refuses.
function readDecision<Identity>(decision: unknown): AuthorizeOutcome<Identity> {
  if (decision !== null && typeof decision === "object") {
    if (Object.hasOwn(decision, "status")) {
      const { status, message } = decision as { status: unknown; message?: unknown };
      if (status === 401 || status === 403) {
        return {
          allowed: false,
          status,
          reason: "refused",
          message:
            typeof message === "string" && message !== "" ? message.slice(0, MAX_MESSAGE) : defaultMessage(status),
        };
      }
    } else if (Object.hasOwn(decision, "identity")) {
      const identity = (decision as { identity: Identity }).identity;
      if (identity !== undefined && identity !== null) return { allowed: true, identity };
    }
  }
  return { allowed: false, status: 401, reason: "invalid-decision", message: defaultMessage(401) };
}

// A field of a thrown value, read without letting a getter or a revoked Proxy throw again.
function ownValue(value: unknown, key: string): unknown {
  try {
    return value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  } catch {
    return undefined;
  }
}

// Runs `work`, and rejects with CALLER_GONE as soon as `signal` aborts (the listener is removed
// either way, so nothing stays attached to a request that ended).
function untilAborted<T>(signal: AbortSignal, work: () => T | PromiseLike<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(CALLER_GONE);
  return new Promise<T>((resolve, reject) => {
    const gone = () => reject(CALLER_GONE);
    signal.addEventListener("abort", gone, { once: true });
    Promise.resolve()
      .then(work)
      .then(resolve, reject)
      .finally(() => signal.removeEventListener("abort", gone));
  });
}
