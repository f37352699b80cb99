/**
 * The `sfmc-contacts` command, as a function: `main(argv, io)` resolves an exit code.
 *
 * @example
 * ```ts
 * import { main, processIo } from "@sfmc-contacts/cli";
 *
 * process.exitCode = await main(["establish", "--mock", "Key1"], processIo());
 * ```
 *
 * @packageDocumentation
 */
export { EXIT } from "./cli-error.js";
export { type CliIo, main, processIo } from "./main.js";
