/**
 * What the proxy reports to `onEvent`. An event never holds a header, a body, a cookie or a
 * token: only what happened, to which request, who the caller was (the identity `authorize`
 * returned) and how long it took.
 */
import type { ContactsEvent } from "@sfmc-contacts/core";

/**
 * Why the proxy answered as it did, on every `response` event. `upstream` is Marketing Cloud's
 * own answer passed on; `upstream-throttled` is a 429 the proxy gave without sending anything,
 * because Marketing Cloud paused these credentials a moment ago and the pause is not over.
 *
 * @example
 * ```ts
 * const refused: ProxyResponseReason[] = ["unauthorized", "forbidden", "origin", "too-many-keys"];
 * ```
 */
export type ProxyResponseReason =
  | "not-found"
  | "method-not-allowed"
  | "preflight"
  | "origin"
  | "unsupported-media-type"
  | "too-large"
  | "body-timeout"
  | "unauthorized"
  | "forbidden"
  | "invalid-body"
  | "too-many-keys"
  | "upstream"
  | "upstream-throttled"
  | "upstream-credentials"
  | "upstream-unreachable"
  | "upstream-timeout"
  | "client-closed"
  | "misconfigured"
  | "internal";

/**
 * An event of the proxy, for logs and metrics:
 * - `request`: a request arrived (`path` is the pathname cut to 200 characters; the query is left out, as it may hold tokens);
 * - `decision`: what `authorize` decided, with the caller's identity when it allowed;
 * - `upstream`: an event of the Node client that forwarded the request (token, request, response, retry);
 * - `response`: the answer's status and why, the identity from the decision on, and the number of keys once the body was read.
 *
 * @example
 * ```ts
 * createContactsProxy({
 *   authorize,
 *   onEvent: (event) => {
 *     if (event.type === "response") console.log(event.requestId, event.status, event.reason, event.identity);
 *   },
 * });
 * ```
 */
export type ProxyEvent<Identity = unknown> =
  | { type: "request"; requestId: string; method: string; path: string; origin: string | null }
  | { type: "decision"; requestId: string; allowed: true; identity: Identity }
  | {
      type: "decision";
      requestId: string;
      allowed: false;
      status: 401 | 403;
      reason: "refused" | "threw" | "invalid-decision";
      error?: unknown;
    }
  | { type: "upstream"; requestId?: string; identity?: Identity; event: ContactsEvent }
  | {
      type: "response";
      requestId: string;
      status: number;
      durationMs: number;
      reason: ProxyResponseReason;
      identity?: Identity;
      keys?: number;
      error?: Error;
    };
