import assert from "node:assert/strict";
import { test } from "node:test";
import { baselineOf, findProfileTarget, profileNames, runRound, SCENARIOS } from "../scenarios.mjs";

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("a raw bulk run sends the same batches as establishAll, every key counted across concurrent workers", async () => {
  const scenario = { id: "t", kind: "bulk", batchSize: 50, inFlight: 16 };
  const sizes = [];
  const seen = new Set();
  const instance = {
    async send(keys) {
      sizes.push(keys.length);
      for (const key of keys) seen.add(key);
      await tick(); // workers interleave, as they do on sockets
      return keys.length;
    },
  };
  assert.deepEqual(await runRound(scenario, instance, 1, 1025), { requests: 21, keys: 1025 });
  assert.equal(seen.size, 1025);
  assert.deepEqual(
    sizes.toSorted((a, b) => a - b),
    [25, ...Array(20).fill(50)],
  );
});

test("a round where fewer keys are answered than sent stops the bench", async () => {
  const scenario = { id: "t", kind: "establish", keysPerRequest: 2, inFlight: 1 };
  await assert.rejects(runRound(scenario, { send: async () => 1 }, 1, 10), /10 of 20 keys answered/);
  const bulk = { id: "t", kind: "bulk", batchSize: 50, inFlight: 4 };
  const wrongBatches = { all: async () => ({ established: 100, batches: 3 }) };
  await assert.rejects(runRound(bulk, wrongBatches, 1, 100), /3 batches, not 2/);
});

test("every scenario has one baseline first (its raw transport, or the direct client) and one judged client; --profile names resolve", () => {
  for (const scenario of SCENARIOS) {
    const bases = scenario.contenders.filter((c) => c.role === "raw" || c.role === "baseline");
    assert.equal(bases.length, 1, scenario.id);
    assert.equal(scenario.contenders[0], bases[0], scenario.id);
    assert.equal(baselineOf(scenario), bases[0], scenario.id);
    assert.equal(scenario.contenders.filter((c) => c.role === "client").length, 1, scenario.id);
    assert.ok(findProfileTarget(scenario.id)?.contender.role === "client", scenario.id);
  }
  for (const name of profileNames()) assert.ok(findProfileTarget(name), name);
  assert.equal(findProfileTarget("establish-undici:nope"), undefined);
  assert.equal(findProfileTarget("nope"), undefined);
});
