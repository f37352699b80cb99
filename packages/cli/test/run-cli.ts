/** Runs the built `sfmc-contacts` as a child process with real stdio. */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * The built bin. SFMC_CONTACTS_CLI_BIN points the tests at another build, to check that a
 * regression test fails on the code from before its fix.
 */
export const bin = process.env.SFMC_CONTACTS_CLI_BIN || fileURLToPath(new URL("../dist/bin.mjs", import.meta.url));
export const examples = fileURLToPath(new URL("../../../examples/", import.meta.url));

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string>;
  stdin?: string | Uint8Array;
  /** Extra node flags (e.g. --import of a probe). */
  nodeArgs?: string[];
  /** Called with the child as soon as it starts (to send signals). */
  onStart?: (child: ChildProcess, output: { stdout: () => string; stderr: () => string }) => void;
  /** A hang guard, not a speed limit: the child is killed after this long. Default 120 s. */
  timeoutMs?: number;
  /** Leave stdin open after writing `stdin` (an idle pipe); it is closed when the child ends. */
  stdinOpen?: boolean;
  /** Run the child as this user and group (a root test run checks permissions as `nobody`). */
  uid?: number;
  gid?: number;
}

/** The default hang guard: a run takes a second or two, many times that on a loaded machine. */
const HANG_GUARD_MS = 120_000;

/** The environment of a child: no SFMC_* credentials of the machine leak into a test. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("SFMC_") && value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    // Run the bin as a user's shell does (its shebang), unless node flags are needed.
    const [command, argv] = options.nodeArgs
      ? [process.execPath, [...options.nodeArgs, "--", bin, ...args]]
      : [bin, args];
    const child = spawn(command, argv, {
      env: cleanEnv(options.env),
      stdio: ["pipe", "pipe", "pipe"],
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
    });
    // A child that exits without reading all of stdin makes the pipe fail (EPIPE): not a test error.
    child.stdin.on("error", () => {});
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `sfmc-contacts ${args.join(" ")} did not finish within ${options.timeoutMs ?? HANG_GUARD_MS} ms\n${stderr}`,
        ),
      );
    }, options.timeoutMs ?? HANG_GUARD_MS);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (options.stdinOpen) {
      if (options.stdin !== undefined) child.stdin.write(options.stdin);
      child.on("close", () => child.stdin.destroy());
    } else if (options.stdin !== undefined) child.stdin.end(options.stdin);
    else child.stdin.end();
    options.onStart?.(child, { stdout: () => stdout, stderr: () => stderr });
  });
}

/** The environment that points the CLI at a loopback service (any credentials do there). */
export function loopbackEnv(url: string): Record<string, string> {
  return {
    SFMC_CLIENT_ID: "id",
    SFMC_CLIENT_SECRET: "cli-secret-never-printed",
    SFMC_REST_BASE_URL: url,
    SFMC_AUTH_BASE_URL: url,
  };
}

/** The rows of ndjson output. */
export function ndjsonRows<T = { key: string; result: string; reason?: string }>(text: string): T[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}

/** The keys an ndjson run established, in order. */
export const established = (run: CliRun): string[] =>
  ndjsonRows(run.stdout)
    .filter((row) => row.result === "established")
    .map((row) => row.key);

/**
 * Writes into `dir` a module hook that refuses to resolve every specifier `refused` matches, with
 * the error `<what> (<specifier> from <importer>)`. Returns the file for `node --import`, so a test
 * can prove a module stays unloaded.
 */
export async function refuseImports(dir: string, name: string, refused: RegExp, what: string): Promise<string> {
  const hooks = join(dir, `${name}-hooks.mjs`);
  await writeFile(
    hooks,
    `const refused = new RegExp(${JSON.stringify(refused.source)}, ${JSON.stringify(refused.flags)});
export async function resolve(specifier, context, next) {
  if (refused.test(specifier)) throw new Error(\`${what} (\${specifier} from \${context.parentURL})\`);
  return next(specifier, context);
}
`,
  );
  const register = join(dir, `${name}.mjs`);
  await writeFile(
    register,
    `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
  return register;
}
