/**
 * Prism 5 in proxy mode: it forwards every request to an upstream and validates both the request
 * and the upstream's answer against the spec. Prism is Stoplight's tool, nobody here wrote it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const prismCli = fileURLToPath(new URL("../../node_modules/@stoplight/prism-cli/dist/index.js", import.meta.url));
const spec = fileURLToPath(new URL("../../../../specs/openapi.yaml", import.meta.url));

/** A free port on 127.0.0.1 (another process may take it before Prism does: startPrismProxy retries). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A running `prism proxy`. */
export interface PrismProxy {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The last lines Prism printed, for a failure message. */
  output(): string;
  stop(): Promise<void>;
}

/** Keeps the tail of Prism's log: it logs every request, and an unread pipe would block it. */
function tail(limit = 16_384) {
  let text = "";
  return {
    add(chunk: Buffer): void {
      text = (text + chunk.toString()).slice(-limit);
    },
    get text(): string {
      return text;
    },
  };
}

async function launch(document: string, upstream: string, timeoutMs: number): Promise<PrismProxy> {
  const port = await freePort();
  // No --errors: with it, Prism answers a request violation itself (422, or 401 for a missing
  // token) and replaces an answer that violates the spec with its own 500, so neither the client
  // nor the mock would see the other's real message. Without it Prism forwards everything
  // unchanged and reports what it found in both directions in the `sl-violations` header.
  // --multiprocess=false: the child started here is Prism's server itself, so stopping it stops Prism.
  const child: ChildProcess = spawn(
    process.execPath,
    [prismCli, "proxy", document, upstream, "--host", "127.0.0.1", "--port", String(port), "--multiprocess=false"],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } },
  );
  const log = tail();
  child.stdout?.on("data", log.add);
  child.stderr?.on("data", log.add);
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      // A hang guard: Prism exits on SIGTERM at once; SIGKILL only if it does not.
      const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
      child.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill("SIGTERM");
    });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`prism proxy did not start within ${timeoutMs} ms:\n${log.text}`));
    }, timeoutMs);
    const ready = () => {
      if (log.text.includes(`Prism is listening on http://127.0.0.1:${port}`)) {
        clearTimeout(timer);
        child.stdout?.off("data", ready);
        child.off("exit", exited);
        resolve();
      }
    };
    const exited = (code: number | null) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`prism proxy exited with ${code}:\n${log.text}`), { prismOutput: log.text }));
    };
    child.stdout?.on("data", ready);
    child.once("exit", exited);
  });
  return { url: `http://127.0.0.1:${port}`, output: () => log.text, stop };
}

/**
 * Starts `prism proxy <spec> <upstream>` on 127.0.0.1 and a free port. Prism reads a copy of the
 * spec taken now: it watches its document and restarts (closing every connection) when the file
 * changes, and a test run must see one spec from start to end.
 *
 * @param upstream where Prism forwards every request: the mocks' HTTP server, or a loopback stand-in.
 * @param timeoutMs a hang guard for Prism's start, generous for a loaded 2-core machine.
 */
export async function startPrismProxy(upstream: string, timeoutMs = 90_000): Promise<PrismProxy> {
  const dir = await mkdtemp(join(tmpdir(), "sfmc-contacts-prism-"));
  const document = join(dir, "openapi.yaml");
  await copyFile(spec, document);
  for (let attempt = 1; ; attempt++) {
    try {
      const prism = await launch(document, upstream, timeoutMs);
      return {
        ...prism,
        stop: async () => {
          await prism.stop();
          await rm(dir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      // The free port was taken between the probe and Prism's listen: try another, three times at most.
      const output = (error as { prismOutput?: string }).prismOutput ?? "";
      if (attempt >= 3 || !output.includes("EADDRINUSE")) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
}
