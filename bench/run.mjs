#!/usr/bin/env node
// pnpm bench: the clients' own cost against their raw transports, in CPU-bound rounds with the
// client process and the service pinned to their own cores; then sizes, memory and type-check
// cost. `--help` says what it does. Not part of pnpm verify.
//
// This process only orchestrates: the service (server.mjs) and the client process (client.mjs)
// are its children, so the measured process runs nothing but the contenders.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { extras } from "./extras.mjs";
import { summarize } from "./measure.mjs";
import { formatTop, topSelfTime } from "./profile.mjs";
import { charts, markdown } from "./report.mjs";
import { findProfileTarget, profileNames, SCENARIOS, selectScenarios } from "./scenarios.mjs";
import { throttled, writeThrottled } from "./throttled.mjs";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const startedAt = Date.now();
const WARMUP = 3;
const PROFILE_SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 5);
const quick = process.env.BENCH_QUICK === "1";
const rounds = Number(process.env.BENCH_ROUNDS ?? (quick ? 3 : 7));

const HELP = `pnpm bench [--only <ids>] [--profile <name>] [--help]

Measures the clients' own cost where it shows: the client process pinned to one core and the
loopback service (bench/server.mjs) to another (taskset, when it works), every contender warmed up
for ${WARMUP} rounds, then BENCH_ROUNDS interleaved rounds (A B C … A B C …). For each contender:
throughput, its ratio to the raw transport of the same round, client CPU µs per request (and per
key), and V8 heap bytes allocated per request (and per key): median (min–max). Then the extras:
browser bundle size, msw vs a loopback socket, establishAll's RSS growth over 1,000,000 streamed
keys, type-check cost. Then the throttled scenario (node bench/throttled.mjs --help): establishAll
under a 40 requests/s limit, fixed concurrency against adaptive, with a chart of concurrency over
time. Writes bench/results/latest.json, latest.md, throttled.json, throttled.md, the charts, and
the README's performance sections (between <!-- bench:start --> and <!-- bench:end -->, and
<!-- bench-throttled:start --> and <!-- bench-throttled:end -->).

Scenarios (the client and its raw transport send the same requests):
${SCENARIOS.map((s) => `  ${s.id.padEnd(20)} ${s.title.replace(/`/g, "")}`).join("\n")}

