// The proxy scenarios' logic (issue 16 point 9), not their numbers: the driver's commands and its
// IPC protocol, latency percentiles, pairing with the direct client, the goal's verdict, --only.
import assert from "node:assert/strict";
import { EventEmitter, once } from "node:events";
import { createServer } from "node:http";
import { test } from "node:test";
import { startContactsHttpServer } from "@sfmc-contacts/mocks/http-server";
import { createContactsProxy, toNodeListener } from "@sfmc-contacts/proxy";
import { latencySummary, percentile, summarize } from "../measure.mjs";
import { driverClient, upstreamTransportOf } from "../proxy.mjs";
import { keysOf, PROXY_PATH, runCommand, serve } from "../proxy-driver.mjs";
import { markdown, targets } from "../report.mjs";
import { findProfileTarget, profileNames, runRound, SCENARIOS, selectScenarios } from "../scenarios.mjs";

const tick = () => new Promise((resolve) => setImmediate(resolve));
/** A fake proxy: answers every key of the body, after a turn (so workers interleave). */
const answering = (seen) => async (body) => {
  const { ContactKeys } = JSON.parse(body);
  seen?.push(ContactKeys);
  await tick();
  return { status: 200, text: JSON.stringify({ items: ContactKeys.map((key) => ({ key })) }) };
};

test("runCommand sends count requests of the round's keys, inFlight at a time, and times each one", async () => {
  const seen = [];
  let inFlight = 0;
  let most = 0;
  const post = async (body) => {
    most = Math.max(most, ++inFlight);
    const answer = await answering(seen)(body);
    inFlight--;
    return answer;
  };
  const done = await runCommand({ round: 3, count: 40, inFlight: 16, keys: 2 }, post);
  assert.equal(done.requests, 40);
  assert.equal(done.keys, 80);
  assert.equal(done.answered, 80);
  assert.equal(most, 16);
  assert.equal(seen.length, 40);
  // The same key names runRound gives the direct client, every request's own.
  assert.deepEqual(
    seen.flat().toSorted(),
    Array.from({ length: 40 }, (_, i) => keysOf(3, i, 2))
      .flat()
      .toSorted(),
  );
  assert.deepEqual(keysOf(3, 7, 2), ["key-3-7-0", "key-3-7-1"]);
  assert.ok(done.latency.p50Us > 0 && done.latency.p99Us >= done.latency.p50Us, JSON.stringify(done.latency));
  assert.equal(PROXY_PATH, "/api/sfmc/contacts/v1/establish");
});

test("runCommand fails on a status other than 200 and on keys left unanswered", async () => {
  const refusing = async () => ({ status: 401, text: '{"message":"Unauthorized"}' });
  await assert.rejects(runCommand({ round: 1, count: 3, inFlight: 1, keys: 2 }, refusing), /answered 401/);
  const short = async () => ({ status: 200, text: '{"items":[{}]}' });
  await assert.rejects(runCommand({ round: 1, count: 3, inFlight: 2, keys: 2 }, short), /3 of 6 keys answered/);
});

/** Two ends of an IPC channel in one process. */
function channelPair() {
  const parent = new EventEmitter();
  const child = new EventEmitter();
  parent.send = (message) => setImmediate(() => child.emit("message", structuredClone(message)));
  child.send = (message) => setImmediate(() => parent.emit("message", structuredClone(message)));
  child.disconnect = () => setImmediate(() => parent.emit("exit", 0, null));
  return { parent, child };
}

test("driver protocol: run commands are answered by id, a failure rejects only its own run, close ends it", async () => {
  const { parent, child } = channelPair();
  const urls = [];
  let closed = 0;
  const post = (url, body) => {
    urls.push(url);
    return url.endsWith(":2") ? Promise.resolve({ status: 503, text: "down" }) : answering()(body);
  };
  post.close = async () => closed++;
  serve(child, post);
  const driver = driverClient(parent);
  const [ok, failed, other] = await Promise.allSettled([
    driver.run({ url: "http://127.0.0.1:1", round: 1, count: 5, inFlight: 1, keys: 2 }),
    driver.run({ url: "http://127.0.0.1:2", round: 1, count: 5, inFlight: 1, keys: 2 }),
    driver.run({ url: "http://127.0.0.1:1", round: 2, count: 3, inFlight: 2, keys: 50 }),
  ]);
  assert.equal(ok.status, "fulfilled");
  assert.equal(ok.value.answered, 10);
  assert.equal(failed.status, "rejected");
  assert.match(failed.reason.message, /proxy driver: the proxy answered 503/);
  assert.equal(other.value.answered, 150);
  assert.ok(urls.includes("http://127.0.0.1:2"));
  parent.send({ type: "close" });
  await new Promise((resolve) => parent.once("exit", resolve));
  assert.equal(closed, 1);
  await assert.rejects(driver.run({ url: "x", round: 1, count: 1, inFlight: 1, keys: 1 }), /exited/);
});

