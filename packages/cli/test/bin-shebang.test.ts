/**
 * Issue 11, point 15: the bin starts wherever `env` does (BusyBox's, Alpine's), and a missing
 * credentials file gets the CLI's own message, not Node's exit 9.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ContactsHttpServer, startContactsHttpServer } from "@sfmc-contacts/mocks/http-server";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { bin, type CliRun, runCli } from "./run-cli.js";

let dir: string;
let service: ContactsHttpServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sfmc-contacts-bin-"));
  service = await startContactsHttpServer({ seed: 3 });
});
afterAll(async () => {
  await service?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The interpreter and its one argument, split the way Linux splits a `#!` line. */
async function shebang(): Promise<{ line: string; interpreter: string; argument: string | undefined }> {
  const line = (await readFile(bin, "utf8")).split("\n", 1)[0] ?? "";
  const rest = line.slice(2).trim();
  const space = rest.search(/[ \t]/);
  // Everything after the interpreter is ONE argument, spaces and all: `env -S node --` hands env
  // the single argument "-S node --".
  return space < 0
    ? { line, interpreter: rest, argument: undefined }
    : { line, interpreter: rest.slice(0, space), argument: rest.slice(space).trim() };
}

/** Where BusyBox is, or undefined. */
function busybox(): string | undefined {
  const found = spawnSync("sh", ["-c", "command -v busybox"], { encoding: "utf8" });
  return found.status === 0 && found.stdout.trim() ? found.stdout.trim() : undefined;
}
const NO_BUSYBOX = "no busybox on this machine (Debian: apt-get install -y busybox; .ci/run installs it)";

/** Skips a test and says why where the default reporter shows it (it does not print skip notes). */
function skipBecause(context: TestContext, why: string): never {
  console.warn(`skipped: ${why}`);
  return context.skip(why);
}

/** Runs a command with a hang guard; the environment carries no SFMC_* credentials. */
function run(command: string, args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("SFMC_")));
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const guard = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} ${args.join(" ")} did not finish within 120 s\n${stderr}`));
    }, 120_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const MOCK_RUN = ["establish", "--mock", "--quiet", "--format", "ndjson", "k1", "k2"];
function expectTwoEstablished(result: CliRun): void {
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  const rows = result.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { key: string; result: string });
  expect(rows.map((row) => [row.key, row.result])).toEqual([
    ["k1", "established"],
    ["k2", "established"],
  ]);
}

describe("the shebang", () => {
  it("is exactly #!/usr/bin/env node: no -S, which BusyBox's env (Alpine's) lacks", async () => {
    expect((await shebang()).line).toBe("#!/usr/bin/env node");
    const source = await readFile(new URL("../src/bin.ts", import.meta.url), "utf8");
    expect(source.split("\n", 1)[0]).toBe("#!/usr/bin/env node");
  });
});

describe("credentials from a file, through the shebang", () => {
  it("reads them from --dotenv <path> and establishes against the service it names", async () => {
    const file = join(dir, "sfmc.env");
    await writeFile(
      file,
      [
        "SFMC_CLIENT_ID=from-the-file",
        "SFMC_CLIENT_SECRET=file-secret-never-printed",
        `SFMC_REST_BASE_URL=${service.url}`,
        `SFMC_AUTH_BASE_URL=${service.url}`,
      ].join("\n"),
    );
    const result = await runCli(["establish", "--dotenv", file, "--quiet", "--format", "ndjson", "k1", "k2"]);
    expectTwoEstablished(result);
    expect(service.mock.store.has("k1") && service.mock.store.has("k2")).toBe(true);
    const token = service.mock.requests.find((request) => request.route === "token");
    expect(token?.body).toMatchObject({ client_id: "from-the-file" });
  });

  it("a missing --dotenv file gets the CLI's own message and exit 2, not Node's exit 9", async () => {
    const missing = join(dir, "no-such.env");
    const result = await runCli(["establish", "--dotenv", missing, "k1"]);
    expect(result.stderr).toContain(`Cannot read --dotenv ${missing}: no such file`);
    expect(result.stderr).not.toContain("node:");
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
  });

  it("the trap bin.ts documents: Node itself exits 9 on --env-file <missing> even after the script name", async () => {
    // If this starts failing, Node.js stopped scanning the script's arguments, and the CLI could
    // take --env-file again.
    const script = join(dir, "argv.mjs");
    await writeFile(script, "console.log(JSON.stringify(process.argv.slice(2)));\n");
    const missing = join(dir, "missing.env");
    for (const args of [
      ["establish", "--env-file", missing],
      ["establish", `--env-file=${missing}`],
    ]) {
      const result = await run(process.execPath, [script, ...args]);
      expect(result.code).toBe(9);
      expect(result.stderr).toContain(`${missing}: not found`);
      expect(result.stdout).toBe("");
    }
    // A `--` ahead of it stops the scan; that is what `env -S node --` passed, and nothing portable can.
    const dashed = await run(process.execPath, ["--", script, "establish", "--env-file", missing]);
    expect(dashed.code).toBe(0);
    expect(JSON.parse(dashed.stdout)).toEqual(["establish", "--env-file", missing]);
  });
});

describe("under BusyBox's env (Alpine's, and most small containers')", () => {
  it("starts as Linux runs its #! line: busybox env <the line's one argument> <the bin>", async (context) => {
    const box = busybox();
    if (!box) skipBecause(context, NO_BUSYBOX);
    const { interpreter, argument } = await shebang();
    expect(interpreter).toBe("/usr/bin/env");
    expectTwoEstablished(
      await run(box as string, ["env", ...(argument === undefined ? [] : [argument]), bin, ...MOCK_RUN]),
    );
  });

  it("starts through the kernel with BusyBox as /usr/bin/env (a private mount namespace, where permitted)", async (context) => {
    const box = busybox();
    if (!box) skipBecause(context, NO_BUSYBOX);
    // Bind BusyBox over /usr/bin/env in a mount namespace of its own (nothing outside it changes),
    // then exec the bin itself: the kernel reads the #! line and runs BusyBox's env.
    const probe = spawnSync(
      "unshare",
      [
        "-m",
        "sh",
        "-c",
        'mount --bind "$0" /usr/bin/env || exit 1; /usr/bin/env --help 2>&1 | head -n 1',
        box as string,
      ],
      { encoding: "utf8", timeout: 60_000 },
    );
    if (probe.status !== 0 || !`${probe.stdout}${probe.stderr}`.includes("BusyBox")) {
      skipBecause(
        context,
        `this machine does not let a test bind-mount BusyBox over /usr/bin/env (unshare -m: ${(probe.stderr || String(probe.error ?? "")).trim().split("\n")[0]}); the busybox env run above still checks the #! line`,
      );
    }
    const quoted = MOCK_RUN.map((arg) => `'${arg}'`).join(" ");
    const result = await run("unshare", [
      "-m",
      "sh",
      "-c",
      `mount --bind "$0" /usr/bin/env && exec "$1" ${quoted}`,
      box as string,
      bin,
    ]);
    expectTwoEstablished(result);
  });
});
