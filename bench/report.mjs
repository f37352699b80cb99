// The bench's Markdown (results/latest.md, also the README's performance section) and its charts.
import { baselineOf, SCENARIOS } from "./scenarios.mjs";

const fmt = (n, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : "–";
const times = (n) => `${fmt(n, 2)}×`;
/** A target's verdict; `undefined` for a measurement reported without a goal. */
const mark = (ok) => (ok === undefined ? "" : ok ? "✅ met" : "❌ missed");
/** `median (min–max)`, each formatted by `f`. */
const range = (s, f = fmt) => `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
const ratioRange = (s) => `${times(s.median)} (${fmt(s.min, 2)}–${fmt(s.max, 2)})`;
const unitOf = (scenario) => (scenario.kind === "bulk" ? "keys/s" : "req/s");
/** `median (min–max) µs`. */
const usRange = (s) => `${range(s)} µs`;

/**
 * The goals: each scenario's (issue 14 points 4 and 5; the proxy's, issue 16 point 9, with its
 * added latency reported beside, without a goal), then the extras' (issue 14 point 6; absent from
 * an `--only` run). Judged on the median.
 */
export function targets({ summary, extras }) {
  const rows = [];
  for (const scenario of SCENARIOS) {
    const { goals } = scenario;
    const client = summary.find((r) => r.scenario === scenario.id && r.role === "client");
    if (!goals || !client) continue;
    const raw = baselineOf(scenario).short ?? baselineOf(scenario).label;
    const judged = scenario.contenders.find((c) => c.role === "client");
    const who = judged.id === "proxy" ? "proxy" : "client";
    if (goals.throughput !== undefined) {
      rows.push({
        target: `${scenario.title}: ${unitOf(scenario)} vs ${raw}`,
        goal: `≥ ${fmt(goals.throughput, 2)}×`,
        measured: ratioRange(client.ratio),
        ok: client.ratio.median >= goals.throughput,
      });
    }
    if (goals.cpu !== undefined) {
      rows.push({
        target: `${scenario.title}: ${who} CPU per request vs ${raw}`,
        goal: `≤ ${fmt(goals.cpu, 2)}×`,
        measured: ratioRange(client.cpuRatio),
        ok: client.cpuRatio.median <= goals.cpu,
      });
    }
    if (client.cpuRatioVersus) {
      const versus = scenario.contenders.find((c) => c.id === scenario.reportVersus);
      rows.push({
        target: `${scenario.title}: ${who} CPU per request vs ${versus.short ?? versus.label}`,
        goal: "reported",
        measured: ratioRange(client.cpuRatioVersus),
        ok: undefined,
      });
    }
    if (scenario.addedLatency && client.addedLatencyP50Us) {
      rows.push({
        target: `${scenario.title}: added latency, p50 / p99 (${who} path − ${raw}, per round)`,
        goal: "reported",
        measured: `${usRange(client.addedLatencyP50Us)} / ${usRange(client.addedLatencyP99Us)}`,
        ok: undefined,
      });
    }
  }
  if (!extras) return rows;
  const { browserBundle, streamedRss, typecheck } = extras;
  rows.push(
    {
      target: "browser bundle, createContactsClient + establish (min+gzip)",
      goal: "≤ 3.5 kB",
      measured: `${fmt(browserBundle.downloadGzipBytes / 1000, 2)} kB (everything, once loaded: ${fmt(browserBundle.allGzipBytes / 1000, 2)} kB)`,
      ok: browserBundle.downloadGzipBytes <= 3500,
    },
    {
      target: `peak RSS growth, establishAll over ${fmt(streamedRss.keys)} streamed keys`,
      goal: "≤ 64 MB",
      measured: `${fmt(streamedRss.growthMb, 1)} MB (${fmt(streamedRss.baselineMb, 1)} → ${fmt(streamedRss.peakMb, 1)} MB)`,
      ok: streamedRss.growthMb <= 64,
    },
    {
      target: "type-check instantiations of a consumer file vs a hand-written fetch wrapper",
      goal: "≤ 2×",
      measured: `${times(typecheck.ratio)} (${fmt(typecheck.consumerInstantiations)} vs ${fmt(typecheck.handWrittenInstantiations)}, the same job; an establishAll consumer: ${fmt(typecheck.bulkInstantiations)})`,
      ok: typecheck.ratio <= 2,
    },
  );
  return rows;
}

/** One table per scenario: every contender's medians (min–max). */
function scenarioTable(scenario, summary) {
  const rows = summary.filter((r) => r.scenario === scenario.id);
  if (rows.length === 0) return [];
  const bulk = scenario.kind === "bulk";
  const client = rows.find((r) => r.role === "client") ?? rows[0];
  const { requests, keys } = client.perRound;
  const work = bulk ? `${fmt(keys)} keys in ${fmt(requests)} requests` : `${fmt(requests)} requests`;
  // The proxy scenarios divide by the direct client, not a raw transport; and show latency.
  const base = scenario.contenders.find((c) => c.role === "baseline") ? "direct" : "raw";
  const latency = rows.some((r) => r.latencyP50Us);
  const head = bulk
    ? ["contender", "keys/s", "× raw", "CPU µs/req", "CPU µs/key", "CPU × raw", "heap B/req", "heap B/key"]
    : [
        "contender",
        "req/s",
        `× ${base}`,
        "CPU µs/req",
        `CPU × ${base}`,
        "heap B/req",
        ...(latency ? ["p50 latency µs", "p99 latency µs"] : []),
      ];
  const cells = (r) =>
    bulk
      ? [
          r.label,
          range(r.keysPerSecond),
          ratioRange(r.ratio),
          range(r.cpuUsPerRequest),
          range(r.cpuUsPerKey, (n) => fmt(n, 2)),
          ratioRange(r.cpuRatio),
          range(r.heapBytesPerRequest),
          range(r.heapBytesPerKey),
        ]
      : [
          r.label,
          range(r.requestsPerSecond),
          ratioRange(r.ratio),
          range(r.cpuUsPerRequest),
          ratioRange(r.cpuRatio),
          range(r.heapBytesPerRequest),
          ...(latency ? [range(r.latencyP50Us), range(r.latencyP99Us)] : []),
        ];
  return [
    `**${scenario.title}**: ${work} a round; the client process was on its core ${Math.round(client.clientBusy.median * 100)}% of the round (median).`,
    "",
    `| ${head.join(" | ")} |`,
    `|---|${head
      .slice(1)
      .map(() => "---:")
      .join("|")}|`,
    ...rows.map((r) => `| ${cells(r).join(" | ")} |`),
    "",
  ];
}

/** The chart files of a run: one per `chart` name of the scenarios it measured. */
export function charts(results) {
  const measured = SCENARIOS.filter((s) => results.summary.some((r) => r.scenario === s.id));
  const names = [...new Set(measured.map((s) => s.chart).filter(Boolean))];
  return Object.fromEntries(names.map((name) => [`${name}.svg`, ratioChart(results, name)]));
}

export function markdown(results) {
  const { machine, summary, extras, allocationCheck } = results;
  const measured = (s) => summary.some((r) => r.scenario === s.id);
  const proxied = SCENARIOS.some((s) => measured(s) && s.contenders.some((c) => c.role === "baseline"));
  const pinned = machine.pinned
    ? `client process pinned to core ${machine.pinned.client}, service (bench/server.mjs)${proxied ? " and the proxy scenarios' driver (bench/proxy-driver.mjs)" : ""} to core ${machine.pinned.service} (taskset)`
    : `not pinned (${machine.notPinnedBecause})`;
  const check = allocationCheck.measuredBytes / allocationCheck.expectedBytes;
  const lines = [
    "<!-- Generated by `pnpm bench` (bench/run.mjs): do not edit by hand. -->",
    ...(machine.only ? [`A partial run (--only): ${machine.only.join(", ")}.`, ""] : []),
    `Measured on ${machine.date} on ${machine.cpu} (${machine.cores} cores), Node.js ${machine.node}, load average ${fmt(machine.loadBefore, 2)} at the start; ${pinned}; ${machine.warmup} warm-up round${machine.warmup === 1 ? "" : "s"} per contender, then ${machine.rounds} interleaved rounds; median (min–max).`,
    "",
    `| target (issue 14${proxied ? "; the proxy's: issue 16" : ""}) | goal | measured, median (min–max) | |`,
    "|---|---|---|---|",
    ...targets(results).map((t) => `| ${t.target} | ${t.goal} | ${t.measured} | ${mark(t.ok)} |`),
    "",
    ...SCENARIOS.flatMap((scenario) => scenarioTable(scenario, summary)),
    "Each ratio is taken per round against the raw transport of the same round, then medianed. Raw contenders send the same body and headers, in the same batches with as many in flight, and JSON-parse every answer. Clients run with their default options (retry on, no `onEvent`); `retry: false` rows are for comparison. CPU is the client process's (user + system, GC included). Heap is bytes allocated on the V8 heap: a GC is forced before each round and v8.GCProfiler adds what each GC freed to the heap's growth; Buffers and other external memory (socket reads, body chunks) are not counted. " +
      `(The method's check, ${fmt(allocationCheck.expectedBytes / 1e6, 1)} MB of known objects allocated, read ${fmt(allocationCheck.measuredBytes / 1e6, 1)} MB: ${times(check)}.)`,
    "",
    ...(proxied
      ? [
          "Proxy scenarios: the client process hosts `@sfmc-contacts/proxy` on `node:http` (`toNodeListener`, default upstream: client-node's undici transport, which the proxy picks while Node's fetch is untouched, `retry: false`; `authorize` allows all), so its CPU and heap are the proxy's own: the incoming request, the checks, the body's validation, the forward and the answer. The requests come from bench/proxy-driver.mjs, pinned beside the service, with raw `undici.request`. Ratios divide by client-node's `establish` (default options, so the fetch transport) calling the service directly from the client process, in the same rounds. Two reference rows: the proxy forwarding on fetch (`upstream.transport: \"fetch\"`, what it does while msw or a proxy agent stands in fetch's way), and client-node on its undici transport calling the service directly (the proxy's own forward, without the proxy around it). Latency runs from the send to the parsed answer, as the caller sees it (the driver for the proxy, the client process for the direct client); added latency is the proxy path's p50 (p99) minus the direct client's, paired per round.",
          "",
        ]
      : []),
    ...(extras
      ? [
          `msw in-process: ${fmt(extras.mswVersusLoopback.mswRequestsPerSecond)} req/s; the same client over a real loopback socket (\`startContactsHttpServer\`): ${fmt(extras.mswVersusLoopback.loopbackRequestsPerSecond)} req/s (default client, fetch transport, 1 in flight, 2 keys; not pinned).`,
          "",
        ]
      : []),
    ...Object.keys(charts(results)).map((file) => `![throughput vs raw transport](bench/results/${file})`),
    "",
  ];
  return lines.join("\n");
}

