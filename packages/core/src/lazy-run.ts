import type { EstablishAllRun } from "./establish-all-options.js";

/**
 * A run whose implementation is a dynamic import: bulk code stays out of bundles that only call
 * `establish` (the browser client's budget). Behaves exactly like the run it wraps.
 * @internal
 */
export function lazyRun<Result>(loading: Promise<{ run: EstablishAllRun<Result> }>): EstablishAllRun<Result> {
  // The run is a thenable, so `loading` resolves to a wrapper: a promise would adopt the run itself.
  return {
    stop: () => void loading.then((loaded) => loaded.run.stop()),
    // biome-ignore lint/suspicious/noThenProperty: the run is awaitable by design: `await run` gives the summary.
    then: (onFulfilled, onRejected) => loading.then((loaded) => loaded.run).then(onFulfilled, onRejected),
    [Symbol.asyncIterator]: () => {
      const iterator = loading.then((loaded) => loaded.run[Symbol.asyncIterator]());
      return {
        next: async () => (await iterator).next(),
        // The run's own iterator always has `return`.
        return: async () => (await iterator).return?.() as Promise<IteratorResult<Result>>,
      };
    },
  };
}