The proxy scenarios (issue 16): the client process hosts @sfmc-contacts/proxy on node:http
(toNodeListener, default upstream: undici while Node's fetch is untouched) and measures its CPU and
heap per request; bench/proxy-driver.mjs, pinned to the service's core, sends the requests with raw
undici.request and times them. The baseline is client-node's establish (default options) calling
the service directly from the client process; the goal is the proxy's CPU per request at most 1.3×
the baseline's. References: the proxy on fetch (upstream.transport "fetch"), and client-node on
undici calling the service directly. Added latency: the
proxy path's p50/p99 minus the direct client's, at 1 in flight.

Options:
  --only <ids>      Run only these scenarios: comma-separated ids or id prefixes (--only proxy is
                    every proxy scenario). Skips the extras and the throttled scenario; prints the
                    tables and writes its files to $TMPDIR/sfmc-contacts-bench-only, never to
                    bench/results or the README.
  --profile <name>  Profile the client process in one scenario instead: <scenario> runs its
                    default client, <scenario>:<contender> any contender. ${WARMUP} warm-up rounds, then
                    V8's sampling profiler for BENCH_PROFILE_SECONDS (default 5) s. Writes
                    bench/results/profiles/<name>-<time>.cpuprofile (open it in Chrome DevTools or
                    VS Code; the folder is not committed) and prints the top 15 functions by self
                    time. Writes nothing else. Names:
                      ${profileNames().join("\n                      ")}
  --help            This text.

Environment:
  BENCH_ROUNDS=<n>  timed rounds (default 7; a run that writes results needs at least 7; --only or
                    BENCH_QUICK=1 may have fewer)
  BENCH_QUICK=1     development run: 1 warm-up round, ${3} timed rounds (or BENCH_ROUNDS) of a fifth
                    of the work, 100,000 keys for RSS; prints the tables and writes its files to
                    $TMPDIR/sfmc-contacts-bench-quick, never to bench/results or the README
  BENCH_PROFILE_SECONDS=<s>  how long --profile samples (default 5)
`;

/** Parses argv: `{ profile }` or exits (0 after --help, 2 on a bad argument). */
function parseArgs(argv) {
  const args = argv.filter((a) => a !== "--");
  const options = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--help" || arg === "-h") {
      process.stdout.write(HELP);
      process.exit(0);
    } else if (arg === "--only" || arg.startsWith("--only=")) {
      options.only = arg === "--only" ? args[++i] : arg.slice("--only=".length);
      try {
        selectScenarios(options.only ?? "");
      } catch (error) {
        process.stderr.write(`${error.message}\n`);
        process.exit(2);
      }
    } else if (arg === "--profile" || arg.startsWith("--profile=")) {
      options.profile = arg === "--profile" ? args[++i] : arg.slice("--profile=".length);
      if (!options.profile || !findProfileTarget(options.profile)) {
        process.stderr.write(
          `${options.profile ? `Unknown scenario ${JSON.stringify(options.profile)}` : "--profile needs a scenario"}. Valid names:\n  ${profileNames().join("\n  ")}\n`,
        );
        process.exit(2);
      }
    } else {
      process.stderr.write(`Unknown argument ${JSON.stringify(arg)}. See pnpm bench --help.\n`);
      process.exit(2);
    }
  }
  return options;
}

/** Client and service cores, or why not: taskset must work for two cores. */
function pinning() {
  if (process.platform !== "linux") return { why: `${process.platform}, no taskset` };
  if (availableParallelism() < 2) return { why: "1 core" };
  const works = (core) => spawnSync("taskset", ["-c", String(core), "true"], { stdio: "ignore" }).status === 0;
  if (!works(0) || !works(1)) return { why: "taskset -c 0/1 failed" };
  return { client: 0, service: 1 };
}

/** node with `args`, on `core` when there is one. */
const node = (core, args) =>
  core === undefined ? [process.execPath, args] : ["taskset", ["-c", String(core), process.execPath, ...args]];

function startServer(core) {
  const [command, args] = node(core, [here("./server.mjs")]);
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.stdout.once("data", (chunk) => resolve({ url: chunk.toString().trim(), stop: () => child.kill("SIGTERM") }));
    child.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
  });
}

/** Runs client.mjs with `job`; resolves its JSON answer. */
function runClient(core, job) {
  const [command, args] = node(core, ["--expose-gc", here("./client.mjs"), JSON.stringify(job)]);
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  return new Promise((resolve, reject) =>
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split("\n").at(-1))) : reject(new Error(`client.mjs exited ${code}`)),
    ),
  );
}

const options = parseArgs(process.argv.slice(2));
if (!Number.isInteger(rounds) || rounds < 1 || (!quick && options.only === undefined && rounds < 7)) {
  process.stderr.write(
    `BENCH_ROUNDS must be a whole number, at least 7 for a run that writes results (got ${process.env.BENCH_ROUNDS}); BENCH_QUICK=1 or --only allows fewer.\n`,
  );
  process.exit(2);
}
const pin = pinning();
// Other work on the machine shares the pinned cores: the figures are only worth committing from a quiet machine.
const loadBefore = loadavg()[0];
if (loadBefore > 0.5) {
  process.stderr.write(
    `warning: the 1-minute load average is ${loadBefore.toFixed(2)}: other processes will share the pinned cores\n`,
  );
}
const server = await startServer(pin.service);
process.on("exit", () => server.stop());

if (options.profile) {
  mkdirSync(here("./results/profiles"), { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
  const file = here(`./results/profiles/${options.profile.replace(":", "--")}-${stamp}.cpuprofile`);
  process.stderr.write(
    `profiling ${options.profile} (${pin.why ? `not pinned: ${pin.why}` : `client on core ${pin.client}, service on core ${pin.service}`})…\n`,
  );
  const result = await runClient(pin.client, {
    mode: "profile",
    url: server.url,
    serviceCore: pin.service,
    profile: options.profile,
    warmup: quick ? 1 : WARMUP,
    quick,
    seconds: PROFILE_SECONDS,
    file,
  });
  const profile = JSON.parse(readFileSync(file, "utf8"));
  console.log(`${file}\n${result.rounds} rounds in ${result.seconds.toFixed(1)} s\n`);
  console.log(formatTop(topSelfTime(profile, 15)));
  process.exit(0);
}

const warmup = quick ? 1 : WARMUP;
const selected = selectScenarios(options.only);
process.stderr.write(
  `${warmup} warm-up + ${rounds} timed rounds of ${selected.length} scenarios (${pin.why ? `not pinned: ${pin.why}` : `client on core ${pin.client}, service on core ${pin.service}`})${quick ? ", QUICK: nothing is written" : ""}\n`,
);
const { records, allocationCheck } = await runClient(pin.client, {
  mode: "measure",
  url: server.url,
  serviceCore: pin.service,
  only: options.only,
  rounds,
  warmup,
  quick,
});
const summary = summarize(records, selected);
// A selection measures its scenarios only: no extras, no throttled run, nothing committed.
const partial = options.only !== undefined;
if (!partial) process.stderr.write("extras: browser bundle, msw vs loopback, RSS, type-check…\n");
const more = partial ? undefined : await extras(server.url, { rssKeys: quick ? 100_000 : 1_000_000 });
server.stop();

const machine = {
  date: new Date().toISOString().slice(0, 10),
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  node: process.version,
  pinned: pin.why ? null : { client: pin.client, service: pin.service },
  ...(pin.why && { notPinnedBecause: pin.why }),
  loadBefore: Math.round(loadBefore * 100) / 100,
  warmup,
  rounds,
  quick,
  ...(partial && { only: selected.map((s) => s.id) }),
  wallSeconds: Math.round((Date.now() - startedAt) / 1000),
};
const results = { machine, summary, ...(more && { extras: more }), allocationCheck, records };
const table = markdown(results);
console.log(table);
process.stderr.write(`wall time: ${machine.wallSeconds} s\n`);
// A quick or partial run's files go to a temporary folder, to look at, never into results/ or the README.
const out = partial
  ? join(tmpdir(), "sfmc-contacts-bench-only")
  : quick
    ? join(tmpdir(), "sfmc-contacts-bench-quick")
    : here("./results");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(out, "latest.md"), table);
for (const [file, svg] of Object.entries(charts(results))) writeFileSync(join(out, file), svg);
if (partial) {
  process.stderr.write(
    `--only: ${selected.map((s) => s.id).join(", ")}, written to ${out}; results/ and README left as they were.\n`,
  );
  process.exit(0);
}
// Issue 15: establishAll under a rate limit (not CPU-bound: the service, on its core, sets the pace).
process.stderr.write("throttled: fixed against adaptive under a 40 requests/s limit…\n");
const limited = await throttled({ quick, serviceCore: pin.why ? undefined : pin.service });
console.log(writeThrottled(limited, out, quick ? undefined : here("../README.md")));
if (quick) {
  process.stderr.write(`BENCH_QUICK=1: a development run, written to ${out}; results/ and README left as they were.\n`);
  process.exit(0);
}

// The README's performance section is this run's.
const readme = here("../README.md");
const text = readFileSync(readme, "utf8");
const start = "<!-- bench:start -->";
const end = "<!-- bench:end -->";
if (text.includes(start) && text.includes(end)) {
  writeFileSync(
    readme,
    `${text.slice(0, text.indexOf(start) + start.length)}\n${table}\n${text.slice(text.indexOf(end))}`,
  );
}
