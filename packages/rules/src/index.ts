/**
 * How Salesforce Marketing Cloud's `POST /contacts/v1/establish` reads a request, as code: shared by
 * `@sfmc-contacts/mocks` (which answers with these rules) and `@sfmc-contacts/proxy` (which enforces
 * them before forwarding). Work in progress (issue 16).
 *
 * @example
 * ```ts
 * import { parseEstablishRequest } from "@sfmc-contacts/rules";
 * ```
 *
 * @packageDocumentation
 */
export {};
