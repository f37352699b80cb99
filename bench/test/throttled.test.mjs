// The throttled bench's logic (not its numbers): its service's bucket and block, what a run's
// records become (rates, pauses, series), medians, targets, Markdown, chart and files.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { writeThrottled } from "../throttled.mjs";
import {
  pairRatio,
  pausesOf,
  runMetrics,
  summarizeThrottled,
  throttledChart,
  throttledMarkdown,
  throttledTargets,
} from "../throttled-report.mjs";

const stamp = (at, event) => ({ at, event });
const throttle = (at, resumeAt) => stamp(at, { type: "throttle", status: 429, errorcode: 50100, resumeAt });

test("pauses: overlapping and extending closures are one episode, counted once, nothing past the end", () => {
  const events = [
    throttle(1_000, 2_000),
    throttle(1_010, 2_000), // another 429 of the same moment
    throttle(1_900, 2_900), // extends the closed gate
    stamp(1_950, { type: "request", attempt: 1, url: "u", keys: 50 }),
    throttle(5_000, 6_000),
    throttle(9_500, 10_500), // the run ended at 10,000
  ];
  const { episodes, pausedMs, bands } = pausesOf(events, 10_000);
  assert.equal(episodes, 3);
  assert.deepEqual(bands, [
    [1_000, 2_900],
    [5_000, 6_000],
    [9_500, 10_000],
  ]);
  assert.equal(pausedMs, 1_900 + 1_000 + 500);
});

test("runMetrics: whole-run and sustained rates, 429 share, latency, and the series", () => {
  // 240 accepted: 40 in the first second (learning), then one every 25 ms (40/s).
  const startedAt = 100_000;
  const acceptedAt = [
    ...Array.from({ length: 40 }, (_, i) => startedAt + i * 25),
    ...Array.from({ length: 200 }, (_, i) => startedAt + 2_000 + i * 25),
  ];
  const run = {
    startedAt,
    endedAt: acceptedAt.at(-1) + 40,
    acceptedAt,
    throttled: 10,
    blocked: 0,
    ceiling: 16,
    events: [
      stamp(startedAt + 5, { type: "response", attempt: 1, status: 200, durationMs: 40 }),
      stamp(startedAt + 6, { type: "response", attempt: 1, status: 200, durationMs: 44 }),
      stamp(startedAt + 7, { type: "response", attempt: 1, status: 429, durationMs: 1 }),
      stamp(startedAt + 7, { type: "response", attempt: 1, status: 200, durationMs: 42 }),
      throttle(startedAt + 1_000, startedAt + 2_000),
      stamp(startedAt + 1_000, { type: "concurrency", concurrency: 8, previous: 16, ceiling: 16 }),
      stamp(startedAt + 2_000, { type: "concurrency", concurrency: 8, previous: 8, ceiling: 16, perSecond: 38 }),
    ],
    progress: [
      { at: startedAt + 500, progress: { concurrency: 16 } },
      { at: startedAt + 3_000, progress: { concurrency: 9, perSecond: 38 } },
    ],
  };
  const { metrics, series } = runMetrics(run, 40);
  const last = acceptedAt.at(-1) - startedAt; // 6,975 ms
  assert.equal(metrics.accepted, 240);
  assert.ok(Math.abs(metrics.wholePerSecond - 240 / (last / 1000)) < 1e-9);
  // The second half: accepted[119]..accepted[239], 120 requests at 40/s.
  assert.ok(Math.abs(metrics.sustainedPerSecond - 40) < 1e-9);
  assert.ok(Math.abs(metrics.sustainedR - 1) < 1e-9);
  assert.equal(metrics.share429, 10 / 250);
  assert.deepEqual([metrics.pauses, metrics.pausedSeconds], [1, 1]);
  assert.equal(metrics.latencyMs, 42); // of the 200s only
  assert.deepEqual(series.limit, [
    [0, 16],
    [1, 8],
    [3, 9],
  ]);
  assert.deepEqual(series.pace, [[2, 38]]);
  assert.deepEqual(series.paceAsConcurrency, [[2, (38 * 42) / 1000]]);
  assert.deepEqual(series.pauses, [[1, 2]]);
  // 250 ms bins: 10 accepted in each of the first four (40/s), none in the pause.
  assert.deepEqual(
    series.rate.slice(0, 6).map(([, v]) => v),
    [40, 40, 40, 40, 0, 0],
  );
  assert.equal(series.rate.length, Math.ceil((run.endedAt - startedAt) / 250));
});

