/**
 * The process-wide rate states, keyed by the token cache's identity: every client of one tenant
 * and credentials shares one gate, one budget and one learned pace. The map lives in a
 * `Symbol.for` slot, so the CommonJS and ESM copies of core (and two clients built on them) share
 * it; the `v1` changes with the state's shape, so two versions keep separate states.
 */
import { createRateState, type RateState, setBudget } from "./throttle.js";

/** The registry, in a non-enumerable `Symbol.for` slot (looked up in the call: no top-level side effect). */
const registry = (): Map<string, RateState> => {
  const slot = Symbol.for("@sfmc-contacts/core.rate-state.v1");
  const global = globalThis as { [slot]?: Map<string, RateState> };
  if (!global[slot]) Object.defineProperty(global, slot, { value: new Map(), configurable: true });
  return global[slot] as Map<string, RateState>;
};

/**
 * The rate state shared by every client of `identity` in the process (created on first use). With
 * `maxRequestsPerSecond`, the budget is set; the lowest setting of the sharing clients applies.
 *
 * @internal
 * @example
 * ```ts
 * const state = sharedRateState(tokens.identity, { maxRequestsPerSecond: 40 });
 * ```
 */
export function sharedRateState(
  identity: string,
  options: { maxRequestsPerSecond?: number | undefined } = {},
): RateState {
  const states = registry();
  const state = states.get(identity);
  if (state) {
    setBudget(state, options.maxRequestsPerSecond);
    return state;
  }
  const created = createRateState(options);
  states.set(identity, created);
  return created;
}

/**
 * Forgets every shared rate state: reopens every gate and drops the learned paces (clients created
 * before hold their state, so it is reset in place), then empties the registry. For tests, and
 * after rotating credentials.
 *
 * @internal
 * @example
 * ```ts
 * clearSharedRateStates();
 * ```
 */
export function clearSharedRateStates(): void {
  const states = registry();
  for (const state of states.values()) {
    state.closedUntil = 0;
    state.pace = undefined;
    state.points = [];
    state.period = { openedAt: Date.now(), sent: 0, failed: 0 };
  }
  states.clear();
}
