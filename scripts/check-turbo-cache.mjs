#!/usr/bin/env node
// Asserts that turbo would replay every given task from its cache: run right after the tasks
// themselves, it proves their declared inputs and outputs are complete and stable (a task that
// changes its own inputs, or lists another task's outputs as inputs, shows up here as a miss:
// turbo hashes every task before any runs, so a dependency's outputs count through `dependsOn`).
//
// It also proves that an interrupted run cannot make the next check miss. `attw --pack`
// (check:package) runs `npm pack` in the package's directory and deletes the tarball when it is
// done; stopped in between (Ctrl-C), it leaves the tarball behind. If that file is an input of a
// task, the next run hashes it, that run's own `attw --pack` deletes it, and the check misses
// (this is how `@sfmc-contacts/cli#test`, whose inputs are `$TURBO_DEFAULT$`, once failed). So the
// check puts a stand-in where `npm pack` writes, hashes again, and names every task that moved.
//   node scripts/check-turbo-cache.mjs build typecheck test lint
//   node scripts/check-turbo-cache.mjs --filter=@sfmc-contacts/cli test check:package
// (arguments that start with `--` go to `turbo run` as they are).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const turboArgs = process.argv.slice(2).filter((arg) => arg.startsWith("--"));
const tasks = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
if (tasks.length === 0) {
  console.error("usage: check-turbo-cache.mjs [--turbo-flag...] <task> [task...]");
  process.exit(2);
}

/** Turbo's plan for the tasks: hashes, inputs and cache status, without running anything. */
function dryRun() {
  const dry = JSON.parse(
    execFileSync(join(root, "node_modules/.bin/turbo"), ["run", ...tasks, ...turboArgs, "--dry=json"], {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    }),
  );
  // Turbo lists a task for every package, also where the package has no such script.
  return dry.tasks.filter((task) => task.command !== "<NONEXISTENT>");
}

/** A task's inputs as paths from the repository root. */
const inputsOf = (task) => Object.keys(task.inputs).map((file) => relative(root, join(root, task.directory, file)));

let failed = false;
const planned = dryRun();

// 1. Every task is a full cache hit.
const misses = planned.filter((task) => task.cache.status !== "HIT");
if (misses.length > 0) {
  failed = true;
  const tracked = new Set(execFileSync("git", ["ls-files"], { cwd: root, encoding: "utf8" }).split("\n"));
  for (const task of misses) {
    console.error(`cache miss: ${task.taskId}`);
    // On a fresh clone every input is tracked: an untracked one is the usual suspect.
    const stray = inputsOf(task).filter((file) => !tracked.has(file));
    if (stray.length > 0) console.error(`  inputs git does not track (left by an earlier run?): ${stray.join(", ")}`);
  }
  console.error(`${misses.length} of ${planned.length} turbo tasks would run again: their inputs are not stable.`);
}

// 2. What `npm pack` leaves in a package directory when it is interrupted is no task's input.
const packers = [...new Map(planned.filter((t) => /--pack\b/.test(t.command)).map((t) => [t.directory, t])).values()];
const standIns = packers.map((task) => {
  const { name, version } = JSON.parse(readFileSync(join(root, task.directory, "package.json"), "utf8"));
  // npm's tarball name: @scope/name@1.2.3 -> scope-name-1.2.3.tgz.
  const tarball = `${name.replace(/^@/, "").replace("/", "-")}-${version}`;
  // A tarball already there (a leftover, or the user's own) stays untouched: probe beside it.
  const file = [`${tarball}.tgz`, `${tarball}.check-turbo-cache.tgz`]
    .map((base) => join(root, task.directory, base))
    .find((path) => !existsSync(path));
  return { task: task.taskId, file };
});
const removeStandIns = () => {
  for (const { file } of standIns) rmSync(file, { force: true });
};
// A Ctrl-C during the probe must not leave the stand-ins behind (the very fault this looks for).
const interrupted = (signal) => {
  removeStandIns();
  process.exit(signal === "SIGINT" ? 130 : 143);
};
process.once("SIGINT", interrupted).once("SIGTERM", interrupted);
let probed;
try {
  for (const { file } of standIns) writeFileSync(file, "A stand-in for npm pack's tarball (check-turbo-cache.mjs).\n");
  probed = dryRun();
} finally {
  removeStandIns();
  process.off("SIGINT", interrupted).off("SIGTERM", interrupted);
}
const before = new Map(planned.map((task) => [task.taskId, task.hash]));
const moved = probed.filter((task) => before.get(task.taskId) !== task.hash);
if (moved.length > 0) {
  failed = true;
  for (const { task, file } of standIns) {
    const path = relative(root, file);
    for (const hashing of probed.filter((t) => inputsOf(t).includes(path)))
      console.error(
        `${hashing.taskId} hashes ${path}, the tarball \`npm pack\` writes for ${task} and deletes when done: ` +
          "a run interrupted in between leaves it behind, and the next check misses. Keep *.tgz out of " +
          "the task's inputs (ignore it in .gitignore, or list the inputs instead of $TURBO_DEFAULT$).",
      );
  }
  console.error(`${moved.length} turbo tasks change hash when a packed tarball lies in a package directory.`);
}

if (failed) process.exit(1);
console.log(
  `turbo cache: all ${planned.length} tasks of ${tasks.join(", ")} are full cache hits, ` +
    `and none hashes the tarballs \`npm pack\` writes in ${standIns.length} package directories.`,
);