test("a run without the new progress fields (a fixed client) is flat at its ceiling, with no pace", () => {
  const run = {
    startedAt: 0,
    endedAt: 1_000,
    acceptedAt: [10, 20],
    throttled: 0,
    blocked: 0,
    ceiling: 16,
    events: [],
    progress: [{ at: 500, progress: { processed: 50 } }],
  };
  const { series } = runMetrics(run, 40);
  assert.deepEqual(series.limit, [[0, 16]]);
  assert.deepEqual(series.pace, []);
});

const metricsOf = (wholeR, sustainedR, share429, wallSeconds) => ({
  wholePerSecond: wholeR * 40,
  wholeR,
  sustainedPerSecond: sustainedR * 40,
  sustainedR,
  share429,
  pauses: 2,
  pausedSeconds: 2,
  blocked: 0,
  wallSeconds,
});
const sample = () => {
  const runs = [
    { contender: "adaptive-first", round: 1, metrics: metricsOf(0.76, 0.93, 0.03, 8) },
    { contender: "adaptive-first", round: 2, metrics: metricsOf(0.8, 0.95, 0.02, 7.5) },
    { contender: "adaptive-first", round: 3, metrics: metricsOf(0.7, 0.91, 0.04, 8.5) },
    { contender: "adaptive-second", round: 1, metrics: metricsOf(0.98, 1, 0, 6) },
    { contender: "fixed", round: 1, metrics: metricsOf(0.26, 0.26, 0.37, 23), error: "ContactsThrottledError: x" },
  ];
  const pairRuns = [
    { contender: "fixed", round: 1, keys: 12_000, seconds: 1 },
    { contender: "adaptive", round: 1, keys: 12_000, seconds: 1.02 },
    { contender: "fixed", round: 2, keys: 12_000, seconds: 2 }, // a slow moment for both
    { contender: "adaptive", round: 2, keys: 12_000, seconds: 2 },
    { contender: "fixed", round: 3, keys: 12_000, seconds: 1 },
    { contender: "adaptive", round: 3, keys: 12_000, seconds: 0.99 },
  ];
  const limit = [
    [0, 16],
    [1, 8],
  ];
  const seriesOf = (id, color) => ({
    id,
    label: id === "fixed" ? "fixed 16 (`adaptive: false`)" : "adaptive + `maxRequestsPerSecond: R`",
    color,
    endSeconds: 8,
    limit,
    pace: [[2, 38]],
    paceAsConcurrency: [
      [2, 1.6],
      [5, null],
    ],
    pauses: [
      [1, 2],
      [4, 5],
    ],
    rate: [
      [0.125, 40],
      [0.375, 0],
    ],
  });
  return {
    settings: { R: 40, B: 10, L: 40, RA: 1, keys: 12_000, batchSize: 50, concurrency: 16, rounds: 3, pairRounds: 3 },
    machine: { date: "2026-11-27", cpu: "test cpu", cores: 2, node: "v20", quick: false },
    runs,
    rows: summarizeThrottled(runs),
    pair: pairRatio(pairRuns),
    series: [seriesOf("fixed", "#111111"), seriesOf("budget", "#222222")],
  };
};

test("medians per contender, the pair's ratio per round, and the targets judged on medians", () => {
  const results = sample();
  const first = results.rows.find((r) => r.id === "adaptive-first");
  assert.deepEqual(first.sustainedR, { median: 0.93, min: 0.91, max: 0.95 });
  assert.deepEqual(first.wholeR, { median: 0.76, min: 0.7, max: 0.8 });
  assert.equal(first.rounds, 3);
  assert.deepEqual(
    results.rows.map((r) => r.id),
    ["fixed", "adaptive-first", "adaptive-second"],
  );
  assert.deepEqual(results.rows.find((r) => r.id === "fixed").errors, ["ContactsThrottledError: x"]);
  // Per round, not the ratio of medians: round 2's slow moment moved both alike.
  assert.equal(results.pair.ratio.median, 1);
  assert.ok(Math.abs(results.pair.ratio.min - 1 / 1.02) < 1e-9);
  const targets = throttledTargets(results);
  assert.deepEqual(
    targets.map((t) => t.ok),
    [true, true, true, true, false],
  );
  assert.match(targets.at(-1).target, /learning included/);
});

test("the Markdown has the targets, a row per contender, the pair, the errors and the chart", () => {
  const md = throttledMarkdown(sample());
  assert.match(md, /^<!-- Generated by `pnpm bench` \(bench\/throttled\.mjs\)/);
  assert.match(
    md,
    /\| throttled, adaptive first run: sustained rate \(second half of its requests\) \| ≥ 0\.90 R \| 0\.93 \(0\.91–0\.95\) R \| ✅ met \|/,
  );
  assert.match(
    md,
    /\| throttled, adaptive first run: whole run, learning included .* \| 0\.76 \(0\.70–0\.80\) R \| ❌ missed \|/,
  );
  assert.match(md, /\| adaptive, first run \| learning the limit \| 30\.4 \(28\.0–32\.0\) \| 0\.76 \(0\.70–0\.80\) \|/);
  assert.match(md, /fixed 16 \(`adaptive: false`\): 1 run\(s\) ended with an error: ContactsThrottledError: x/);
  assert.match(md, /adaptive ÷ fixed of the same round 1\.00 \(0\.98–1\.01\)×/);
  assert.match(md, /!\[concurrency and accepted requests over time\]\(bench\/results\/concurrency-over-time\.svg\)/);
});

