// The throttled bench's numbers and picture (issue 15): what one run measured (runMetrics), the
// medians over rounds (summarizeThrottled), the Markdown (throttledMarkdown, also the README's
// <!-- bench-throttled --> block) and bench/results/concurrency-over-time.svg (throttledChart).
// Pure functions of recorded data, so bench/test/throttled.test.mjs checks them without a service.
import { spread } from "./measure.mjs";

/** The throttled contenders, in table and legend order. */
export const THROTTLED_CONTENDERS = [
  { id: "fixed", label: "fixed 16 (`adaptive: false`)", color: "#9c755f", what: "the gate alone" },
  { id: "adaptive-first", label: "adaptive, first run", color: "#4e79a7", what: "learning the limit" },
  {
    id: "adaptive-second",
    label: "adaptive, second run (same client)",
    color: "#59a14f",
    what: "the pace it learned",
  },
  { id: "budget", label: "adaptive + `maxRequestsPerSecond: R`", color: "#f28e2b", what: "a known allocation" },
];

const BIN_MS = 250;
const fmt = (n, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : "–";
const range = (s, f = fmt) => (Number.isFinite(s.median) ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : "–");
const mark = (ok) => (ok ? "✅ met" : "❌ missed");
const svgText = (text) =>
  String(text).replace(/`/g, "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * The gate's pauses from the client's `throttle` events (`{ at, event }`, stamped with Date.now()):
 * each closes the gate from its stamp to its `resumeAt`. Overlapping or extending closures are one
 * pause (an episode), counted once in the paused time; nothing counts past `endedAt`.
 */
export function pausesOf(events, endedAt) {
  const windows = events
    .filter(({ event }) => event.type === "throttle")
    .map(({ at, event }) => [at, Math.min(event.resumeAt, endedAt)])
    .sort((a, b) => a[0] - b[0]);
  const bands = [];
  for (const [from, until] of windows) {
    const current = bands.at(-1);
    if (current && from < current[1]) current[1] = Math.max(current[1], until);
    else bands.push([from, Math.max(from, until)]);
  }
  return { episodes: bands.length, pausedMs: bands.reduce((sum, [from, until]) => sum + until - from, 0), bands };
}

/**
 * What one run measured, from the service's account (accepted arrival times, 429s and 50200s it
 * wrote) and the client's (stamped events and progress). Rates are accepted requests per second:
 * whole run = all of them over the time from the run's start to the last; sustained = the second
 * half of them over the time they took (the rate once the limit is learned). Times in the series
 * are seconds from the run's start.
 */
export function runMetrics(run, R) {
  const { startedAt, endedAt, acceptedAt, throttled, blocked, events, progress, ceiling } = run;
  const n = acceptedAt.length;
  const half = n >> 1;
  const whole = n > 0 ? n / (((acceptedAt[n - 1] ?? startedAt) - startedAt) / 1000) : Number.NaN;
  const sustained = half >= 1 ? (n - half) / ((acceptedAt[n - 1] - acceptedAt[half - 1]) / 1000) : Number.NaN;
  const { episodes, pausedMs, bands } = pausesOf(events, endedAt);
  const durations = events
    .filter(({ event }) => event.type === "response" && event.status === 200)
    .map(({ event }) => event.durationMs);
  const latencyMs = spread(durations).median;
  const t = (at) => (at - startedAt) / 1000;

  // The in-flight limit as steps, and the learned pace where one applied (null: none), from the
  // progress reports and the concurrency events, in time order.
  const changes = [
    ...progress.map(({ at, progress: p }) => ({ at, concurrency: p.concurrency, perSecond: p.perSecond })),
    ...events
      .filter(({ event }) => event.type === "concurrency")
      .map(({ at, event }) => ({ at, concurrency: event.concurrency, perSecond: event.perSecond })),
  ].sort((a, b) => a.at - b.at);
  const limit = [[0, ceiling]];
  const pace = [];
  for (const change of changes) {
    const concurrency = change.concurrency ?? ceiling;
    if (concurrency !== limit.at(-1)[1]) limit.push([t(change.at), concurrency]);
    const perSecond = change.perSecond ?? null;
    if (perSecond !== (pace.at(-1)?.[1] ?? null)) pace.push([t(change.at), perSecond]);
  }
  const rate = [];
  const bins = Math.max(1, Math.ceil((endedAt - startedAt) / BIN_MS));
  const counts = new Array(bins).fill(0);
  for (const at of acceptedAt) counts[Math.min(bins - 1, Math.max(0, Math.floor((at - startedAt) / BIN_MS)))]++;
  for (let i = 0; i < bins; i++) rate.push([((i + 0.5) * BIN_MS) / 1000, (counts[i] * 1000) / BIN_MS]);

  return {
    metrics: {
      accepted: n,
      throttled,
      blocked,
      wallSeconds: (endedAt - startedAt) / 1000,
      wholePerSecond: whole,
      wholeR: whole / R,
      sustainedPerSecond: sustained,
      sustainedR: sustained / R,
      share429: throttled + n > 0 ? throttled / (throttled + n) : Number.NaN,
      pauses: episodes,
      pausedSeconds: pausedMs / 1000,
      latencyMs,
    },
    series: {
      endSeconds: t(endedAt),
      limit,
      // The pace as a number in flight (Little's law: rate × time in flight), on the limit's scale.
      paceAsConcurrency: pace.map(([s, perSecond]) => [
        s,
        perSecond === null || !Number.isFinite(latencyMs) ? null : (perSecond * latencyMs) / 1000,
      ]),
      pace,
      pauses: bands.map(([from, until]) => [t(from), t(until)]),
      rate,
    },
  };
}

/** Per contender: median (min–max) of each metric over its rounds. */
export function summarizeThrottled(runs) {
  const rows = [];
  for (const contender of THROTTLED_CONTENDERS) {
    const mine = runs.filter((r) => r.contender === contender.id);
    if (mine.length === 0) continue;
    const of = (key) => spread(mine.map((r) => r.metrics[key]));
    rows.push({
      ...contender,
      rounds: mine.length,
      errors: mine.map((r) => r.error).filter(Boolean),
      ...Object.fromEntries(
        [
          "wholePerSecond",
          "wholeR",
          "sustainedPerSecond",
          "sustainedR",
          "share429",
          "pauses",
          "pausedSeconds",
          "blocked",
          "wallSeconds",
        ].map((key) => [key, of(key)]),
      ),
    });
  }
  return rows;
}

/**
 * Goal 8's pair (no limit): per round, adaptive's keys/s over fixed's keys/s of the same round,
 * then medianed; `runs` are `{ contender: "fixed" | "adaptive", round, keys, seconds }`.
 */
export function pairRatio(runs) {
  const rate = (r) => r.keys / r.seconds;
  const rounds = [...new Set(runs.map((r) => r.round))];
  const ratios = rounds.flatMap((round) => {
    const fixed = runs.find((r) => r.round === round && r.contender === "fixed");
    const adaptive = runs.find((r) => r.round === round && r.contender === "adaptive");
    return fixed && adaptive ? [rate(adaptive) / rate(fixed)] : [];
  });
  return {
    ratio: spread(ratios),
    fixed: spread(runs.filter((r) => r.contender === "fixed").map(rate)),
    adaptive: spread(runs.filter((r) => r.contender === "adaptive").map(rate)),
  };
}

/** Issue 15's goals, judged on the medians. */
export function throttledTargets({ rows, pair }) {
  const row = (id) => rows.find((r) => r.id === id);
  const first = row("adaptive-first");
  const second = row("adaptive-second");
  const out = [];
  if (first) {
    out.push(
      {
        target: "throttled, adaptive first run: sustained rate (second half of its requests)",
        goal: "≥ 0.90 R",
        measured: `${range(first.sustainedR, (n) => fmt(n, 2))} R`,
        ok: first.sustainedR.median >= 0.9,
      },
      {
        target: "throttled, adaptive first run: share of requests answered 429",
        goal: "≤ 5%",
        measured: range(first.share429, (n) => `${fmt(n * 100, 1)}%`),
        ok: first.share429.median <= 0.05,
      },
    );
  }
  if (second) {
    out.push({
      target: "throttled, adaptive second run (learned pace): whole run",
      goal: "≥ 0.90 R",
      measured: `${range(second.wholeR, (n) => fmt(n, 2))} R`,
      ok: second.wholeR.median >= 0.9,
    });
  }
  if (pair) {
    out.push({
      target: "no limit, 40 ms: adaptive keys/s vs fixed 16",
      goal: "≥ 0.95×",
      measured: `${range(pair.ratio, (n) => fmt(n, 2))}×`,
      ok: pair.ratio.median >= 0.95,
    });
  }
  if (first) {
    out.push({
      target: "throttled, adaptive first run: whole run, learning included (see Rate limits, What to expect)",
      goal: "0.90 R (goal 7 as written)",
      measured: `${range(first.wholeR, (n) => fmt(n, 2))} R`,
      ok: first.wholeR.median >= 0.9,
    });
  }
  return out;
}

export function throttledMarkdown(results) {
  const { settings: s, machine, rows, pair } = results;
  const requests = Math.ceil(s.keys / s.batchSize);
  const lines = [
    "<!-- Generated by `pnpm bench` (bench/throttled.mjs): do not edit by hand. -->",
    `Throttled service (bench/throttled-server.mjs): R = ${s.R} requests/s, burst ${s.B}, ${s.L} ms latency, 429 with \`Retry-After: ${s.RA}\` beyond the limit, 50200 for 60 s after 20 requests sent while told to wait. ` +
      `${fmt(s.keys)} keys, batch ${s.batchSize} (${fmt(requests)} requests), concurrency ${s.concurrency}, default retry, undici transport; a fresh service and credentials for each contender; ${s.rounds} round${s.rounds === 1 ? "" : "s"}, median (min–max). ` +
      `Measured on ${machine.date} on ${machine.cpu} (${machine.cores} cores), Node.js ${machine.node}${machine.serviceCore === undefined ? "" : `, service pinned to core ${machine.serviceCore}`}${machine.quick ? ", QUICK development run" : ""}.`,
    "",
    "| target (issue 15) | goal | measured, median (min–max) | |",
    "|---|---|---|---|",
    ...throttledTargets(results).map((t) => `| ${t.target} | ${t.goal} | ${t.measured} | ${mark(t.ok)} |`),
    "",
    "| contender | shows | accepted req/s, whole run | × R | sustained req/s | × R | 429s | pauses | paused s | 50200s | wall s |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map((r) =>
      [
        "",
        r.label.replace(/: R`/, `: ${s.R}\``),
        r.what,
        range(r.wholePerSecond, (n) => fmt(n, 1)),
        range(r.wholeR, (n) => fmt(n, 2)),
        range(r.sustainedPerSecond, (n) => fmt(n, 1)),
        range(r.sustainedR, (n) => fmt(n, 2)),
        range(r.share429, (n) => `${fmt(n * 100, 1)}%`),
        range(r.pauses),
        range(r.pausedSeconds, (n) => fmt(n, 1)),
        range(r.blocked),
        range(r.wallSeconds, (n) => fmt(n, 1)),
        "",
      ]
        .join(" | ")
        .trim(),
    ),
    "",
  ];
  const failed = rows.filter((r) => r.errors.length > 0);
  for (const r of failed) lines.push(`${r.label}: ${r.errors.length} run(s) ended with an error: ${r.errors[0]}`, "");
  if (pair) {
    lines.push(
      `No limit, ${s.L} ms latency, ${fmt(s.keys)} keys, batch ${s.batchSize}, ${s.concurrency} in flight, ${s.pairRounds} interleaved rounds after a warm-up: ` +
        `adaptive ${range(pair.adaptive)} keys/s, fixed 16 (\`adaptive: false\`) ${range(pair.fixed)} keys/s; adaptive ÷ fixed of the same round ${range(pair.ratio, (n) => fmt(n, 2))}×.`,
      "",
    );
  }
  lines.push(
    `Sustained: the second half of a run's accepted requests over the time they took. A first run's whole-run rate includes learning the limit: the service shows its burst at the first 429 and its rate at the second, and each pause costs Retry-After × R − B = ${fmt(s.RA * s.R - s.B)} requests' time, so a client that honours Retry-After without being told R stays near 0.8 R over ${fmt(requests)} requests (the README's "Rate limits" has the arithmetic). The second run starts with the pace the first one learned.`,
    "",
    "![concurrency and accepted requests over time](bench/results/concurrency-over-time.svg)",
    "",
  );
  return lines.join("\n");
}

