import { createWriteStream } from "node:fs";
import { createRequire } from "node:module";
import type { Readable, Writable } from "node:stream";
import {
  type AcknowledgedResult,
  assertContactKeys,
  type ContactResult,
  ContactsAuthError,
  ContactsValidationError,
  clearTokenCache,
  createContactsClient,
  createContactsClientFromEnv,
  type NodeContactsClient,
} from "@sfmc-contacts/client-node";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { CliUsageError, EXIT } from "./cli-error.js";
import { loadEnvironment } from "./credentials.js";
import { type InputKey, openInput } from "./input.js";
import { FailedWriter, FORMATS, type Format, ResultWriter } from "./output.js";
import { createProgress } from "./progress.js";

/**
 * What the CLI reads and writes. The `sfmc-contacts` bin passes the process's; tests pass their own.
 *
 * @example
 * ```ts
 * const code = await main(["establish", "--mock", "Key1"], { ...processIo(), env: {} });
 * ```
 */
export interface CliIo {
  stdin: Readable;
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** Where SIGINT arrives (the process). */
  signals: NodeJS.EventEmitter;
}

/**
 * The process's streams, environment and signals.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2), processIo());
 * ```
 */
export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, signals: process };
}

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

const EXAMPLES = `
Examples:
  $ sfmc-contacts establish Key1 Key2
  $ sfmc-contacts establish --file keys.txt --failed failed.txt
  $ sfmc-contacts establish --file export.csv --column ContactKey --format csv --out results.csv
  $ cut -d, -f1 export.csv | tail -n +2 | sfmc-contacts establish --file - --format ndjson
  $ sfmc-contacts establish --mock --file examples/contacts.csv --column ContactKey
  $ sfmc-contacts establish --dry-run --file keys.txt

Credentials come from the environment (or --env-file), never from flags:
  SFMC_SUBDOMAIN, SFMC_CLIENT_ID, SFMC_CLIENT_SECRET (required), SFMC_ACCOUNT_ID (optional)

Exit codes: 0 all established, 1 some keys failed, 2 usage, input or credential error, 130 interrupted.`;

const positiveInt = (name: string) => (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`${name} must be a whole number >= 1.`);
  return Number(value);
};

interface EstablishFlags {
  file?: string;
  column?: string;
  dedupe?: boolean;
  batchSize: number;
  concurrency: number;
  results: boolean;
  format: Format;
  out?: string;
  failed?: string;
  dryRun?: boolean;
  mock?: boolean;
  seed?: number;
  envFile?: string;
  quiet?: boolean;
}

const fmt = (n: number) => n.toLocaleString("en-US");

/** Why a key cannot be sent, or undefined. */
function keyProblem(key: string): string | undefined {
  try {
    assertContactKeys([key]);
    return undefined;
  } catch (error) {
    return error instanceof ContactsValidationError ? `the key ${error.reason}` : String(error);
  }
}

function openOut(path: string): Writable {
  const stream = createWriteStream(path);
  stream.on("error", () => {});
  return stream;
}

