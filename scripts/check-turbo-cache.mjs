#!/usr/bin/env node
// Asserts that turbo would replay every given task from its cache: run right after the tasks
// themselves, it proves their declared inputs and outputs are complete and stable (a task that
// changes its own inputs, or lists another task's outputs as inputs, shows up here as a miss:
// turbo hashes every task before any runs, so a dependency's outputs count through `dependsOn`).
//   node scripts/check-turbo-cache.mjs build typecheck test lint
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const tasks = process.argv.slice(2);
if (tasks.length === 0) {
  console.error("usage: check-turbo-cache.mjs <task> [task...]");
  process.exit(2);
}
const dry = JSON.parse(
  execFileSync(fileURLToPath(new URL("../node_modules/.bin/turbo", import.meta.url)), ["run", ...tasks, "--dry=json"], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  }),
);
// Turbo lists a task for every package, also where the package has no such script.
const real = dry.tasks.filter((task) => task.command !== "<NONEXISTENT>");
const misses = real.filter((task) => task.cache.status !== "HIT");
for (const task of misses) console.error(`cache miss: ${task.taskId}`);
if (misses.length > 0) {
  console.error(`${misses.length} of ${real.length} turbo tasks would run again: their inputs are not stable.`);
  process.exit(1);
}
console.log(`turbo cache: all ${real.length} tasks of ${tasks.join(", ")} are full cache hits.`);
