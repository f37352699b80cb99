/** Starts `prism mock --errors` on the spec, bound to 127.0.0.1, and stops it. */
import { fileURLToPath } from "node:url";
import { type Prism, startPrism as startPrismOn } from "../../../../tests/support/prism.js";

const prismCli = fileURLToPath(new URL("../../node_modules/@stoplight/prism-cli/dist/index.js", import.meta.url));
const spec = fileURLToPath(new URL("../../../../specs/openapi.yaml", import.meta.url));

export type { Prism };

/** `--errors`: Prism answers any request that breaks the spec with an error instead of the example. */
export function startPrism(timeoutMs = 60_000): Promise<Prism> {
  return startPrismOn({ mode: "mock", prismCli, spec, errors: true, timeoutMs });
}
