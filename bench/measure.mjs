// What one timed round measures in the client process, and how rounds become medians.
//
// Heap bytes allocated: the process runs with --expose-gc; before each round a full GC leaves only
// live objects, then v8.GCProfiler records every GC during the round. Allocated =
//   (used heap at the end − used heap at the start) + Σ over the round's GCs (used before − used after),
// i.e. what the heap grew by plus what each GC took back. It counts V8 heap objects only: Buffer
// and ArrayBuffer backing stores (socket reads, undici's body chunks) and other external memory are
// not in it. checkAllocationMethod() validates it on a known workload (objects of a known size with
// scavenges and mark-compacts during the loop): on Node 20 x64 it reads within 1% of the truth.
// GCProfiler costs about 0.1 ms per GC (it builds heap statistics objects), under 0.5% of a round
// here; a contender pays it in proportion to what it allocates.
import v8 from "node:v8";

const usedHeap = () => v8.getHeapStatistics().used_heap_size;

/**
 * Runs `work()` (resolving `{ requests, keys }`) once and measures it: wall time, the client
 * process's CPU time (user + system, all threads: the GC's included) and heap bytes allocated.
 */
export async function measureRound(work) {
  if (typeof globalThis.gc !== "function") throw new Error("the client process needs node --expose-gc");
  globalThis.gc();
  const profiler = new v8.GCProfiler();
  profiler.start();
  const heapStart = usedHeap();
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const done = await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  const heapEnd = usedHeap();
  const { statistics } = profiler.stop();
  let collected = 0;
  for (const gc of statistics) {
    collected += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
  }
  return {
    ...done,
    seconds,
    cpuUs: used.user + used.system,
    heapBytes: heapEnd - heapStart + collected,
    gcs: statistics.length,
  };
}

/**
 * The allocation method on a workload whose answer is known: 400,000 `new Array(126)` (V8 on x64
 * without pointer compression, Node's build: a 32-byte JSArray plus a 16-byte FixedArray header
 * and 126 × 8 bytes = 1,056 bytes each), kept in a ring of 20,000 so some live long enough to be
 * promoted and both scavenges and mark-compacts run during the loop.
 */
export async function checkAllocationMethod() {
  const count = 400_000;
  const bytesEach = 32 + 16 + 126 * 8;
  const ring = new Array(20_000);
  const m = await measureRound(async () => {
    for (let i = 0; i < count; i++) ring[i % ring.length] = new Array(126);
    return {};
  });
  ring.length = 0;
  return { expectedBytes: count * bytesEach, measuredBytes: m.heapBytes, gcs: m.gcs };
}

/** Median, min and max. */
export function spread(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/**
 * Per scenario and contender: median (min–max) over the timed rounds. Every ratio (and added
 * latency) is taken per round against the scenario's raw transport (or baseline) in the same
 * round, then medianed: a slow moment of the machine moves both sides of a ratio alike.
 */
export function summarize(records, scenarios) {
  const out = [];
  for (const scenario of scenarios) {
    // The raw transport, or the proxy scenarios' direct client (scenarios.mjs baselineOf).
    const rawId = scenario.contenders.find((c) => c.role === "raw" || c.role === "baseline").id;
    const mine = records.filter((r) => r.scenario === scenario.id);
    const rawOf = (round) => mine.find((r) => r.round === round && r.contender === rawId);
    // A second comparison some scenarios report beside their goal (the proxy's, like for like).
    const versusOf = (round) => mine.find((r) => r.round === round && r.contender === scenario.reportVersus);
    const throughput = (r) => (scenario.kind === "bulk" ? r.keys : r.requests) / r.seconds;
    for (const contender of scenario.contenders) {
      const rounds = mine.filter((r) => r.contender === contender.id);
      if (rounds.length === 0) continue;
      const of = (f) => spread(rounds.map(f));
      out.push({
        scenario: scenario.id,
        contender: contender.id,
        label: contender.label,
        role: contender.role,
        rounds: rounds.length,
        perRound: { requests: rounds[0].requests, keys: rounds[0].keys },
        requestsPerSecond: of((r) => r.requests / r.seconds),
        keysPerSecond: of((r) => r.keys / r.seconds),
        ratio: of((r) => throughput(r) / throughput(rawOf(r.round))),
        cpuUsPerRequest: of((r) => r.cpuUs / r.requests),
        cpuUsPerKey: of((r) => r.cpuUs / r.keys),
        cpuRatio: of((r) => r.cpuUs / r.requests / (rawOf(r.round).cpuUs / rawOf(r.round).requests)),
        ...(scenario.reportVersus &&
          rounds.every((r) => versusOf(r.round)) && {
            cpuRatioVersus: of((r) => r.cpuUs / r.requests / (versusOf(r.round).cpuUs / versusOf(r.round).requests)),
          }),
        heapBytesPerRequest: of((r) => r.heapBytes / r.requests),
        heapBytesPerKey: of((r) => r.heapBytes / r.keys),
        heapRatio: of((r) => r.heapBytes / r.requests / (rawOf(r.round).heapBytes / rawOf(r.round).requests)),
        // Share of the round the client process was on a CPU: near 100% when CPU-bound.
        clientBusy: of((r) => r.cpuUs / 1e6 / r.seconds),
        // Scenarios with `latency` (the proxy's): per-request latency, and what it adds to the
        // baseline's of the same round.
        ...(rounds[0].latency && {
          latencyP50Us: of((r) => r.latency.p50Us),
          latencyP99Us: of((r) => r.latency.p99Us),
          addedLatencyP50Us: of((r) => r.latency.p50Us - rawOf(r.round).latency.p50Us),
          addedLatencyP99Us: of((r) => r.latency.p99Us - rawOf(r.round).latency.p99Us),
        }),
      });
    }
  }
  return out;
}

/** The `p`-th percentile (0–100) of `sorted` (ascending), nearest rank: a value that was measured. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** p50 and p99 in µs of request latencies given in ns (a round's, in any order). */
export function latencySummary(latenciesNs) {
  const sorted = Float64Array.from(latenciesNs).sort();
  return { p50Us: percentile(sorted, 50) / 1000, p99Us: percentile(sorted, 99) / 1000 };
}
