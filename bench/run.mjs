#!/usr/bin/env node
// pnpm bench: the clients against raw undici.request, global fetch and bare openapi-fetch, on a
// loopback service in its own process; then sizes, memory and type-check cost. Interleaved rounds
// (A B C … A B C …), medians. Writes results/latest.json, results/latest.md and
// results/keys-per-second.svg, and the README's performance section. Not part of pnpm test.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { clearTokenCache, createContactsClient } from "@sfmc-contacts/client-node";
import createClient from "openapi-fetch";
import { Agent, request } from "undici";
import { extras } from "./extras.mjs";
import { chart, markdown } from "./report.mjs";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

/** Starts the service in its own process; resolves its URL. */
function startServer() {
  const child = spawn(process.execPath, [here("./server.mjs")], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.stdout.once("data", (chunk) => resolve({ url: chunk.toString().trim(), stop: () => child.kill("SIGTERM") }));
    child.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
  });
}

/** Runs `count` calls, `inFlight` at a time; measures wall time, per-call latency and client CPU. */
async function measure(count, inFlight, call) {
  const latencies = new Float64Array(count);
  let next = 0;
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = next++; i < count; i = next++) {
        const t = process.hrtime.bigint();
        await call(i);
        latencies[i] = Number(process.hrtime.bigint() - t) / 1e6;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    perSecond: count / seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    cpuUs: (used.user + used.system) / count,
  };
}

const { url, stop } = await startServer();
const path = "/contacts/v1/establish";
const authorization = "Bearer bench-token";
const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
const openapi = createClient({ baseUrl: url });
const ours = createContactsClient({
  clientId: "bench",
  clientSecret: "bench",
  baseUrl: url,
  authBaseUrl: url,
  transport: "undici",
  retry: false,
});
const oursFetch = createContactsClient({
  clientId: "bench",
  clientSecret: "bench",
  baseUrl: url,
  authBaseUrl: url,
  transport: "fetch",
  retry: false,
});
const keysFor = (n, i) => Array.from({ length: n }, (_, k) => `key-${i}-${k}`);
const body = (keys) => ({ ContactKeys: keys, IncludeNewContactAwareness: true });

/** One establish request per client, each parsing the answer. */
const CLIENTS = {
  "undici.request": async (keys) => {
    const response = await request(url + path, {
      method: "POST",
      headers: { "content-type": "application/json", authorization },
      body: JSON.stringify(body(keys)),
      dispatcher: agent,
    });
    JSON.parse(await response.body.text());
  },
  fetch: async (keys) => {
    const response = await fetch(url + path, {
      method: "POST",
      headers: { "content-type": "application/json", authorization },
      body: JSON.stringify(body(keys)),
    });
    await response.json();
  },
  "openapi-fetch": async (keys) => {
    await openapi.POST(path, { body: body(keys), headers: { authorization } });
  },
  "client-node establish (undici)": (keys) => ours.establish(keys),
  "client-node establish (fetch)": (keys) => oursFetch.establish(keys),
};

const rows = [];
const record = (scenario, client, round, m, keysPerCall) =>
  rows.push({ scenario, client, round, ...m, keysPerSecond: m.perSecond * keysPerCall });

// Warm up every client (connections, JIT, tokens).
for (const call of Object.values(CLIENTS)) for (let i = 0; i < 200; i++) await call(keysFor(2, i));

const started = Date.now();
for (let round = 1; round <= ROUNDS; round++) {
  for (const keysPerCall of [2, 100]) {
    for (const inFlight of [1, 16]) {
      const count = (inFlight === 1 ? 1500 : 6000) / (keysPerCall === 100 ? 4 : 1);
      const scenario = `establish, ${keysPerCall} keys, ${inFlight} in flight`;
      for (const [client, call] of Object.entries(CLIENTS)) {
        record(
          scenario,
          client,
          round,
          await measure(count, inFlight, (i) => call(keysFor(keysPerCall, i))),
          keysPerCall,
        );
      }
    }
  }
  // Bulk: 100,000 keys, the same batches and concurrency for raw undici and establishAll.
  const TOTAL = 100_000;
  for (const batchSize of [50, 100]) {
    for (const concurrency of [1, 4, 16]) {
      const scenario = `bulk 100k keys, batch ${batchSize}, concurrency ${concurrency}`;
      const batches = TOTAL / batchSize;
      record(
        scenario,
        "undici.request",
        round,
        await measure(batches, concurrency, (i) => CLIENTS["undici.request"](keysFor(batchSize, i))),
        batchSize,
      );
      const cpu = process.cpuUsage();
      const t = process.hrtime.bigint();
      function* keys() {
        for (let i = 0; i < TOTAL; i++) yield `bulk-${round}-${i}`;
      }
      const summary = await ours.establishAll(keys(), { batchSize, concurrency }).done();
      const seconds = Number(process.hrtime.bigint() - t) / 1e9;
      const used = process.cpuUsage(cpu);
      if (summary.established !== TOTAL) throw new Error(`establishAll established ${summary.established} of ${TOTAL}`);
      rows.push({
        scenario,
        client: "client-node establishAll",
        round,
        perSecond: batches / seconds,
        keysPerSecond: TOTAL / seconds,
        p50: Number.NaN,
        p99: Number.NaN,
        cpuUs: (used.user + used.system) / batches,
      });
    }
  }
  console.error(`round ${round}/${ROUNDS} done (${Math.round((Date.now() - started) / 1000)} s)`);
}
await ours.close();
await oursFetch.close();
await agent.close();

// Medians across rounds; each ratio is taken against raw undici in the same round, then medianed.
const summary = [];
for (const scenario of [...new Set(rows.map((r) => r.scenario))]) {
  for (const client of [...new Set(rows.filter((r) => r.scenario === scenario).map((r) => r.client))]) {
    const mine = rows.filter((r) => r.scenario === scenario && r.client === client);
    const ratios = mine.map(
      (r) =>
        r.keysPerSecond /
        rows.find((u) => u.scenario === scenario && u.round === r.round && u.client === "undici.request").keysPerSecond,
    );
    summary.push({
      scenario,
      client,
      requestsPerSecond: median(mine.map((r) => r.perSecond)),
      keysPerSecond: median(mine.map((r) => r.keysPerSecond)),
      p50Ms: median(mine.map((r) => r.p50)),
      p99Ms: median(mine.map((r) => r.p99)),
      cpuUsPerRequest: median(mine.map((r) => r.cpuUs)),
      ratioVsUndici: median(ratios),
    });
  }
}

clearTokenCache();
const more = await extras(url);
stop();

const machine = {
  date: new Date().toISOString().slice(0, 10),
  node: process.version,
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  rounds: ROUNDS,
};
const results = { machine, summary, extras: more };
writeFileSync(here("./results/latest.json"), `${JSON.stringify(results, null, 2)}\n`);
const table = markdown(results);
writeFileSync(here("./results/latest.md"), table);
writeFileSync(here("./results/keys-per-second.svg"), chart(results));

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
console.log(table);
