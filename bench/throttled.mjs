#!/usr/bin/env node
// The throttled bench (issue 15): establishAll against a rate-limited service
// (throttled-server.mjs, its own process), fixed concurrency against adaptive, and the goal 8 pair
// (no limit: adaptive against fixed 16). Its figures are bounded by the service's clock, not by
// CPU: 40 requests/s is nothing for either side, so the client runs in this process.
//
//   node bench/throttled.mjs [--quick]   standalone, for development: --quick runs one round of
//                                        4,000 keys and writes to $TMPDIR/sfmc-contacts-bench-quick;
//                                        without it, bench/results/throttled.{json,md},
//                                        concurrency-over-time.svg and the README's block.
//   import { throttled, writeThrottled } from "./throttled.mjs"   from run.mjs (pnpm bench).
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createContactsClient } from "@sfmc-contacts/client-node";
import {
  pairRatio,
  runMetrics,
  summarizeThrottled,
  THROTTLED_CONTENDERS,
  throttledChart,
  throttledMarkdown,
} from "./throttled-report.mjs";

export { throttledChart, throttledMarkdown } from "./throttled-report.mjs";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const labelOf = (id) => THROTTLED_CONTENDERS.find((c) => c.id === id)?.label ?? id;

/** Starts throttled-server.mjs (on `core` when given); `stats()` reads its cumulative account. */
function startService(args, core) {
  const command = core === undefined ? process.execPath : "taskset";
  const argv = [
    ...(core === undefined ? [] : ["-c", String(core), process.execPath]),
    here("./throttled-server.mjs"),
    ...args.map(String),
  ];
  const child = spawn(command, argv, { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolvePromise, reject) => {
    child.once("exit", (code) => reject(new Error(`throttled-server.mjs exited with ${code}`)));
    child.stdout.once("data", (chunk) => {
      const url = chunk.toString().trim();
      resolvePromise({
        url,
        stats: async () => (await fetch(`${url}/stats`)).json(),
        stop: () =>
          new Promise((done) => {
            child.removeAllListeners("exit");
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    });
  });
}

/** A client whose events go to whatever recorder is current (one per run). */
function clientFor(url, clientId, options = {}) {
  const recorder = { events: [] };
  const client = createContactsClient({
    clientId,
    clientSecret: "bench",
    baseUrl: url,
    authBaseUrl: url,
    transport: "undici",
    onEvent: (event) => recorder.events.push({ at: Date.now(), event }),
    ...options,
  });
  return { client, recorder };
}

/**
 * One establishAll run of `keys` on `client`: stamped events and progress, the service's account
 * of this run (the difference of its stats before and after), and how it ended. A run that stops
 * (a 50200, a Retry-After over maxPauseMs) is recorded with its error, not thrown.
 */
async function oneRun({ client, recorder }, service, keys, settings, options = {}) {
  const before = await service.stats();
  recorder.events = [];
  const progress = [];
  const startedAt = Date.now();
  let error;
  try {
    await client
      .establishAll(keys, {
        batchSize: settings.batchSize,
        concurrency: settings.concurrency,
        ...options,
        onProgress: (p) => progress.push({ at: Date.now(), progress: { ...p } }),
      })
      .done();
  } catch (thrown) {
    error = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
  }
  const endedAt = Date.now();
  const after = await service.stats();
  return {
    startedAt,
    endedAt,
    acceptedAt: after.acceptedAt.slice(before.acceptedAt.length),
    throttled: after.throttled - before.throttled,
    blocked: after.blocked - before.blocked,
    events: recorder.events,
    progress,
    ceiling: settings.concurrency,
    error,
  };
}

/**
 * Runs the throttled scenarios and returns `{ settings, machine, runs, rows, pair, series }`:
 * `runs` every run's metrics, `rows` the medians per contender, `pair` goal 8's ratio, `series`
 * each contender's median round over time (for throttledChart).
 */
export async function throttled({
  quick = false,
  rounds = quick ? 1 : 3,
  pairRounds = quick ? 3 : 7,
  keys = quick ? 4_000 : 12_000,
  serviceCore,
  R = 40,
  B = 10,
  L = 40,
  RA = 1,
  log = (line) => process.stderr.write(`${line}\n`),
} = {}) {
  const startedAt = Date.now();
  const settings = { R, B, L, RA, keys, batchSize: 50, concurrency: 16, rounds, pairRounds };
  const keysOf = (prefix) => Array.from({ length: keys }, (_, i) => `${prefix}-${i}`);
  const runs = [];
  const record = (contender, round, run) => {
    const { metrics, series } = runMetrics(run, R);
    runs.push({ contender, round, metrics, series, error: run.error });
    log(
      `  ${labelOf(contender)}, round ${round}: ${metrics.wholeR.toFixed(2)} R whole, ${metrics.sustainedR.toFixed(2)} R sustained, ${(metrics.share429 * 100).toFixed(1)}% 429s, ${metrics.pauses} pauses, ${metrics.blocked} 50200s, ${metrics.wallSeconds.toFixed(1)} s${run.error ? ` (${run.error})` : ""}`,
    );
  };

  // Throttled: each contender on a fresh service with fresh credentials (its own shared state);
  // "adaptive" runs twice on one client, the second run starting with the pace the first learned.
  const order = ["fixed", "adaptive", "budget"];
  for (let round = 1; round <= rounds; round++) {
    log(`throttled round ${round}/${rounds}`);
    for (const id of [...order.slice(round % order.length), ...order.slice(0, round % order.length)]) {
      const service = await startService([R, B, L, RA], serviceCore);
      const client = clientFor(
        service.url,
        `throttled-${id}-${round}`,
        id === "budget" ? { maxRequestsPerSecond: R } : {},
      );
      if (id === "fixed")
        record("fixed", round, await oneRun(client, service, keysOf(`f${round}`), settings, { adaptive: false }));
      else if (id === "budget") record("budget", round, await oneRun(client, service, keysOf(`b${round}`), settings));
      else {
        record("adaptive-first", round, await oneRun(client, service, keysOf(`a${round}`), settings));
        record("adaptive-second", round, await oneRun(client, service, keysOf(`s${round}`), settings));
      }
      await client.client.close();
      await service.stop();
    }
  }

  // Goal 8: no limit, L ms; fixed and adaptive interleaved, each run with fresh credentials, after
  // one warm-up run of each.
  log(`no limit: ${pairRounds} interleaved rounds of fixed 16 and adaptive`);
  const service = await startService(["none", B, L, RA], serviceCore);
  const pairRuns = [];
  for (let round = 0; round <= pairRounds; round++) {
    const pairOrder = round % 2 ? ["fixed", "adaptive"] : ["adaptive", "fixed"];
    for (const id of pairOrder) {
      const client = clientFor(service.url, `pair-${id}-${round}`);
      const run = await oneRun(
        client,
        service,
        keysOf(`p${id}${round}`),
        settings,
        id === "fixed" ? { adaptive: false } : {},
      );
      await client.client.close();
      if (run.error) throw new Error(`the no-limit ${id} run failed: ${run.error}`);
      if (round > 0) pairRuns.push({ contender: id, round, keys, seconds: (run.endedAt - run.startedAt) / 1000 });
    }
  }
  await service.stop();
  const pair = pairRatio(pairRuns);

  // Each contender's median round (by wall time) is the one drawn.
  const series = THROTTLED_CONTENDERS.flatMap((contender) => {
    const mine = runs
      .filter((r) => r.contender === contender.id)
      .sort((a, b) => a.metrics.wallSeconds - b.metrics.wallSeconds);
    const median = mine[(mine.length - 1) >> 1];
    return median ? [{ id: contender.id, label: contender.label, color: contender.color, ...median.series }] : [];
  });
  const machine = {
    date: new Date().toISOString().slice(0, 10),
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    node: process.version,
    serviceCore,
    quick,
    wallSeconds: Math.round((Date.now() - startedAt) / 1000),
  };
  return {
    settings,
    machine,
    runs: runs.map(({ series: _series, ...run }) => run),
    rows: summarizeThrottled(runs),
    pair: { ...pair, runs: pairRuns },
    series,
  };
}

const START = "<!-- bench-throttled:start -->";
const END = "<!-- bench-throttled:end -->";

/**
 * Writes throttled.json, throttled.md and concurrency-over-time.svg into `dir`, and, when `readme`
 * is given, the Markdown between the README's bench-throttled markers. Returns the Markdown.
 */
export function writeThrottled(results, dir, readme) {
  const table = throttledMarkdown(results);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "throttled.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(dir, "throttled.md"), table);
  writeFileSync(join(dir, "concurrency-over-time.svg"), throttledChart(results));
  if (readme) {
    const text = readFileSync(readme, "utf8");
    if (text.includes(START) && text.includes(END))
      writeFileSync(
        readme,
        `${text.slice(0, text.indexOf(START) + START.length)}\n${table}\n${text.slice(text.indexOf(END))}`,
      );
  }
  return table;
}

const HELP = `node bench/throttled.mjs [--quick] [--help]

establishAll against a service that allows 40 requests/s (burst 10, 40 ms latency, 429 with
Retry-After: 1 beyond it, 50200 after sustained abuse): fixed concurrency 16 (adaptive: false),
adaptive (first and second run of one client), adaptive + maxRequestsPerSecond; then the no-limit
pair (adaptive against fixed 16). 12,000 keys, batch 50, 3 rounds (7 for the pair), median (min–max).
Writes bench/results/throttled.json, throttled.md, concurrency-over-time.svg and the README's
<!-- bench-throttled --> block. pnpm bench runs it too.

  --quick  development run: 1 round of 4,000 keys (3 for the pair); writes to
           $TMPDIR/sfmc-contacts-bench-quick, never to bench/results or the README
`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2).filter((a) => a !== "--");
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const unknown = args.find((a) => a !== "--quick");
  if (unknown) {
    process.stderr.write(`Unknown argument ${JSON.stringify(unknown)}. See node bench/throttled.mjs --help.\n`);
    process.exit(2);
  }
  const quick = args.includes("--quick");
  const results = await throttled({ quick });
  const out = quick ? join(tmpdir(), "sfmc-contacts-bench-quick") : here("./results");
  console.log(writeThrottled(results, out, quick ? undefined : here("../README.md")));
  process.stderr.write(`wall time ${results.machine.wallSeconds} s; written to ${out}\n`);
}
