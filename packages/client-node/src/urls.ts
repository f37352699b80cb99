import { ContactsValidationError } from "@sfmc-contacts/core";

const SUBDOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

const invalid = (message: string, reason: string) => new ContactsValidationError(message, { reason });

/** Checks a tenant subdomain: letters, digits and hyphens only, so it cannot point requests elsewhere. */
export function checkSubdomain(subdomain: unknown): string {
  if (typeof subdomain !== "string" || !SUBDOMAIN.test(subdomain)) {
    throw invalid(
      `subdomain must be letters, digits and hyphens (the part before .rest.marketingcloudapis.com), got ${JSON.stringify(subdomain)}`,
      "invalid subdomain",
    );
  }
  return subdomain;
}

/**
 * Checks a base URL the caller set explicitly: https, or plain http only for a loopback host.
 * Returns it without a trailing slash.
 */
export function checkExplicitBase(url: unknown, name: string): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw invalid(`${name} must be an absolute URL, got ${JSON.stringify(url)}`, `invalid ${name}`);
  }
  if (parsed.search || parsed.hash || parsed.username || parsed.password) {
    throw invalid(`${name} must not carry a query, a fragment or credentials`, `invalid ${name}`);
  }
  if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && LOOPBACK.test(parsed.hostname))) {
    throw invalid(
      `${name} must use https (plain http is accepted only for localhost, 127.x.x.x and [::1]), got ${parsed.origin}`,
      `insecure ${name}`,
    );
  }
  return parsed.href.replace(/\/+$/, "");
}

/** A tenant's REST host: one subdomain label (letters, digits, hyphens inside) of rest.marketingcloudapis.com. */
const REST_HOST = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.rest\.marketingcloudapis\.com$/;

/**
 * Whether a REST base may receive a token without the caller naming it: https, a tenant's
 * `*.rest.marketingcloudapis.com` host, the default port. The client applies this rule to the
 * token route's `rest_instance_url`; `sfmc-contacts doctor` applies the same one.
 *
 * @example
 * ```ts
 * isMarketingCloudRest("https://mc1.rest.marketingcloudapis.com"); // true
 * isMarketingCloudRest("https://mc1.rest.marketingcloudapis.com.evil.example"); // false
 * ```
 */
export function isMarketingCloudRest(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" && parsed.port === "" && REST_HOST.test(parsed.hostname);
  } catch {
    return false;
  }
}

/**
 * Reads the token route's `rest_instance_url`: an absolute http(s) URL of printable ASCII, without
 * credentials, query, fragment or backslash, as its origin and path without a trailing slash; ""
 * for anything else (nothing may then be sent to it, see {@link isMarketingCloudRest}).
 *
 * @example
 * ```ts
 * readRestUrl("https://mc1.rest.marketingcloudapis.com/"); // "https://mc1.rest.marketingcloudapis.com"
 * readRestUrl("https://user@mc1.rest.marketingcloudapis.com/"); // ""
 * ```
 */
export function readRestUrl(value: unknown): string {
  if (typeof value !== "string" || !/^https?:\/\/[\x21-\x7e]+$/i.test(value) || /[\\?#@]/.test(value)) return "";
  try {
    const url = new URL(value);
    return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
  } catch {
    return "";
  }
}

/** A server's string for a message: quoted (control characters escaped), at most 100 characters. */
export const quote = (value: string): string =>
  JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}...` : value);