test("the chart: one limit line, pace and rate line per contender, pauses as bands, no NaN", () => {
  const svg = throttledChart(sample());
  assert.match(svg, /^<svg [^>]*>\n<!-- Generated by `pnpm bench` \(bench\/throttled\.mjs\)/);
  assert.ok(svg.endsWith("</svg>\n"));
  assert.equal(svg.match(/<polyline /g).length, 4); // limit + rate, two contenders
  assert.equal(svg.match(/stroke-dasharray="5 3"/g).length, 2); // the pace, where one applied
  assert.equal(svg.match(/fill="#bbb"/g).length, 4); // two pauses each
  assert.ok(!svg.includes("NaN") && !svg.includes("undefined"));
  assert.match(svg, /maxRequestsPerSecond: 40/);
});

test("writeThrottled writes the files and only the README's bench-throttled block", () => {
  const dir = mkdtempSync(join(tmpdir(), "throttled-test-"));
  const readme = join(dir, "README.md");
  writeFileSync(
    readme,
    "# x\n<!-- bench:start -->\nkeep\n<!-- bench:end -->\n<!-- bench-throttled:start -->\nstale block\n<!-- bench-throttled:end -->\ntail\n",
  );
  const md = writeThrottled(sample(), join(dir, "results"), readme);
  const text = readFileSync(readme, "utf8");
  assert.ok(text.startsWith("# x\n<!-- bench:start -->\nkeep\n<!-- bench:end -->\n<!-- bench-throttled:start -->\n"));
  assert.ok(text.endsWith("<!-- bench-throttled:end -->\ntail\n"));
  assert.ok(text.includes(md) && !text.includes("stale block"));
  assert.equal(readFileSync(join(dir, "results", "throttled.md"), "utf8"), md);
  assert.equal(JSON.parse(readFileSync(join(dir, "results", "throttled.json"), "utf8")).settings.R, 40);
  assert.match(readFileSync(join(dir, "results", "concurrency-over-time.svg"), "utf8"), /<\/svg>\n$/);
});

test("the service: a full burst, then 429 50100 with Retry-After at once, and 50200 for a client that keeps sending", async (t) => {
  // R so low that the bucket refills nothing during the test: what gets through is the burst.
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL("../throttled-server.mjs", import.meta.url)), "0.001", "10", "0", "1"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  t.after(() => child.kill("SIGTERM"));
  const url = await new Promise((resolve, reject) => {
    child.stdout.once("data", (chunk) => resolve(chunk.toString().trim()));
    child.once("exit", (code) => reject(new Error(`throttled-server.mjs exited ${code}`)));
  });
  const send = async () => {
    const answer = await fetch(`${url}/contacts/v1/establish`, {
      method: "POST",
      headers: { authorization: "Bearer bench-token", "content-type": "application/json" },
      body: JSON.stringify({ ContactKeys: ["a", "b"] }),
    });
    return { status: answer.status, retryAfter: answer.headers.get("retry-after"), body: await answer.json() };
  };
  const first = await Promise.all(Array.from({ length: 12 }, send));
  assert.equal(first.filter((a) => a.status === 200).length, 10);
  assert.equal(first.find((a) => a.status === 200).body.items.length, 2);
  for (const a of first.filter((a) => a.status !== 200)) {
    assert.deepEqual([a.status, a.retryAfter, a.body.errorcode, a.body.retryAfter], [429, "1", 50100, 1]);
  }
  // Sending on while told to wait: past the 250 ms grace, every request is a violation; the 20th blocks.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const answers = [];
  for (let i = 0; i < 20; i++) answers.push(await send());
  assert.deepEqual(
    answers.slice(0, 19).map((a) => a.body.errorcode),
    Array(19).fill(50100),
  );
  assert.deepEqual([answers[19].status, answers[19].retryAfter, answers[19].body.errorcode], [429, null, 50200]);
  const stats = await (await fetch(`${url}/stats`)).json();
  assert.deepEqual(
    {
      accepted: stats.acceptedAt.length,
      throttled: stats.throttled,
      blocked: stats.blocked,
      violations: stats.violations,
    },
    { accepted: 10, throttled: 21, blocked: 1, violations: 20 },
  );
});
