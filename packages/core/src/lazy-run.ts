import type { EstablishAllRun } from "./establish-all-options.js";

/**
 * A run whose implementation is a dynamic import: bulk code stays out of bundles that only call
 * `establish` (the browser client's budget). Behaves like the run it wraps.
 * @internal
 */
export function lazyRun<Result>(loading: Promise<EstablishAllRun<Result>>): EstablishAllRun<Result> {
  return {
    done: () => loading.then((run) => run.done()),
    stop: () => void loading.then((run) => run.stop()),
    // Delegation forwards next() and return() (a `break`) to the run's own iterator.
    async *[Symbol.asyncIterator]() {
      yield* await loading;
    },
  };
}
