/**
 * The behaviour `@sfmc-contacts/client-browser` and `@sfmc-contacts/client-node` share: input
 * checks, typed errors, retries with backoff that honours `Retry-After`, per-attempt timeouts,
 * result mapping and streaming bulk establish. Apps use one of the two clients; this package is
 * for them and for custom runtimes.
 *
 * @example
 * ```ts
 * import { ContactsApiError } from "@sfmc-contacts/core";
 * ```
 *
 * @packageDocumentation
 */
export type { AuthSource, Credentials } from "./auth.js";
export {
  type ClientOptions,
  type ContactsClient,
  type CoreConfig,
  createContactsCore,
  type EstablishAllCallOptions,
  type EstablishOptions,
} from "./client.js";
export {
  ContactsApiError,
  ContactsAuthError,
  ContactsError,
  type ContactsErrorCode,
  ContactsNetworkError,
  ContactsTimeoutError,
  ContactsValidationError,
  isContactsError,
} from "./errors.js";
export {
  type AcknowledgedResult,
  type EstablishAllOptions,
  type EstablishAllProgress,
  type EstablishAllRun,
  type EstablishAllSummary,
  MAX_BATCH_SIZE,
  MAX_CONCURRENCY,
} from "./establish-all-options.js";
export type { ContactsEvent, ContactsEventListener } from "./events.js";
export { assertContactKeys, MAX_CONTACT_KEY_LENGTH } from "./keys.js";
export type {
  AcknowledgedKey,
  ContactResult,
  EstablishAcknowledgement,
  EstablishedKey,
  EstablishResult,
  FailedKey,
  FailureCode,
} from "./results.js";
export { parseRetryAfter, type RetryOptions } from "./retry.js";
export { ContactsThrottledError, type ThrottledStop } from "./throttled-error.js";
export type { EstablishTransport, TransportReply, TransportRequest } from "./transport.js";
