import { setMaxListeners } from "node:events";
import { createRequire } from "node:module";
import type { Readable, Writable } from "node:stream";
import {
  type AcknowledgedResult,
  assertContactKeys,
  type ContactResult,
  ContactsApiError,
  ContactsAuthError,
  type ContactsEvent,
  ContactsValidationError,
  clearTokenCache,
  createContactsClient,
  createContactsClientFromEnv,
  type NodeContactsClient,
} from "@sfmc-contacts/client-node";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { CliUsageError, EXIT } from "./cli-error.js";
import { loadEnvironment } from "./credentials.js";
import type { DoctorFlags } from "./doctor.js";
import { ENCODINGS, type Encoding, type InputKey, openInput } from "./input.js";
import {
  FailedWriter,
  FORMATS,
  type Format,
  openOutputFile,
  ResultWriter,
  refuseSameFile,
  sanitize,
  streamSink,
  writeFailure,
} from "./output.js";
import { count, createProgress, throttleSummary } from "./progress.js";
import { readResume } from "./resume.js";

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
  $ sfmc-contacts establish --file keys.txt --format ndjson --out results.ndjson --resume results.ndjson

Credentials come from the environment (or a dotenv file: --dotenv <path>), never from flags:
  SFMC_SUBDOMAIN, SFMC_CLIENT_ID, SFMC_CLIENT_SECRET (required), SFMC_ACCOUNT_ID (optional)

Exit codes:
  0    every key established, every result written
  1    the run finished, but some keys failed or were invalid (see --failed)
  2    something to fix stopped or prevented the run: a flag, an unreadable input (or one that
       fails mid-file), an output that cannot be written, an input that is also an output,
       refused credentials, a 401 or 403 from Marketing Cloud, or Marketing Cloud's rate limit
       stopped it (errorcode 50200, or a Retry-After over the 5-minute pause limit): wait, then
       run again with --resume. The message says what to do.
  130  interrupted (Ctrl-C); every key read so far is in the results

