/**
 * Prism 5 in proxy mode: it forwards every request to an upstream and validates both the request
 * and the upstream's answer against the spec. Prism is Stoplight's tool, nobody here wrote it.
 */
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Prism, startPrism } from "../../../support/prism.js";

const prismCli = fileURLToPath(new URL("../../node_modules/@stoplight/prism-cli/dist/index.js", import.meta.url));
const spec = fileURLToPath(new URL("../../../../specs/openapi.yaml", import.meta.url));

/** A running `prism proxy`. */
export type PrismProxy = Prism;

/**
 * Starts `prism proxy <spec> <upstream>` on 127.0.0.1 and a free port. Prism reads a copy of the
 * spec taken now: it watches its document and restarts (closing every connection) when the file
 * changes, and a test run must see one spec from start to end.
 *
 * No --errors: with it, Prism answers a request violation itself (422, or 401 for a missing
 * token) and replaces an answer that violates the spec with its own 500, so neither the client
 * nor the mock would see the other's real message. Without it Prism forwards everything
 * unchanged and reports what it found in both directions in the `sl-violations` header.
 *
 * @param upstream where Prism forwards every request: the mocks' HTTP server, or a loopback stand-in.
 * @param timeoutMs a hang guard for Prism's start, generous for a loaded 2-core machine.
 */
export async function startPrismProxy(upstream: string, timeoutMs = 90_000): Promise<PrismProxy> {
  const dir = await mkdtemp(join(tmpdir(), "sfmc-contacts-prism-"));
  const document = join(dir, "openapi.yaml");
  try {
    await copyFile(spec, document);
    const prism = await startPrism({ mode: "proxy", upstream, prismCli, spec: document, errors: false, timeoutMs });
    return {
      ...prism,
      stop: async () => {
        await prism.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
