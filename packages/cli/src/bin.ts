#!/usr/bin/env -S node --
// The `--` stops Node 20 from reading `--env-file` among the command's own arguments (it scans them).
import { main, processIo } from "./main.js";

main(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
