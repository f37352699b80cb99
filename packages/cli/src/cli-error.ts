/**
 * Exit codes of `sfmc-contacts`.
 *
 * @example
 * ```ts
 * if ((await main(argv)) === EXIT.keysFailed) console.error("some keys failed: see --failed");
 * ```
 */
export const EXIT = {
  /** Every key was established (or, with --dry-run, every key is valid). */
  ok: 0,
  /** The run finished, but some keys failed (or are invalid). */
  keysFailed: 1,
  /** Bad flags, missing or refused credentials, an unreadable or empty input: nothing useful ran. */
  usage: 2,
  /** Interrupted with Ctrl-C (SIGINT). */
  interrupted: 130,
} as const;

/** A problem the person at the terminal can fix (a flag, a file, credentials): exit code 2. */
export class CliUsageError extends Error {
  override readonly name = "CliUsageError";
  readonly exitCode = EXIT.usage;
}
