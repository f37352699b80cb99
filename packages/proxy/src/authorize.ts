/**
 * Runs the app's `authorize` and reads its answer strictly: only `{ identity }` allows. A refusal,
 * a throw and anything unexpected (`null`, `{}`, `{ status: 500 }`) refuse, so a bug in
 * `authorize` never opens the route.
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

/** Calls `authorize` and normalises what it returned or threw; never throws. */
export async function runAuthorize<Identity>(
  authorize: Authorize<Identity>,
  request: Request,
): Promise<AuthorizeOutcome<Identity>> {
  let decision: unknown;
  try {
    decision = await authorize(request);
  } catch (error) {
    const status = (error as { status?: unknown } | null | undefined)?.status === 403 ? 403 : 401;
    // The thrown error's text may name internals: it goes into the decision event, not to the caller.
    return { allowed: false, status, reason: "threw", message: defaultMessage(status), error };
  }
  if (decision !== null && typeof decision === "object") {
    if ("status" in decision) {
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
    } else if ("identity" in decision) {
      return { allowed: true, identity: (decision as { identity: Identity }).identity };
    }
  }
  return { allowed: false, status: 401, reason: "invalid-decision", message: defaultMessage(401) };
}