/**
 * bench/results/concurrency-over-time.svg: for each contender's median round, upper panel the
 * in-flight limit (steps; fixed is flat at the ceiling) and, dashed, the learned pace as a number
 * in flight (pace × median latency); one lane per contender with its pauses as grey bands; lower
 * panel accepted requests/s in 250 ms bins, with a dashed line at R.
 */
export function throttledChart(results) {
  const { settings: s, machine, series } = results;
  const left = 60;
  const plot = 640;
  const width = left + plot + 30;
  const upperTop = 70;
  const upperHeight = 160;
  const laneHeight = 12;
  const lanesTop = upperTop + upperHeight + 50;
  const lowerTop = lanesTop + series.length * laneHeight + 40;
  const lowerHeight = 150;
  const legendTop = lowerTop + lowerHeight + 40;
  const height = legendTop + series.length * 16 + 16;
  const endSeconds = Math.max(1, ...series.map((c) => c.endSeconds));
  const x = (sec) => left + (Math.min(sec, endSeconds) / endSeconds) * plot;
  const yLimit = (n) => upperTop + upperHeight - (n / s.concurrency) * upperHeight;
  const rateMax = Math.max(s.R * 1.5, ...series.flatMap((c) => c.rate.map(([, v]) => v)));
  const rateTop = Math.ceil(rateMax / 10) * 10;
  const yRate = (v) => lowerTop + lowerHeight - (v / rateTop) * lowerHeight;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    "<!-- Generated by `pnpm bench` (bench/throttled.mjs): do not edit by hand. -->",
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14">establishAll against a rate-limited service: concurrency and accepted requests over time</text>`,
    `<text x="10" y="38" fill="#555">${svgText(`R = ${s.R} requests/s, burst ${s.B}, ${s.L} ms; ${fmt(s.keys)} keys, batch ${s.batchSize}, ceiling ${s.concurrency}; each contender's median round; ${machine.date}, Node.js ${machine.node}`)}</text>`,
    `<text x="10" y="${upperTop - 8}" font-weight="bold">in-flight limit (solid) and learned pace × latency (dashed)</text>`,
    `<text x="10" y="${lowerTop - 8}" font-weight="bold">accepted requests/s (${BIN_MS} ms bins); dashed: R = ${s.R}/s</text>`,
  ];
  const ticks = (max, count) => {
    const raw = max / count;
    const step = [1, 2, 5, 10, 20, 50, 100].find((n) => n >= raw) ?? Math.ceil(raw);
    return Array.from({ length: Math.floor(max / step) + 1 }, (_, i) => i * step);
  };
  // Axes.
  for (const n of [...new Set([...ticks(s.concurrency, 4), s.concurrency])]) {
    out.push(
      `<line x1="${left}" x2="${left + plot}" y1="${yLimit(n)}" y2="${yLimit(n)}" stroke="#eee"/>`,
      `<text x="${left - 6}" y="${yLimit(n) + 4}" text-anchor="end" fill="#555">${n}</text>`,
    );
  }
  for (const v of ticks(rateTop, 4)) {
    out.push(
      `<line x1="${left}" x2="${left + plot}" y1="${yRate(v)}" y2="${yRate(v)}" stroke="#eee"/>`,
      `<text x="${left - 6}" y="${yRate(v) + 4}" text-anchor="end" fill="#555">${v}</text>`,
    );
  }
  for (const [top, bottom] of [
    [upperTop, upperTop + upperHeight],
    [lowerTop, lowerTop + lowerHeight],
  ]) {
    out.push(
      `<line x1="${left}" x2="${left}" y1="${top}" y2="${bottom}" stroke="#888"/>`,
      `<line x1="${left}" x2="${left + plot}" y1="${bottom}" y2="${bottom}" stroke="#888"/>`,
    );
    for (const sec of ticks(endSeconds, 10)) {
      out.push(
        `<line x1="${x(sec)}" x2="${x(sec)}" y1="${bottom}" y2="${bottom + 4}" stroke="#888"/>`,
        `<text x="${x(sec)}" y="${bottom + 15}" text-anchor="middle" fill="#555">${sec} s</text>`,
      );
    }
  }
  out.push(
    `<line x1="${left}" x2="${left + plot}" y1="${yRate(s.R)}" y2="${yRate(s.R)}" stroke="#e15759" stroke-dasharray="4 3"/>`,
  );
  series.forEach((c, i) => {
    // Upper panel: the limit as steps, the pace (dashed) where one applied.
    const steps = [];
    c.limit.forEach(([sec, n], j) => {
      if (j > 0) steps.push(`${x(sec).toFixed(1)},${yLimit(c.limit[j - 1][1]).toFixed(1)}`);
      steps.push(`${x(sec).toFixed(1)},${yLimit(n).toFixed(1)}`);
    });
    steps.push(`${x(c.endSeconds).toFixed(1)},${yLimit(c.limit.at(-1)[1]).toFixed(1)}`);
    out.push(
      `<polyline points="${steps.join(" ")}" fill="none" stroke="${c.color}" stroke-width="1.5"><title>${svgText(c.label)}: in-flight limit</title></polyline>`,
    );
    const segments = [];
    c.paceAsConcurrency.forEach(([sec, n], j) => {
      if (n === null) return;
      const until = c.paceAsConcurrency[j + 1]?.[0] ?? c.endSeconds;
      segments.push(`M${x(sec).toFixed(1)},${yLimit(n).toFixed(1)} H${x(until).toFixed(1)}`);
    });
    if (segments.length > 0)
      out.push(
        `<path d="${segments.join(" ")}" fill="none" stroke="${c.color}" stroke-width="1.5" stroke-dasharray="5 3"><title>${svgText(c.label)}: learned pace × latency</title></path>`,
      );
    // Its lane: the gate's pauses.
    const laneY = lanesTop + i * laneHeight;
    out.push(
      `<rect x="${left - 14}" y="${laneY + 2}" width="8" height="${laneHeight - 4}" fill="${c.color}"/>`,
      `<line x1="${left}" x2="${left + plot}" y1="${laneY + laneHeight / 2}" y2="${laneY + laneHeight / 2}" stroke="#eee"/>`,
      ...c.pauses.map(
        ([from, until]) =>
          `<rect x="${x(from).toFixed(1)}" y="${laneY + 1}" width="${Math.max(1, x(until) - x(from)).toFixed(1)}" height="${laneHeight - 2}" fill="#bbb"><title>${svgText(c.label)}: paused ${fmt(until - from, 2)} s</title></rect>`,
      ),
    );
    // Lower panel: accepted requests/s.
    out.push(
      `<polyline points="${c.rate.map(([sec, v]) => `${x(sec).toFixed(1)},${yRate(v).toFixed(1)}`).join(" ")}" fill="none" stroke="${c.color}" stroke-width="1.2" stroke-opacity="0.85"><title>${svgText(c.label)}: accepted requests/s</title></polyline>`,
    );
    // Legend.
    const legendY = legendTop + i * 16;
    out.push(
      `<line x1="${left}" x2="${left + 24}" y1="${legendY}" y2="${legendY}" stroke="${c.color}" stroke-width="2"/>`,
      `<text x="${left + 30}" y="${legendY + 4}">${svgText(c.label.replace(/: R`/, `: ${s.R}\``))}</text>`,
    );
  });
  out.push(
    `<text x="10" y="${lanesTop - 8}" font-weight="bold">pauses at the shared gate (grey), one lane per contender</text>`,
    "</svg>",
  );
  return `${out.join("\n")}\n`;
}
