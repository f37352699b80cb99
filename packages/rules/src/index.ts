/**
 * How Salesforce Marketing Cloud's `POST /contacts/v1/establish` reads a request, as code: shared by
 * `@sfmc-contacts/mocks` (which answers with these rules) and `@sfmc-contacts/proxy` (which enforces
 * them before forwarding).
 *
 * @example
 * ```ts
 * import { marketingCloudError } from "@sfmc-contacts/rules";
 * ```
 *
 * @packageDocumentation
 */
export { ERROR_DOCUMENTATION_URL, marketingCloudError, RATE_LIMIT_DOCUMENTATION_URL } from "./error-body.js";
