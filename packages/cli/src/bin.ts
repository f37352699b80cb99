#!/usr/bin/env node
// The shebang is exactly `#!/usr/bin/env node`, the one form every env runs: Linux hands
// everything after the interpreter to it as ONE argument, so `env -S node --` needs GNU env's -S,
// and BusyBox's env (Alpine, most containers) stops with `env: invalid option -- 'S'`.
//
// The trap that `--` used to dodge: Node.js (20, 22 and 24 alike) scans EVERY argument, the
// script's own included, for `--env-file <path>` and `--env-file=<path>`, and when that file is
// missing it exits 9 with `node: <path>: not found` before a line of this file runs. Nothing here
// can catch it (no re-exec, no process.execArgv: the process is already gone), and the file is not
// even loaded (Node only checks that it exists). Only a `--` ahead of it stops the scan, and a
// portable shebang cannot pass one. So the CLI takes no flag that Node scans for: its credentials
// file is `--dotenv <path>`, which reaches the CLI and gets its own message and exit code.
// test/bin-shebang.test.ts runs this file through its shebang, with BusyBox's env when it can.
import { main, processIo } from "./main.js";

main(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
