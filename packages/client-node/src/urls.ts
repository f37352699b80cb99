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

/** Whether a URL is a Marketing Cloud host over https, where tokens may go without being told. */
export function isMarketingCloudUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (
      parsed.protocol === "https:" && /^[a-z0-9-]+\.(rest|auth|soap)\.marketingcloudapis\.com$/i.test(parsed.hostname)
    );
  } catch {
    return false;
  }
}
