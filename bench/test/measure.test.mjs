// The bench's measuring logic (not its numbers): run with `pnpm --filter sfmc-contacts-bench test`, part of `pnpm verify`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkAllocationMethod, measureRound, spread, summarize } from "../measure.mjs";

test("heap accounting reads a known allocation within 3%, GCs during the round included", async () => {
  const { expectedBytes, measuredBytes, gcs } = await checkAllocationMethod();
  assert.ok(gcs > 0, "the check must run GCs during the loop, or it checks nothing");
  assert.ok(Math.abs(measuredBytes / expectedBytes - 1) < 0.03, `${measuredBytes} vs ${expectedBytes}`);
});

test("measureRound returns the work's counts with time, CPU and heap", async () => {
  const m = await measureRound(async () => ({ requests: 3, keys: 6 }));
  assert.equal(m.requests, 3);
  assert.equal(m.keys, 6);
  for (const field of ["seconds", "cpuUs", "heapBytes", "gcs"]) assert.equal(typeof m[field], "number", field);
});

test("spread: median of odd and even counts, min and max", () => {
  assert.deepEqual(spread([3, 1, 2]), { median: 2, min: 1, max: 3 });
  assert.deepEqual(spread([4, 1, 3, 2]), { median: 2.5, min: 1, max: 4 });
});

test("summarize pairs each round with the raw run of the same round before taking the median", () => {
  const scenario = {
    id: "s",
    kind: "establish",
    contenders: [
      { id: "raw", label: "raw", role: "raw" },
      { id: "client", label: "client", role: "client" },
    ],
  };
  // The machine slows down in round 2 for both: per-round ratios are 0.5, 0.5, 0.5, while the
  // ratio of the medians (100 / 200 vs 50 / 100) would not say so.
  const rec = (contender, round, seconds, cpuUs) => ({
    scenario: "s",
    contender,
    round,
    seconds,
    requests: 100,
    keys: 200,
    cpuUs,
    heapBytes: 1000,
  });
  const records = [
    rec("raw", 1, 1, 100),
    rec("client", 1, 2, 150),
    rec("raw", 2, 4, 400),
    rec("client", 2, 8, 600),
    rec("raw", 3, 1.5, 100),
    rec("client", 3, 3, 150),
  ];
  const client = summarize(records, [scenario]).find((r) => r.contender === "client");
  assert.deepEqual(client.ratio, { median: 0.5, min: 0.5, max: 0.5 });
  assert.deepEqual(client.cpuRatio, { median: 1.5, min: 1.5, max: 1.5 });
  assert.equal(client.cpuUsPerRequest.median, 1.5);
  assert.equal(client.cpuUsPerKey.median, 0.75);
  assert.equal(client.heapBytesPerKey.median, 5);
});
