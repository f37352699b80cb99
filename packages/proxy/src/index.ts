/**
 * `@sfmc-contacts/proxy`: the server half of `@sfmc-contacts/client-browser`. Work in progress (issue 16).
 *
 * @example
 * ```ts
 * import { createContactsProxy } from "@sfmc-contacts/proxy";
 * ```
 *
 * @packageDocumentation
 */
export {};
