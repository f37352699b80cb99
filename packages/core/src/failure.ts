/**
 * The errors for answers the clients do not use: an error status, a redirect, a body over
 * `maxResponseBytes`. Loaded on first use, so the code (and the messages) stay out of the
 * browser bundle of an app whose requests succeed.
 */
import type { MarketingCloudError } from "@sfmc-contacts/types";
// Through the main entry, so bundlers keep core's shared code in one chunk (see keys.ts).
import { ContactsApiError, isRedirect, parseRetryAfter, type TransportReply } from "./index.js";
import { json } from "./pipeline.js";

/** The error for a redirect, or (with `max`) for a body over `maxResponseBytes`. Never retried. */
export const answerRefused = (status: number, max?: number): ContactsApiError =>
  new ContactsApiError(
    max
      ? `Answer (HTTP ${status}) over maxResponseBytes (${max}): reading stopped`
      : `Redirect (HTTP ${status}) refused: requests use redirect: "manual"; nothing was sent to its Location`,
    { status, retryable: false },
  );

/** The error for a non-200 answer, with Marketing Cloud's fields when the body has them. */
export function apiError({ status, text, header }: TransportReply): ContactsApiError {
  // Whatever the transport: a redirect is refused, never retried.
  if (isRedirect(status)) return answerRefused(status);
  const parsed = json(text) as MarketingCloudError | undefined;
  // A Marketing Cloud error body has a message; a proxy's error page (HTML, say) does not parse.
  const body = parsed?.message ? parsed : undefined;
  const retryAfterMs = parseRetryAfter(header("retry-after"));
  return new ContactsApiError(
    `Marketing Cloud answered ${status}${body ? `: ${body.message} (errorcode ${body.errorcode})` : ""}`,
    {
      status,
      body,
      retryAfter: retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000),
      requestId: header("x-request-id") ?? undefined,
    },
  );
}