const svgText = (text) => text.replace(/`/g, "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const COLORS = { client: "#4e79a7", option: "#a0cbe8", reference: "#bab0ac" };

/**
 * Throughput vs the raw transport, one group per scenario drawn in chart `name`, one bar per
 * contender (the raw one is the 1.0× line). Ratios with min–max whiskers rather than keys/s: the
 * scenarios' throughputs differ a hundredfold (keys/s of bulk runs, req/s of 2-key calls), so one
 * keys/s axis would flatten half of them; the goals are stated as ratios; and each ratio is paired
 * with the raw run of its own round, so the whisker shows the spread of the comparison, not the
 * machine's drift.
 */
export function ratioChart({ summary, machine }, name) {
  const groups = SCENARIOS.filter((s) => s.chart === name).map((scenario) => ({
    title: `${scenario.title} (${unitOf(scenario)} vs ${baselineOf(scenario).label})`,
    goal: scenario.goals?.throughput,
    rows: summary
      .filter((r) => r.scenario === scenario.id && r.role !== "raw")
      .map((r) => ({ label: r.label, color: COLORS[r.role] ?? COLORS.reference, ...r.ratio })),
  }));
  return whiskerChart({
    title: `Throughput vs the raw transport, median and min–max of ${machine.rounds} rounds`,
    subtitle: `${machine.date}, ${machine.cpu}, Node.js ${machine.node}, ${machine.pinned ? "client and service pinned to their own cores" : "not pinned"}`,
    groups,
    reference: 1,
  });
}

/**
 * A horizontal bar chart with whiskers, reusable for any grouped "median (min–max)" values:
 * `groups: [{ title, goal?, rows: [{ label, median, min, max, color? }] }]`; `reference` draws a
 * solid line (e.g. 1.0× = the raw transport), each group's `goal` a dashed one.
 */
export function whiskerChart({ title, subtitle, groups, reference, format = (n) => `${fmt(n, 2)}×` }) {
  const left = 330;
  const plot = 380;
  const rowHeight = 18;
  const titleHeight = 24;
  const values = groups.flatMap((g) => [...g.rows.flatMap((r) => [r.max, r.median]), g.goal ?? 0]);
  const axisMax = Math.max(
    1.2,
    Math.ceil((Math.max(...values.filter(Number.isFinite), reference ?? 0) + 0.05) * 5) / 5,
  );
  const x = (value) => left + (Math.max(0, value) / axisMax) * plot;
  const height = 60 + groups.reduce((n, g) => n + titleHeight + g.rows.length * rowHeight + 8, 0) + 30;
  const width = left + plot + 70;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    "<!-- Generated by `pnpm bench` (bench/run.mjs): do not edit by hand. -->",
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14">${svgText(title)}</text>`,
    `<text x="10" y="38" fill="#555">${svgText(subtitle)}</text>`,
  ];
  let y = 56;
  const plotTop = y;
  for (const group of groups) {
    out.push(`<text x="10" y="${y + 15}" font-weight="bold">${svgText(group.title)}</text>`);
    y += titleHeight;
    const groupTop = y;
    for (const row of group.rows) {
      const mid = y + rowHeight / 2;
      out.push(
        `<text x="${left - 8}" y="${mid + 4}" text-anchor="end">${svgText(row.label)}</text>`,
        `<rect x="${left}" y="${y + 3}" width="${x(row.median) - left}" height="${rowHeight - 6}" fill="${row.color ?? COLORS.client}"><title>${svgText(row.label)}: ${format(row.median)} (${format(row.min)}–${format(row.max)})</title></rect>`,
        `<line x1="${x(row.min)}" x2="${x(row.max)}" y1="${mid}" y2="${mid}" stroke="#222"/>`,
        `<line x1="${x(row.min)}" x2="${x(row.min)}" y1="${mid - 4}" y2="${mid + 4}" stroke="#222"/>`,
        `<line x1="${x(row.max)}" x2="${x(row.max)}" y1="${mid - 4}" y2="${mid + 4}" stroke="#222"/>`,
        `<text x="${x(row.max) + 6}" y="${mid + 4}">${format(row.median)}</text>`,
      );
      y += rowHeight;
    }
    if (group.goal !== undefined) {
      out.push(
        `<line x1="${x(group.goal)}" x2="${x(group.goal)}" y1="${groupTop}" y2="${y}" stroke="#e15759" stroke-dasharray="4 3"/>`,
        `<text x="${x(group.goal)}" y="${groupTop - 2}" fill="#e15759" text-anchor="middle" font-size="9">goal ${format(group.goal)}</text>`,
      );
    }
    y += 8;
  }
  if (reference !== undefined) {
    out.push(`<line x1="${x(reference)}" x2="${x(reference)}" y1="${plotTop}" y2="${y}" stroke="#222"/>`);
  }
  out.push(`<line x1="${left}" x2="${left + plot}" y1="${y}" y2="${y}" stroke="#888"/>`);
  const step = axisMax > 1.6 ? 0.5 : 0.2;
  for (let tick = 0; tick <= axisMax + 1e-9; tick += step) {
    out.push(
      `<line x1="${x(tick)}" x2="${x(tick)}" y1="${y}" y2="${y + 4}" stroke="#888"/>`,
      `<text x="${x(tick)}" y="${y + 16}" text-anchor="middle" fill="#555">${format(tick)}</text>`,
    );
  }
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