test("a run in flight when the driver exits is rejected, not left hanging", async () => {
  const parent = new EventEmitter();
  parent.send = () => setImmediate(() => parent.emit("exit", 1, null));
  await assert.rejects(
    driverClient(parent).run({ url: "x", round: 1, count: 1, inFlight: 1, keys: 1 }),
    /driver exited \(1\)/,
  );
});

test("percentile is nearest rank; latencySummary turns ns into µs whatever the order", () => {
  const sorted = Array.from({ length: 200 }, (_, i) => i + 1);
  assert.equal(percentile(sorted, 50), 100);
  assert.equal(percentile(sorted, 99), 198);
  assert.equal(percentile([7], 99), 7);
  // A rank between two samples is the higher one: p50 of 1..101 is 51, p99 of 1..101 is 100.
  const odd = Array.from({ length: 101 }, (_, i) => i + 1);
  assert.equal(percentile(odd, 50), 51);
  assert.equal(percentile(odd, 99), 100);
  assert.ok(Number.isNaN(percentile([], 50)));
  const ns = Array.from({ length: 100 }, (_, i) => (100 - i) * 1000);
  assert.deepEqual(latencySummary(ns), { p50Us: 50, p99Us: 99 });
});

test("runRound: a contender that runs the round elsewhere is checked, and the direct one is timed", async () => {
  const scenario = { id: "p", kind: "establish", keysPerRequest: 2, inFlight: 4, latency: true };
  const elsewhere = {
    round: async ({ size, keysPerRequest }) => ({
      requests: size,
      answered: size * keysPerRequest,
      latency: { p50Us: 1, p99Us: 2 },
    }),
  };
  assert.deepEqual(await runRound(scenario, elsewhere, 1, 10), {
    requests: 10,
    keys: 20,
    latency: { p50Us: 1, p99Us: 2 },
  });
  const lossy = { round: async ({ size }) => ({ requests: size, answered: size, latency: { p50Us: 1, p99Us: 2 } }) };
  await assert.rejects(runRound(scenario, lossy, 1, 10), /10 of 20 keys answered/);
  const direct = {
    async send(keys) {
      await tick();
      return keys.length;
    },
  };
  const timed = await runRound(scenario, direct, 1, 20);
  assert.equal(timed.keys, 40);
  assert.ok(timed.latency.p99Us >= timed.latency.p50Us && timed.latency.p50Us > 0);
  // Scenarios without `latency` keep their records as they were.
  assert.deepEqual(await runRound({ ...scenario, latency: false }, direct, 1, 5), { requests: 5, keys: 10 });
});

const proxyScenarios = SCENARIOS.filter((s) => s.id.startsWith("proxy"));

test("the proxy scenarios: 2 keys at 1 and 16 in flight, 50 keys at 16; the direct client is the baseline, the proxy judged", () => {
  assert.deepEqual(
    proxyScenarios.map((s) => [s.keysPerRequest, s.inFlight]),
    [
      [2, 1],
      [2, 16],
      [50, 16],
    ],
  );
  for (const s of proxyScenarios) {
    assert.equal(s.goals.cpu, 1.3);
    assert.deepEqual(
      s.contenders.map((c) => [c.id, c.role]),
      [
        ["direct", "baseline"],
        ["proxy", "client"],
        ["proxy-fetch", "reference"],
        ["pass-through", "reference"],
        ["direct-undici", "reference"],
      ],
    );
  }
  assert.equal(findProfileTarget("proxy-2keys-1").contender.id, "proxy");
  assert.equal(findProfileTarget("proxy-2keys-1:direct").contender.id, "direct");
  assert.ok(profileNames().includes("proxy-50keys-16:pass-through"));
  assert.ok(!profileNames().includes("proxy-50keys-16:proxy"), "the judged contender is the scenario's own name");
});

test("--only selects by id or prefix, in the table's order, and refuses a name that matches nothing", () => {
  assert.deepEqual(
    selectScenarios("proxy").map((s) => s.id),
    ["proxy-2keys-1", "proxy-2keys-16", "proxy-50keys-16"],
  );
  assert.deepEqual(
    selectScenarios("proxy-50keys-16,establish-fetch").map((s) => s.id),
    ["establish-fetch", "proxy-50keys-16"],
  );
  assert.equal(selectScenarios(undefined), SCENARIOS);
  assert.throws(() => selectScenarios("proxy,nope"), /names no scenario \(nope\)[\s\S]*establishAll-undici/);
  assert.throws(() => selectScenarios(""), /names no scenario/);
});

