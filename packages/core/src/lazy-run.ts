import type { EstablishAllRun } from "./establish-all-options.js";

/**
 * A run whose implementation is a dynamic import: bulk code stays out of bundles that only call
 * `establish` (the browser client's budget). Behaves exactly like the run it wraps: calls reach
 * it in the order they were made.
 * @internal
 */
export function lazyRun<Result>(loading: Promise<EstablishAllRun<Result>>): EstablishAllRun<Result> {
  return {
    done: () => loading.then((run) => run.done()),
    stop: () => void loading.then((run) => run.stop()),
    [Symbol.asyncIterator]: () => {
      const iterator = loading.then((run) => run[Symbol.asyncIterator]());
      return {
        next: async () => (await iterator).next(),
        // The run's own iterator always has `return`.
        return: async () => (await iterator).return?.() as Promise<IteratorResult<Result>>,
      };
    },
  };
}