After a crash or a stop, run again with --resume <the --out file>: keys it records as
established are skipped, failed ones are sent again.`;

/**
 * The per-attempt time limit when --timeout is not given: core's DEFAULT_TIMEOUT_MS
 * (@sfmc-contacts/core/internal), which the clients use when timeoutMs is unset. Restated here
 * because the CLI depends on client-node only, and the internal entry is not re-exported.
 */
const DEFAULT_TIMEOUT_MS = 30_000;
/** The longest timer Node keeps: core refuses a longer timeoutMs. */
const MAX_TIMEOUT_MS = 2_147_483_647;

const positiveInt = (name: string) => (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`${name} must be a whole number >= 1.`);
  return Number(value);
};

/** The client's bounds for maxRequestsPerSecond (client-node checks them too). */
const requestsPerSecond = (value: string) => {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n >= 0.01 && n <= 100_000)) {
    throw new InvalidArgumentError("--max-requests-per-second must be a number from 0.01 to 100000.");
  }
  return n;
};

const timeoutMs = (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_TIMEOUT_MS) {
    throw new InvalidArgumentError(`--timeout must be a whole number of milliseconds, 1 to ${MAX_TIMEOUT_MS}.`);
  }
  return Number(value);
};

interface EstablishFlags {
  file?: string;
  column?: string;
  encoding: Encoding;
  dedupe?: boolean;
  batchSize: number;
  concurrency: number;
  maxRequestsPerSecond?: number;
  results: boolean;
  format: Format;
  out?: string;
  failed?: string;
  resume?: string;
  timeout: number;
  dryRun?: boolean;
  mock?: boolean;
  seed?: number;
  dotenv?: string;
  /** The old name of --dotenv, kept working where Node lets it through (an existing file). */
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

/** What a throttled stop error carries (core's ContactsThrottledError), read by its code. */
interface ThrottledStop {
  code: "CONTACTS_THROTTLED";
  errorcode?: number | undefined;
  retryAfter?: number | undefined;
  summary?: { pausedMs?: number } | undefined;
  /** Core's ThrottledStop: what stopped the run. */
  stoppedBy?: "blocked" | "retry-after" | "no-progress" | "gate" | undefined;
}

/**
 * Marketing Cloud's rate limit stopped the run (core's ContactsThrottledError): 50200
 * (temporarily blocked) or a Retry-After over the run's pause limit. Read by its code, which
 * every copy of core gives it.
 */
function throttledStop(error: unknown): ThrottledStop | undefined {
  return error instanceof Error && (error as { code?: unknown }).code === "CONTACTS_THROTTLED"
    ? (error as unknown as ThrottledStop)
    : undefined;
}

/** What to tell the person when the rate limit stopped the run: the cause, and how to go on. */
export function throttledMessage(
  stop: ThrottledStop,
  flags: { out?: string | undefined; failed?: string | undefined },
  readThrough = "",
): string {
  const code = stop.errorcode === undefined ? "" : `, errorcode ${stop.errorcode}`;
  const cause =
    stop.errorcode === 50200 || stop.stoppedBy === "blocked"
      ? "Marketing Cloud temporarily blocked requests of these credentials (HTTP 429, errorcode 50200): too many requests were sent while it asked to wait"
      : stop.stoppedBy === "no-progress"
        ? `Marketing Cloud throttled every request for 5 minutes with no batch established (HTTP 429${code})`
        : stop.stoppedBy === "gate"
          ? `Marketing Cloud's rate limit paused requests of these credentials for ${count(stop.retryAfter ?? 0, "second")} more (a pause another client in this process started), longer than a run pauses (5 minutes)`
          : stop.retryAfter !== undefined
            ? `Marketing Cloud asked to wait ${count(stop.retryAfter, "second")} (Retry-After${code}), longer than a run pauses (5 minutes)`
            : `Marketing Cloud's rate limit stopped the run${stop.errorcode === undefined ? "" : ` (errorcode ${stop.errorcode})`}`;
  const again =
    flags.out !== undefined
      ? `run again with --resume ${flags.out}: established keys are skipped, the keys not sent (NOT_SENT) and failed are sent again`
      : flags.failed !== undefined
        ? `send the keys in ${flags.failed} (failed or not sent) and the rest of the input again; with --out <file>, a later run can --resume from it`
        : "run again; with --out <file>, a later run can --resume from it and skip the keys already established";
  const read = readThrough ? ` The input was read through ${readThrough}; nothing after it was read.` : "";
  return `${cause}. Keys read but not sent are reported NOT_SENT.${read} Wait a few minutes, lower --concurrency or set --max-requests-per-second, then ${again}`;
}

/**
 * A refusal every further batch would get too (a 401 after a fresh token, a 403, or the token
 * route refusing the credentials): what to fix, or undefined for any other failure.
 */
function refusalOf(error: unknown): CliUsageError | undefined {
  if (error instanceof ContactsAuthError) return new CliUsageError(sanitize(error.message));
  if (!(error instanceof ContactsApiError) || (error.status !== 401 && error.status !== 403)) return undefined;
  const said = error.body?.message ? ` (${sanitize(error.body.message)}, errorcode ${error.body.errorcode})` : "";
  return new CliUsageError(
    error.status === 403
      ? `Marketing Cloud refused establish with 403 Forbidden${said}. The installed package's API integration ` +
          `needs the Contacts permissions "Administer Contact Data Model" and "Access" (Contacts > Administer ` +
          `Contact Data Model / Access) and the list_and_subscribers_write scope: grant them in Setup > Apps > ` +
          `Installed Packages, then run again`
      : `Marketing Cloud refused the token for establish with 401 Not Authorized, even after getting a new one${said}. ` +
          `Check SFMC_CLIENT_ID and SFMC_CLIENT_SECRET, that SFMC_ACCOUNT_ID names a business unit the installed ` +
          `package can act in, and the package's IP allowlist`,
  );
}

