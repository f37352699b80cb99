/**
 * Exit codes of `sfmc-contacts`. Scripts trust them: 0 only when every key was established and
 * every result was written; never 0 when anything failed or was lost. `doctor` uses the same
 * three: 0 every answer matches the spec, 1 an answer differs from it, 2 a configuration or auth
 * problem to fix first (2 wins over 1).
 *
 * @example
 * ```ts
 * if ((await main(argv)) === EXIT.keysFailed) console.error("some keys failed: see --failed");
 * ```
 */
export const EXIT = {
  /** Every key was established (or, with --dry-run, every key is valid), and every result was written. */
  ok: 0,
  /** The run finished healthily, but some keys failed or were invalid (see --failed). */
  keysFailed: 1,
  /**
   * Something the person must fix stopped or prevented the run: bad flags, an unreadable or
   * undecodable input (or one that fails mid-file), an output that cannot be opened or written,
   * an input that is also an output, refused credentials, a 401 or 403 from establish. The
   * message names what failed and what to do.
   */
  usage: 2,
  /** Interrupted with Ctrl-C (SIGINT), after reporting every key already read. */
  interrupted: 130,
} as const;

/** A problem the person at the terminal must fix (a flag, a file, credentials, a permission): exit code 2. */
export class CliUsageError extends Error {
  override readonly name = "CliUsageError";
  readonly exitCode = EXIT.usage;
}
