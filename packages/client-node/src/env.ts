/**
 * The Node client's options from environment variables: one reading, shared by
 * `createContactsClientFromEnv` and `@sfmc-contacts/proxy` (which reads them when it is given no
 * `upstream`).
 */
import { ContactsValidationError } from "@sfmc-contacts/core";
import type { NodeClientOptions } from "./index.js";

/** The environment variables read, by the option each one sets. */
const ENV = {
  subdomain: "SFMC_SUBDOMAIN",
  clientId: "SFMC_CLIENT_ID",
  clientSecret: "SFMC_CLIENT_SECRET",
  accountId: "SFMC_ACCOUNT_ID",
  baseUrl: "SFMC_REST_BASE_URL",
  authBaseUrl: "SFMC_AUTH_BASE_URL",
} as const;

/**
 * The options the environment gives, with `overrides` on top. `SFMC_SUBDOMAIN`, `SFMC_CLIENT_ID`
 * and `SFMC_CLIENT_SECRET` are required (`SFMC_SUBDOMAIN` may be left out when both base URLs are
 * set) unless `overrides` gives them; blank values count as missing. Throws a
 * `ContactsValidationError` listing every missing variable, and what to pass `instead`.
 *
 * @example
 * ```ts
 * const options = optionsFromEnv(process.env, { timeoutMs: 15_000 }, "upstream");
 * ```
 */
export function optionsFromEnv(
  env: Record<string, string | undefined>,
  overrides: Partial<NodeClientOptions> = {},
  instead = "the options",
): NodeClientOptions {
  const found: Partial<Record<keyof typeof ENV, string>> = {};
  for (const [option, name] of Object.entries(ENV) as Array<[keyof typeof ENV, string]>) {
    const value = env[name]?.trim();
    if (value) found[option] = value;
  }
  const required: Array<keyof typeof ENV> = ["clientId", "clientSecret"];
  if (!(found.baseUrl && found.authBaseUrl)) required.unshift("subdomain");
  const missing = required
    .filter((option) => found[option] === undefined && overrides[option] === undefined)
    .map((option) => ENV[option]);
  if (missing.length > 0) {
    throw new ContactsValidationError(
      `Missing environment variable${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}. Set ${missing.length > 1 ? "them" : "it"} (or pass ${instead}) to reach Marketing Cloud.`,
      { reason: `missing ${missing.join(", ")}` },
    );
  }
  return { ...(found as NodeClientOptions), ...overrides };
}
