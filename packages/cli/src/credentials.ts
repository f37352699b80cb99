/** Credentials come from the environment or an env file, never from flags (shell history). */
import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { CliUsageError } from "./cli-error.js";

/** The environment the client reads, with the dotenv file's values beneath the real environment's. */
export function loadEnvironment(
  env: Record<string, string | undefined>,
  envFile: string | undefined,
  flag = "--dotenv",
) {
  if (envFile === undefined) return env;
  let text: string;
  try {
    text = readFileSync(envFile, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new CliUsageError(`Cannot read ${flag} ${envFile}: ${reason}`);
  }
  // As with `node --env-file`, a variable already set in the environment wins over the file.
  return { ...parseEnv(text), ...env };
}