async function establish(keys: string[], flags: EstablishFlags, io: CliIo, formatGiven: boolean): Promise<number> {
  if (flags.seed !== undefined && !flags.mock) throw new CliUsageError("--seed only applies with --mock");
  // Before anything is opened for writing: an output that is also the input would be emptied.
  const { resumeIsOut } = await refuseSameFile(flags);
  const previous =
    flags.resume === undefined ? undefined : await readResume(flags.resume, { missingIsEmpty: resumeIsOut });
  /** --out is the --resume file, with rows in it: the run appends after its last complete row. */
  const appending = resumeIsOut ? previous?.continuation && previous : undefined;
  let format = flags.format;
  if (appending?.format !== undefined && appending.format !== format) {
    if (formatGiven) {
      throw new CliUsageError(
        `--out ${flags.out} is also the --resume file, and holds ${appending.format}: --format ${format} cannot be appended to it. Leave --format out, or write to another file.`,
      );
    }
    format = appending.format;
  }
  const done = previous?.done;
  const input = await openInput({
    args: keys,
    file: flags.file,
    column: flags.column,
    encoding: flags.encoding,
    stdin: io.stdin,
  });
  const say = (line: string) => {
    if (!flags.quiet) io.stderr.write(`${sanitize(line)}\n`);
  };

  /** What stopped the run, for the person to fix (exit 2); the first one wins. */
  let fatal: CliUsageError | undefined;
  /** Set once the run is stopped or aborted: it reads nothing more, so nothing more is counted. */
  let halted = false;
  let run: ReturnType<NodeContactsClient["establishAll"]> | undefined;
  const abort = new AbortController();
  // Every request in flight listens to it (core's pipeline adds one listener per attempt, up to
  // --concurrency of them; waiters at the rate-limit gate listen to signals of their own): not a
  // leak, so no MaxListenersExceededWarning on stderr.
  setMaxListeners(0, abort.signal);
  /** Stops the run for good: no new batches, and the ones in flight are aborted (their keys: ABORTED). */
  const stopWith = (error: CliUsageError) => {
    fatal ??= error;
    halted = true;
    run?.stop();
    if (!abort.signal.aborted) abort.abort(error);
  };

  let writer!: ResultWriter;
  let failedOut: FailedWriter | undefined;
  /**
   * Opens --out (or stdout) and --failed, and writes --out's header, before the first request: a
   * file that cannot be written stops the run before anything is sent. A later write error stops
   * it too (a full disk, a reader that went away).
   */
  const openOutputs = async () => {
    const lost = (what: string) => (error: unknown) => stopWith(new CliUsageError(writeFailure(what, error)));
    const failedSink = flags.failed === undefined ? undefined : await openOutputFile("--failed", flags.failed);
    const out =
      flags.out === undefined ? streamSink(io.stdout) : await openOutputFile("--out", flags.out, appending?.keep);
    writer = new ResultWriter(
      out,
      format,
      lost(flags.out === undefined ? "the results to stdout" : `--out ${flags.out}`),
      appending?.continuation,
    );
    if (failedSink) failedOut = new FailedWriter(failedSink, lost(`--failed ${flags.failed}`));
    if (flags.out !== undefined) await writer.begin();
    if (fatal) throw fatal;
  };

  // Keys as read, checked one by one: a bad key is reported with its line at once, and never sent.
  let invalid = 0;
  let read = 0;
  /** Keys the --resume file records as done: not sent again. */
  let skipped = 0;
  let lastWhere = "";
  const seen = flags.dedupe ? new Set<string>() : undefined;
  async function* valid(source: AsyncIterable<InputKey>) {
    for await (const { key, where, problem: found } of source) {
      // A stopped run no longer waits for this generator, which may still be resuming from a read
      // it started before: what arrives now was never taken, so it is neither counted nor reported.
      if (halted) return;
      lastWhere = where;
      // The input's own finding first (a control character), then the client's rules.
      const problem = found ?? keyProblem(key);
      if (problem) {
        invalid++;
        await writer.write({ key, result: "failed", reason: `${where}: ${problem}` });
        await failedOut?.add(key);
        say(`invalid key at ${where}: ${problem}`);
        continue;
      }
      if (done?.has(key)) {
        skipped++;
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
  /** The input failed mid-way (an unclosed quote, bytes that do not decode): what to say. */
  const inputFailure = (error: unknown) => {
    const source = flags.file === undefined ? "the arguments" : flags.file === "-" ? "stdin" : flags.file;
    const what =
      error instanceof CliUsageError
        ? error.message
        : `Reading ${source} failed: ${(error as Error)?.message ?? error}`;
    const before = read + invalid + skipped;
    return new CliUsageError(
      `${what.replace(/\.$/, "")}. ${before === 1 ? "The 1 key" : `The ${fmt(before)} keys`} read before it ` +
        `(the input was read through ${lastWhere || "its start"}) ${before === 1 ? "has its" : "have their"} results; ` +
        "nothing after it was read. Fix the input and run again",
    );
  };
  const skippedNote = () => (previous ? ` ${count(skipped, "key")} skipped: done in ${flags.resume}.` : "");

  if (flags.dryRun) {
    await openOutputs();
    let valids = 0;
    let failure: { error: unknown } | undefined;
    try {
      for await (const _ of valid(input.keys)) valids++;
    } catch (error) {
      failure = { error };
    }
    await writer.end();
    await failedOut?.end();
    if (failure) fatal ??= inputFailure(failure.error);
    if (fatal) throw fatal;
    if (valids === 0 && invalid === 0 && skipped === 0) throw new CliUsageError("The input has no keys");
    const batches = Math.ceil(valids / flags.batchSize);
    say(
      `Dry run: ${count(valids, "valid key")} would be sent in ${count(batches, "request")} of up to ${flags.batchSize}; ${fmt(invalid)} invalid.${skippedNote()} Nothing was sent.`,
    );
    return invalid > 0 ? EXIT.keysFailed : EXIT.ok;
  }

  // The client's own options: its per-attempt time limit, and the refusals that stop the run at once
  // (told here, as the request fails, before its worker can take another batch).
  const clientOptions = {
    timeoutMs: flags.timeout,
    ...(flags.maxRequestsPerSecond === undefined ? {} : { maxRequestsPerSecond: flags.maxRequestsPerSecond }),
    onEvent: (event: ContactsEvent) => {
      if (event.type !== "error") return;
      const refusal = refusalOf(event.error);
      if (refusal) stopWith(refusal);
    },
  };

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
      ...clientOptions,
    });
  } else {
    try {
      client = createContactsClientFromEnv(
        loadEnvironment(
          io.env,
          flags.dotenv ?? flags.envFile,
          flags.dotenv === undefined && flags.envFile !== undefined ? "--env-file" : "--dotenv",
        ),
        {
          transport: "undici",
          ...clientOptions,
        },
      );
    } catch (error) {
      if (error instanceof ContactsValidationError) throw new CliUsageError(error.message);
      throw error;
    }
  }

  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    halted = true;
    if (interrupts === 1) {
      run?.stop();
      io.stderr.write("\nStopping: no new batches; waiting for the ones in flight (Ctrl-C again to abort them).\n");
    } else abort.abort(new Error("interrupted"));
  };
  let progress: ReturnType<typeof createProgress> | undefined;
  const tally = { established: 0, created: 0, existing: 0, acknowledged: 0, failed: 0, notSent: 0 };
  /** The run's throttling as last reported, for the summary. */
  let throttled = 0;
  let pausedMs: number | undefined;
  /** The rate limit stopped the run: its message already says how to go on. */
  let stoppedByLimit = false;

  try {
    // On before anything can take long: a Ctrl-C at any point from here is an interruption (130).
    io.signals.on("SIGINT", onInterrupt);
    await openOutputs();
    progress = createProgress({
      stream: io.stderr,
      total: input.total,
      quiet: flags.quiet === true,
      intervalMs: Number(io.env.SFMC_CONTACTS_PROGRESS_MS ?? 2000),
    });
    const shown = progress;
    try {
      run = client.establishAll(valid(input.keys), {
        batchSize: flags.batchSize,
        concurrency: flags.concurrency,
        returnResults: flags.results,
        signal: abort.signal,
        // Invalid and skipped keys are done too, as far as the total is concerned.
        onProgress: (p) => {
          // Read loosely: a core without throttling reports neither field.
          const {
            concurrency,
            throttled: now,
            resumeAt,
          } = p as { concurrency?: number; throttled?: number; resumeAt?: number };
          throttled = now ?? throttled;
          shown.update({
            processed: p.processed + invalid + skipped,
            failed: p.failed + invalid,
            concurrency,
            ceiling: flags.concurrency,
            throttled,
            resumeAt,
          });
        },
      });
    } catch (error) {
      // Options the client refuses (--concurrency above its bound, say) are a usage error.
      if (error instanceof ContactsValidationError) throw new CliUsageError(error.message);
      throw error;
    }
    // A Ctrl-C that came before the run existed: stop it before it reads (a second one aborted it).
    if (interrupts > 0) run.stop();
    try {
      for await (const result of run as AsyncIterable<ContactResult | AcknowledgedResult>) {
        if (result.ok) {
          if ("acknowledged" in result) {
            tally.acknowledged++;
            await writer.write({ key: result.key, result: "acknowledged" });
          } else {
            tally.established++;
            if (result.isNew === true) tally.created++;
            else if (result.isNew === false) tally.existing++;
            await writer.write({
              key: result.key,
              result: "established",
              contactId: result.contactId,
              isNew: result.isNew,
              status: result.status,
            });
          }
        } else {
          tally.failed++;
          if (result.code === "NOT_SENT") tally.notSent++;
          const refusal = refusalOf(result.error);
          if (refusal) stopWith(refusal);
          await writer.write({ key: result.key, result: "failed", reason: `${result.code}: ${result.reason}` });
          await failedOut?.add(result.key);
        }
      }
    } catch (error) {
      const stop = throttledStop(error);
      if (stop) {
        // The rate limit stopped the run: every key read has its result above (NOT_SENT for the
        // ones never sent). Not the input's fault: say why, and how to go on.
        stoppedByLimit = !fatal;
        fatal ??= new CliUsageError(throttledMessage(stop, flags, lastWhere));
        pausedMs = stop.summary?.pausedMs;
      } else {
        // The input failed mid-way. Core sent the keys read before it, and every one of them has
        // its result above; the run ends here, its output closed and whole.
        fatal ??= inputFailure(error);
      }
    }
    if (pausedMs === undefined && throttled > 0) {
      // The whole run's pause time (only the summary has it); done() settled with the iteration.
      pausedMs = await run.done().then(
        (summary) => (summary as { pausedMs?: number }).pausedMs,
        () => undefined,
      );
    }
    progress.stop();
    await writer.end();
    await failedOut?.end();

    const failed = tally.failed + invalid;
    const total = tally.established + tally.acknowledged + failed;
    // Interrupted before a key came is not an empty input: it says so below, with exit 130.
    if (!fatal && interrupts === 0 && total === 0 && skipped === 0) throw new CliUsageError("The input has no keys");
    const results = flags.results
      ? `Established ${count(tally.established, "contact")}: ${fmt(tally.created)} new, ${fmt(tally.existing)} existing.`
      : `Sent ${count(tally.acknowledged, "key")} (fire and forget: acknowledged, without per-key results).`;
    const notSent = tally.notSent ? ` (${fmt(tally.notSent)} read but not sent: the run ended first)` : "";
    say(
      `${results} ${fmt(failed)} failed${notSent}.${failedOut && failed ? ` Failed keys are in ${flags.failed}.` : ""}${skippedNote()}${throttleSummary(throttled, pausedMs)}`,
    );
    if (fatal) {
      const sent = tally.established + tally.acknowledged;
      // Say how to pick up from here; the results written so far are whole rows.
      const resume =
        !stoppedByLimit && sent > 0 && flags.out !== undefined
          ? ` ${count(sent, "key")} ${sent === 1 ? "was" : "were"} already done: run again with --resume ${flags.out} to skip ${sent === 1 ? "it" : "them"}.`
          : "";
      throw new CliUsageError(`${fatal.message.replace(/\.$/, "")}.${resume}`);
    }
    if (interrupts > 0) {
      say(
        `Interrupted: ${read === 1 ? "1 key was read and it is" : `${fmt(read)} keys were read and every one of them is`} in the results above; ` +
          `the input was read through ${lastWhere || "its start"} and nothing after it was sent.`,
      );
      return EXIT.interrupted;
    }
    return failed > 0 ? EXIT.keysFailed : EXIT.ok;
  } finally {
    progress?.stop();
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
    .addOption(
      new Option("--encoding <name>", "how --file or stdin is encoded (a UTF-8 or UTF-16 byte-order mark wins)")
        .choices(ENCODINGS)
        .default("utf-8"),
    )
    .option("--column <name|index>", "the CSV column with the keys: a header name, or a 1-based position")
    .option("--dedupe", "skip keys already seen in this run (memory grows with the unique keys)")
    .addOption(new Option("--batch-size <n>", "keys per request").default(50).argParser(positiveInt("--batch-size")))
    .addOption(
      new Option("--concurrency <n>", "the most requests in flight (fewer while Marketing Cloud throttles)")
        .default(4)
        .argParser(positiveInt("--concurrency")),
    )
    .addOption(
      new Option(
        "--max-requests-per-second <n>",
        "send at most this many requests per second (shared by runs with the same credentials in this process)",
      ).argParser(requestsPerSecond),
    )
    .option("--no-results", "fire and forget: Marketing Cloud acknowledges each batch, without per-key results")
    .addOption(new Option("--format <format>", "how to print results").choices(FORMATS).default("table"))
    .option("--out <file>", "write results to a file instead of stdout")
    .option("--failed <file>", "write the keys that failed, one per line, ready for --file")
    .option(
      "--resume <file>",
      "skip the keys an earlier run's --out records as established (json, ndjson, csv or table); may be the --out file itself, which is then appended to",
    )
    .addOption(
      new Option("--timeout <ms>", "time limit of one attempt of a request (token or establish), in milliseconds")
        .default(DEFAULT_TIMEOUT_MS)
        .argParser(timeoutMs),
    )
    .option("--dry-run", "read and check the keys, count them, send nothing")
    .option("--mock", "run against the embedded mock of Marketing Cloud (no credentials needed)")
    .addOption(new Option("--seed <n>", "the mock's seed, for repeatable ids").argParser(positiveInt("--seed")))
    .option("--dotenv <path>", "read SFMC_* credentials from this dotenv file (the environment wins)")
    // Node exits 9 on `--env-file <missing>` before the CLI runs (see bin.ts); an existing file still works.
    .addOption(new Option("--env-file <path>").hideHelp())
    .option("--quiet", "no progress and no summary on stderr")
    .addHelpText("after", EXAMPLES)
    .action(async (keys: string[], flags: EstablishFlags, command: Command) => {
      code = await establish(keys, flags, io, command.getOptionValueSource("format") !== "default");
    });
  program
    .command("doctor")
    .description(
      "Check your tenant's answers (token, and establish with --key) against the spec; print a report to paste into an issue.",
    )
    .option("--key <contactKey>", "also send one establish call for this key (without it, establish is not called)")
    .option("--json", "print the report as JSON")
    .addOption(
      new Option("--timeout <ms>", "time limit of each request, answer included, in milliseconds")
        .default(DEFAULT_TIMEOUT_MS)
        .argParser(timeoutMs),
    )
    .option("--mock", "check the embedded mock of Marketing Cloud instead (no credentials needed)")
    .option("--dotenv <path>", "read SFMC_* credentials from this dotenv file (the environment wins)")
    .addHelpText(
      "after",
      "\nExit codes: 0 every answer matches the spec; 1 an answer differs (paste the report into an issue),\n" +
        "or the doctor itself failed (file the report as a doctor bug); 2 a configuration or auth problem\n" +
        "(the report names the likely fix; it wins over 1), or --key was given but establish could not be\n" +
        "checked (the service was busy: run the doctor again later).",
    )
    .action(async (flags: DoctorFlags) => {
      // Loaded only for this command: Ajv and the spec's schemas stay out of establish's start-up.
      const { doctor } = await import("./doctor.js");
      code = await doctor(flags, io, version);
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
      // A message may quote the input or the service: nothing in it reaches the terminal as a control.
      io.stderr.write(`sfmc-contacts: ${sanitize(error.message)}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`sfmc-contacts: ${sanitize((error as Error).message ?? String(error))}\n`);
    return EXIT.keysFailed;
  }
}
