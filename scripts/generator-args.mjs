// The command line of the repository's generators (types' generate.mjs, the CLI's
// generate-spec-schemas.mjs): `--check` compares instead of writing, and `--spec <file>` (with
// --check only, for the drift tests) reads another copy of the spec.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Reads `--check` and `--spec`; exits 2 on `--spec` without `--check`, since a committed file is
 * always generated from specs/openapi.yaml. `what` names that file in the message.
 */
export function generatorArgs(what, argv = process.argv) {
  const check = argv.includes("--check");
  const specArg = argv.indexOf("--spec");
  const specFile =
    specArg > 0 && argv[specArg + 1]
      ? resolve(argv[specArg + 1])
      : fileURLToPath(new URL("../specs/openapi.yaml", import.meta.url));
  if (specArg > 0 && !check) {
    console.error(`--spec is for --check only: ${what} always generated from specs/openapi.yaml.`);
    process.exit(2);
  }
  return { check, specFile, otherSpec: specArg > 0 };
}