async function establish(keys: string[], flags: EstablishFlags, io: CliIo): Promise<number> {
  if (flags.seed !== undefined && !flags.mock) throw new CliUsageError("--seed only applies with --mock");
  const input = await openInput({ args: keys, file: flags.file, column: flags.column, stdin: io.stdin });
  const writer = new ResultWriter(flags.out ? openOut(flags.out) : io.stdout, flags.format, flags.out !== undefined);
  const failedOut = flags.failed ? new FailedWriter(openOut(flags.failed)) : undefined;
  const say = (line: string) => {
    if (!flags.quiet) io.stderr.write(`${line}\n`);
  };

  // Keys as read, checked one by one: a bad key is reported with its line at once, and never sent.
  let invalid = 0;
  let read = 0;
  let lastWhere = "";
  /** Set once the run is stopped or aborted: it reads nothing more, so nothing more is counted. */
  let halted = false;
  const seen = flags.dedupe ? new Set<string>() : undefined;
  async function* valid(source: AsyncIterable<InputKey>) {
    for await (const { key, where } of source) {
      // A stopped run no longer waits for this generator, which may still be resuming from a read
      // it started before: what arrives now was never taken, so it is neither counted nor reported.
      if (halted) return;
      lastWhere = where;
      const problem = keyProblem(key);
      if (problem) {
        invalid++;
        await writer.write({ key, result: "failed", reason: `${where}: ${problem}` });
        await failedOut?.add(key);
        say(`invalid key at ${where}: ${problem}`);
        continue;
      }
      if (seen) {
        if (seen.has(key)) continue;
        seen.add(key);
      }
      read++;
      yield key;
    }
  }
  if (flags.dryRun) {
    let count = 0;
    for await (const _ of valid(input.keys)) count++;
    const failed = invalid;
    await writer.end();
    await failedOut?.end();
    if (count === 0 && failed === 0) throw new CliUsageError("The input has no keys");
    const batches = Math.ceil(count / flags.batchSize);
    say(
      `Dry run: ${fmt(count)} valid keys would be sent in ${fmt(batches)} requests of up to ${flags.batchSize}; ${fmt(failed)} invalid. Nothing was sent.`,
    );
    return failed > 0 ? EXIT.keysFailed : EXIT.ok;
  }

  let client: NodeContactsClient;
  let stopMock = () => {};
  if (flags.mock) {
    // The fake behind a real server on 127.0.0.1, loaded only for --mock. Not msw: this entry never
    // loads it, so msw (about 20 MB with its dependencies) stays out of the CLI's install, and the
    // run goes through the same undici transport as a real one.
    const { startContactsHttpServer } = await import("@sfmc-contacts/mocks/http-server");
    const service = await startContactsHttpServer({ seed: flags.seed ?? 1 });
    stopMock = () => void service.close();
    // Any credentials do for the mock.
    client = createContactsClient({
      clientId: "mock",
      clientSecret: "mock",
      baseUrl: service.url,
      authBaseUrl: service.url,
      transport: "undici",
    });
  } else {
    try {
      client = createContactsClientFromEnv(loadEnvironment(io.env, flags.envFile), { transport: "undici" });
    } catch (error) {
      if (error instanceof ContactsValidationError) throw new CliUsageError(error.message);
      throw error;
    }
  }

  const abort = new AbortController();
  const progress = createProgress({
    stream: io.stderr,
    total: input.total,
    quiet: flags.quiet === true,
    intervalMs: Number(io.env.SFMC_CONTACTS_PROGRESS_MS ?? 2000),
  });
  let interrupts = 0;
  let authError: ContactsAuthError | undefined;
  let run: ReturnType<NodeContactsClient["establishAll"]> | undefined;
  const onInterrupt = () => {
    interrupts++;
    halted = true;
    if (interrupts === 1) {
      run?.stop();
      io.stderr.write("\nStopping: no new batches; waiting for the ones in flight (Ctrl-C again to abort them).\n");
    } else abort.abort(new Error("interrupted"));
  };

  let failed = 0;
  try {
    try {
      run = client.establishAll(valid(input.keys), {
        batchSize: flags.batchSize,
        concurrency: flags.concurrency,
        returnResults: flags.results,
        signal: abort.signal,
        onProgress: (p) => progress.update({ processed: p.processed, failed: p.failed }),
      });
    } catch (error) {
      // Options the client refuses (--concurrency above its bound, say) are a usage error.
      if (error instanceof ContactsValidationError) throw new CliUsageError(error.message);
      throw error;
    }
    io.signals.on("SIGINT", onInterrupt);
    for await (const result of run as AsyncIterable<ContactResult | AcknowledgedResult>) {
      if (result.ok) {
        await writer.write(
          "acknowledged" in result
            ? { key: result.key, result: "acknowledged" }
            : {
                key: result.key,
                result: "established",
                contactId: result.contactId,
                isNew: result.isNew,
                status: result.status,
              },
        );
      } else {
        failed++;
        if (result.error instanceof ContactsAuthError && !authError) {
          authError = result.error;
          halted = true;
          run.stop();
        }
        await writer.write({ key: result.key, result: "failed", reason: `${result.code}: ${result.reason}` });
        await failedOut?.add(result.key);
      }
    }
    failed += invalid;
    const summary = await run.done();
    progress.stop();
    await writer.end();
    await failedOut?.end();
    if (authError) throw new CliUsageError(authError.message);
    if (summary.total === 0 && failed === 0) throw new CliUsageError("The input has no keys");

    const established = flags.results
      ? `Established ${fmt(summary.established)} contacts: ${fmt(summary.created)} new, ${fmt(summary.existing)} existing.`
      : `Sent ${fmt(summary.established)} keys (fire and forget: acknowledged, without per-key results).`;
    const notSent = summary.notSent ? ` (${fmt(summary.notSent)} read but not sent: the run ended first)` : "";
    say(
      `${established} ${fmt(failed)} failed${notSent}.${failedOut && failed ? ` Failed keys are in ${flags.failed}.` : ""}`,
    );
    if (interrupts > 0) {
      say(
        `Interrupted: ${fmt(read)} keys were read and every one of them is in the results above; ` +
          `the input was read through ${lastWhere || "its start"} and nothing after it was sent.`,
      );
      return EXIT.interrupted;
    }
    return failed > 0 ? EXIT.keysFailed : EXIT.ok;
  } finally {
    progress.stop();
    io.signals.off("SIGINT", onInterrupt);
    // A stopped run leaves an idle stdin waiting for its writer: close it, or the process lives on.
    if (halted && flags.file === "-") io.stdin.destroy();
    await client.close();
    clearTokenCache();
    stopMock();
  }
}

