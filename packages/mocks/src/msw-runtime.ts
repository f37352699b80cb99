/**
 * msw 3 needs Node 22+ (`Promise.withResolvers`, `Set.prototype.intersection`), but the peer range
 * lets it install on Node 20, where it fails late and obscurely: every mocked request rejects with
 * `fetch failed`, and `resetHandlers()` throws `currentHandlers.intersection is not a function`.
 * `setupContactsServer` checks the pair up front and says what to do.
 */
import { createRequire } from "node:module";

/** What the check reads from the runtime. @internal */
export interface RuntimeFeatures {
  node: string;
  withResolvers: boolean;
  setIntersection: boolean;
}

/** The major version of the msw this package loads (the one `msw/node` resolves to), if any. @internal */
export function installedMswMajor(): number | undefined {
  try {
    // Resolved from this file, so it is the same copy `import "msw/node"` gets; msw 2 and 3 both
    // export ./package.json. tsdown turns import.meta.url into the file's URL in the CJS build.
    const { version } = createRequire(import.meta.url)("msw/package.json") as { version?: unknown };
    const major = typeof version === "string" ? Number.parseInt(version, 10) : Number.NaN;
    return Number.isInteger(major) ? major : undefined;
  } catch {
    return undefined;
  }
}

/** This process's features msw 3 relies on. @internal */
export function runtimeFeatures(): RuntimeFeatures {
  return {
    node: process.versions.node,
    withResolvers: typeof (Promise as { withResolvers?: unknown }).withResolvers === "function",
    setIntersection: typeof (Set.prototype as { intersection?: unknown }).intersection === "function",
  };
}

/**
 * Throws when msw 3 runs where it cannot work (Node 20), naming the fix.
 * @internal
 */
export function assertMswRuntime(
  mswMajor: number | undefined = installedMswMajor(),
  features: RuntimeFeatures = runtimeFeatures(),
): void {
  if (mswMajor === undefined || mswMajor < 3) return;
  if (features.withResolvers && features.setIntersection) return;
  throw new Error(
    `@sfmc-contacts/mocks: msw 3 needs Node 22+; use msw 2 on Node 20 (npm install --save-dev msw@^2), or run Node 22 or newer. This is Node ${features.node}, without Promise.withResolvers or Set.prototype.intersection, which msw ${mswMajor} calls.`,
  );
}
