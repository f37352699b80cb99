/**
 * Internals that `@sfmc-contacts/client-node` and `@sfmc-contacts/client-browser` share with core:
 * event delivery, the redirect and body-cap rules of their transports, core's defaults, and the
 * request pipeline itself (client-node's forwarder for `@sfmc-contacts/proxy` runs it). Not for
 * apps: these may change in any release, and the clients do not re-export them.
 *
 * @example
 * ```ts
 * import { emit, readCapped } from "@sfmc-contacts/core/internal";
 * ```
 *
 * @packageDocumentation
 */
export { emit } from "./events.js";
export {
  type AttemptControl,
  checkTimeout,
  createPipeline,
  DEFAULT_TIMEOUT_MS,
  eitherSignal,
} from "./pipeline.js";
export { resolveRetry } from "./retry.js";
export { fetchTransport, isRedirect, MAX_RESPONSE_BYTES, readCapped, refuseAnswer } from "./transport.js";
