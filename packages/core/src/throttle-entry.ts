/**
 * The request gate that `@sfmc-contacts/client-node` binds to each client: per-run pacing, the
 * shared rate state per credentials, the budget. A separate entry so the browser client, whose
 * gate is its own and is loaded with the first throttling answer or run, does not download it.
 * Not for apps: these may change in any release.
 *
 * @example
 * ```ts
 * import { bindThrottle, sharedRateState } from "@sfmc-contacts/core/throttle";
 * ```
 *
 * @packageDocumentation
 */
export {
  bindThrottle,
  createRateState,
  type RateState,
  type RunLink,
  setBudget,
  type Throttle,
} from "./throttle.js";
export { clearSharedRateStates, sharedRateState } from "./throttle-registry.js";