/**
 * Runs `sfmc-contacts` with the given arguments (without `node` and the script) and resolves the
 * exit code. Never throws: every problem becomes a message on stderr and an exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await main(["establish", "--mock", "Key1", "Key2"], processIo());
 * ```
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command("sfmc-contacts")
    .description("Establish Salesforce Marketing Cloud contacts from a terminal.")
    .version(version, "-v, --version")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError("(run sfmc-contacts establish --help for usage)");
  program
    .command("establish")
    .description("Create or return a contact for each key (POST /contacts/v1/establish), in batches, with progress.")
    .argument("[keys...]", "contact keys (or use --file)")
    .option("--file <path>", "read keys from a file: text (one key per line), CSV (with --column), or - for stdin")
    .option("--column <name|index>", "the CSV column with the keys: a header name, or a 1-based position")
    .option("--dedupe", "skip keys already seen in this run (memory grows with the unique keys)")
    .addOption(new Option("--batch-size <n>", "keys per request").default(50).argParser(positiveInt("--batch-size")))
    .addOption(new Option("--concurrency <n>", "requests in flight").default(4).argParser(positiveInt("--concurrency")))
    .option("--no-results", "fire and forget: Marketing Cloud acknowledges each batch, without per-key results")
    .addOption(new Option("--format <format>", "how to print results").choices(FORMATS).default("table"))
    .option("--out <file>", "write results to a file instead of stdout")
    .option("--failed <file>", "write the keys that failed, one per line, ready for --file")
    .option("--dry-run", "read and check the keys, count them, send nothing")
    .option("--mock", "run against the embedded mock of Marketing Cloud (no credentials needed)")
    .addOption(new Option("--seed <n>", "the mock's seed, for repeatable ids").argParser(positiveInt("--seed")))
    .option("--env-file <path>", "read SFMC_* credentials from this file (the environment wins)")
    .option("--quiet", "no progress and no summary on stderr")
    .addHelpText("after", EXAMPLES)
    .action(async (keys: string[], flags: EstablishFlags) => {
      code = await establish(keys, flags, io);
    });
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT.usage;
    }
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, successfully.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliUsageError) {
      io.stderr.write(`sfmc-contacts: ${error.message}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`sfmc-contacts: ${(error as Error).message ?? String(error)}\n`);
    return EXIT.keysFailed;
  }
}
