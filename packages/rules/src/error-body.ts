/**
 * Marketing Cloud's error body, shared by the mocks (which answer with it) and the proxy (whose own
 * refusals use the same shape, so the browser client reads `message`/`errorcode` the same way).
 */
import type { MarketingCloudError } from "@sfmc-contacts/types";

/**
 * Where Marketing Cloud's error bodies point for documentation.
 *
 * @example
 * ```ts
 * expect(body.documentation).toBe(ERROR_DOCUMENTATION_URL);
 * ```
 */
export const ERROR_DOCUMENTATION_URL =
  "https://developer.salesforce.com/docs/marketing/marketing-cloud/guide/error-handling.html";

/**
 * Where Marketing Cloud's rate-limit and availability errors (errorcode 50000 and up) point for
 * documentation.
 *
 * @example
 * ```ts
 * expect(marketingCloudError(50100, "Rate limit exceeded.").documentation).toBe(RATE_LIMIT_DOCUMENTATION_URL);
 * ```
 */
export const RATE_LIMIT_DOCUMENTATION_URL =
  "https://developer.salesforce.com/docs/marketing/marketing-cloud/guide/rate-limiting-errors.html";

/**
 * A Marketing Cloud error body. Rate-limit and availability codes (50100, 50200, 50300) point at
 * the rate-limiting documentation, every other code at the error-handling page.
 *
 * @example
 * ```ts
 * marketingCloudError(10002, "ContactKeys: required field is missing");
 * marketingCloudError(50100, "Rate limit exceeded.", { retryAfter: 30 });
 * ```
 */
export function marketingCloudError(
  errorcode: number,
  message: string,
  extra: Pick<MarketingCloudError, "additionalErrors" | "retryAfter"> = {},
): MarketingCloudError {
  const documentation = errorcode >= 50000 ? RATE_LIMIT_DOCUMENTATION_URL : ERROR_DOCUMENTATION_URL;
  return { message, errorcode, documentation, ...extra };
}
