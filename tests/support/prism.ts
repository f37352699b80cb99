/**
 * Starts Stoplight's Prism 5 (`prism mock` or `prism proxy`) on 127.0.0.1 and a free port, and stops
 * it. Prism is Stoplight's tool, nobody here wrote it; each suite that uses it passes the path of
 * its own copy, so this package does not depend on it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";

/** A free port on 127.0.0.1 (another process may take it before Prism does: startPrism retries). */
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

/** How to run Prism: what it serves, and where the caller's copy of it is. */
export type PrismOptions = (
  | {
      /** Answers every request from the spec's examples. */
      mode: "mock";
    }
  | {
      /** Forwards every request to `upstream` and validates the request and the answer. */
      mode: "proxy";
      /** Where Prism forwards every request. */
      upstream: string;
    }
) & {
  /** Prism's CLI script (`@stoplight/prism-cli/dist/index.js`), from the caller's node_modules. */
  prismCli: string;
  /** The OpenAPI document Prism serves. Prism watches it and restarts when it changes. */
  spec: string;
  /**
   * `--errors`: Prism answers a request that violates the spec with its own error (422, or 401 for
   * a missing token), and replaces an answer that violates it with its own 500.
   */
  errors?: boolean;
  /** A hang guard for Prism's start, generous for a loaded 2-core machine. */
  timeoutMs?: number;
};

/** A running Prism. */
export interface Prism {
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

async function launch(options: PrismOptions, timeoutMs: number): Promise<Prism> {
  const port = await freePort();
  const target = options.mode === "proxy" ? [options.upstream] : [];
  // --multiprocess=false: the child started here is Prism's server itself, so stopping it stops
  // Prism (its default depends on NODE_ENV).
  const args = [options.prismCli, options.mode, options.spec, ...target];
  args.push("--host", "127.0.0.1", "--port", String(port), "--multiprocess=false");
  if (options.errors) args.push("--errors");
  const child: ChildProcess = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
  });
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
      reject(new Error(`prism ${options.mode} did not start within ${timeoutMs} ms:\n${log.text}`));
    }, timeoutMs);
    const ready = () => {
      if (log.text.includes(`Prism is listening on http://127.0.0.1:${port}`)) {
        clearTimeout(timer);
        child.stdout?.off("data", ready);
        child.stderr?.off("data", ready);
        child.off("exit", exited);
        resolve();
      }
    };
    const exited = (code: number | null) => {
      clearTimeout(timer);
      child.stdout?.off("data", ready);
      child.stderr?.off("data", ready);
      reject(
        Object.assign(new Error(`prism ${options.mode} exited with ${code}:\n${log.text}`), { prismOutput: log.text }),
      );
    };
    child.stdout?.on("data", ready);
    child.stderr?.on("data", ready);
    child.once("exit", exited);
  });
  return { url: `http://127.0.0.1:${port}`, output: () => log.text, stop };
}

/**
 * Starts Prism on 127.0.0.1 and a free port, and resolves once it listens. If another process took
 * the port between the probe and Prism's listen, it tries another port, three times at most.
 */
export async function startPrism(options: PrismOptions): Promise<Prism> {
  const timeoutMs = options.timeoutMs ?? 90_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(options, timeoutMs);
    } catch (error) {
      const output = (error as { prismOutput?: string }).prismOutput ?? "";
      if (attempt >= 3 || !output.includes("EADDRINUSE")) throw error;
    }
  }
}