/** Records of one proxy scenario: per round, the direct client's and the proxy's CPU and latency. */
function proxyRecords(scenario, proxyCpuUs) {
  const rec = (contender, round, cpuUs, p50Us, p99Us) => ({
    scenario: scenario.id,
    contender,
    round,
    seconds: 1,
    requests: 100,
    keys: 200,
    cpuUs,
    heapBytes: 1000,
    latency: { p50Us, p99Us },
  });
  // Round 2 is slow for both: the pairing per round keeps the ratio and the difference.
  return [
    rec("direct", 1, 100_000, 800, 1000),
    rec("proxy", 1, proxyCpuUs, 1100, 1500),
    rec("direct-undici", 1, 50_000, 400, 500),
    rec("direct", 2, 200_000, 1600, 2000),
    rec("proxy", 2, proxyCpuUs * 2, 1900, 2600),
    rec("direct-undici", 2, 100_000, 800, 1000),
    rec("direct", 3, 100_000, 800, 1000),
    rec("proxy", 3, proxyCpuUs, 1100, 1400),
    rec("direct-undici", 3, 50_000, 400, 500),
  ];
}

test("summarize pairs the proxy with the direct client of its round: CPU ratio and added latency", () => {
  const [scenario] = proxyScenarios;
  const proxy = summarize(proxyRecords(scenario, 125_000), [scenario]).find((r) => r.contender === "proxy");
  assert.deepEqual(proxy.cpuRatio, { median: 1.25, min: 1.25, max: 1.25 });
  assert.deepEqual(proxy.addedLatencyP50Us, { median: 300, min: 300, max: 300 });
  assert.deepEqual(proxy.addedLatencyP99Us, { median: 500, min: 400, max: 600 });
  assert.deepEqual(proxy.latencyP50Us, { median: 1100, min: 1100, max: 1900 });
});

test("the report judges the proxy against 1.3× (met and missed), with the added latency beside, in a run without extras", () => {
  const [one, sixteen] = proxyScenarios;
  const records = [...proxyRecords(one, 125_000), ...proxyRecords(sixteen, 140_000)];
  const summary = summarize(records, [one, sixteen]);
  const rows = targets({ summary });
  const row = (text) => rows.filter((r) => r.target.includes(text));
  const [met] = row("2 keys, 1 in flight: proxy CPU per request");
  assert.equal(met.goal, "≤ 1.30×");
  assert.equal(met.ok, true);
  const [missed] = row("2 keys, 16 in flight: proxy CPU per request");
  assert.equal(missed.ok, false);
  assert.match(missed.measured, /^1\.40×/);
  // Beside the goal, reported: the proxy against client-node on the transport it forwards on.
  const [likeForLike] = row('2 keys, 1 in flight: proxy CPU per request vs client-node `transport: "undici"`');
  assert.equal(likeForLike.goal, "reported");
  assert.equal(likeForLike.ok, undefined);
  assert.equal(likeForLike.measured, "2.50× (2.50–2.50)");
  const [latency] = row("added latency");
  assert.equal(latency.ok, undefined);
  assert.equal(latency.measured, "300 (300–300) µs / 500 (400–600) µs");
  assert.equal(row("16 in flight: added latency").length, 0, "added latency is reported at 1 in flight only");
  const machine = {
    date: "d",
    cpu: "c",
    cores: 2,
    node: "v",
    pinned: { client: 0, service: 1 },
    loadBefore: 0,
    warmup: 1,
    rounds: 3,
    only: ["proxy-2keys-1", "proxy-2keys-16"],
  };
  const md = markdown({ machine, summary, allocationCheck: { expectedBytes: 1, measuredBytes: 1 } });
  assert.match(md, /A partial run \(--only\)/);
  assert.match(
    md,
    /proxy CPU per request vs client-node calling the service directly \(default options: fetch transport\) \| ≤ 1\.30× \| 1\.25× \(1\.25–1\.25\) \| ✅ met \|/,
  );
  assert.match(md, /1\.40× \(1\.40–1\.40\) \| ❌ missed \|/);
  assert.match(
    md,
    /\| contender \| req\/s \| × direct \| CPU µs\/req \| CPU × direct \| heap B\/req \| p50 latency µs \| p99 latency µs \|/,
  );
  assert.match(md, /proxy-driver\.mjs/);
  assert.doesNotMatch(md, /msw in-process/);
});

test("upstreamTransportOf tells which transport a proxy forwards on (the proxy contenders' check)", async () => {
  const credentials = { clientId: "bench-check", clientSecret: "bench-check" };
  const service = await startContactsHttpServer({ seed: 1, auth: credentials });
  try {
    for (const [upstream, expected] of [
      [{}, "undici"],
      [{ transport: "fetch" }, "fetch"],
    ]) {
      const proxy = createContactsProxy({
        authorize: () => ({ identity: "check" }),
        upstream: { ...credentials, baseUrl: service.url, authBaseUrl: service.url, ...upstream },
      });
      const server = createServer(toNodeListener(proxy));
      server.listen(0, "127.0.0.1");
      await once(server, "listening");
      try {
        assert.equal(await upstreamTransportOf(`http://127.0.0.1:${server.address().port}`, service.url), expected);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        await proxy.close();
      }
    }
  } finally {
    await service.close();
  }
});
