// The bench's scenarios: each one a workload, its contenders and its goals. In a scenario every
// contender sends the SAME requests as the scenario's raw transport (the same JSON body bytes, the
// same headers, the same batches and the same number in flight) and reads and JSON-parses every
// answer, so what differs is the client's own work. Clients run with their default options
// (retry on, no onEvent); anything else is a separately labelled row.
//
// To add a scenario (issue 15's throttled service, say), add an entry to SCENARIOS: the client
// process (client.mjs), `--profile`, the tables and the chart (report.mjs) all read this table.
import { createContactsClient } from "@sfmc-contacts/client-node";
import createClient from "openapi-fetch";
import { Agent, request } from "undici";
import { latencySummary } from "./measure.mjs";
import { passThroughContender, proxyContender, proxyOnFetchContender } from "./proxy.mjs";

const PATH = "/contacts/v1/establish";
/** What server.mjs's token route hands out, so raw contenders send the clients' header. */
const AUTHORIZATION = "Bearer bench-token";

/** The body both clients send: JSON.stringify of the same object, in the same key order. */
const body = (keys) => JSON.stringify({ ContactKeys: keys, IncludeNewContactAwareness: true });

/** The headers each client sends with establish (client-node's undici transport; openapi-fetch). */
const UNDICI_HEADERS = { authorization: AUTHORIZATION, "content-type": "application/json", accept: "application/json" };
const FETCH_HEADERS = { authorization: AUTHORIZATION, "content-type": "application/json" };

const nodeClient = (url, options) =>
  createContactsClient({ clientId: "bench", clientSecret: "bench", baseUrl: url, authBaseUrl: url, ...options });

/**
 * A contender is `create(url, context)` (or a promise of it) → `{ send(keys) → keys answered }`
 * (one request), or `{ all(keys, batchSize, inFlight) → establishAll's summary }` (a whole bulk
 * run), or `{ round({ round, size, keysPerRequest, inFlight }) → { requests, keys, answered,
 * latency } }` (a whole establish round run elsewhere: the proxy's driver), plus `close()`.
 * `context.serviceCore` is the service's core, when pinned. Roles: "raw" (or "baseline") is what
 * the scenario's ratios divide by; "client" is the contender its goals judge; "option" and
 * "reference" are for comparison.
 */
const raw = {
  undici: {
    id: "raw",
    label: "raw `undici.request`",
    role: "raw",
    create(url) {
      // client-node's agent settings (undici-transport.ts createAgent), so both keep the same sockets.
      const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 128 });
      return {
        async send(keys) {
          const response = await request(url + PATH, {
            method: "POST",
            headers: UNDICI_HEADERS,
            body: body(keys),
            dispatcher: agent,
          });
          const text = await response.body.text();
          if (response.statusCode !== 200) throw new Error(`raw undici got ${response.statusCode}: ${text}`);
          return JSON.parse(text).items.length;
        },
        close: () => agent.close(),
      };
    },
  },
  fetch: {
    id: "raw",
    label: "bare `fetch`",
    role: "raw",
    create(url) {
      return {
        async send(keys) {
          const response = await fetch(url + PATH, { method: "POST", headers: FETCH_HEADERS, body: body(keys) });
          const text = await response.text();
          if (response.status !== 200) throw new Error(`bare fetch got ${response.status}: ${text}`);
          return JSON.parse(text).items.length;
        },
        close: async () => {},
      };
    },
  },
};

const establishWith = (id, label, role, options) => ({
  id,
  label,
  role,
  create(url) {
    const client = nodeClient(url, options);
    return { send: async (keys) => (await client.establish(keys)).contacts.length, close: () => client.close() };
  },
});

const establishAllWith = (id, label, role, options) => ({
  id,
  label,
  role,
  create(url) {
    const client = nodeClient(url, options);
    return {
      all: (keys, batchSize, concurrency) => client.establishAll(keys, { batchSize, concurrency }).done(),
      close: () => client.close(),
    };
  },
});

const openapiFetch = {
  id: "openapi-fetch",
  label: "bare openapi-fetch (reference)",
  role: "reference",
  create(url) {
    const client = createClient({ baseUrl: url });
    return {
      async send(keys) {
        const { data, error } = await client.POST(PATH, {
          body: { ContactKeys: keys, IncludeNewContactAwareness: true },
          headers: { authorization: AUTHORIZATION },
        });
        if (!data) throw new Error(`openapi-fetch got ${JSON.stringify(error)}`);
        return data.items.length;
      },
      close: async () => {},
    };
  },
};

/** What the proxy scenarios' ratios divide by: the Node client calling the service itself. */
const direct = {
  ...establishWith(
    "direct",
    "client-node `establish` (fetch transport, default options), calling the service directly",
    "baseline",
    {},
  ),
  short: "client-node calling the service directly (default options: fetch transport)",
};

/** For reference: the Node client on its undici transport, the one the proxy forwards on by default. */
const directUndici = {
  ...establishWith(
    "direct-undici",
    'client-node `establish` (`transport: "undici"`), calling the service directly (reference)',
    "reference",
    { transport: "undici" },
  ),
  short: 'client-node `transport: "undici"` calling the service directly (like for like: the proxy\'s own transport)',
};

/**
 * Issue 16 point 9: client → proxy → service against client → service. The client process (core
 * 0) hosts the proxy, whose CPU and heap per request it measures (proxy.mjs); the requests come
 * from bench/proxy-driver.mjs on the service's core. The direct contender runs in the client process
 * as in the other scenarios. `latency`: both record p50/p99 per round (the driver from its side of
 * the proxy); the added latency is the per-round difference, reported at 1 in flight.
 */
function proxyScenario(id, keysPerRequest, inFlight, size) {
  return {
    id,
    title: `proxy: client → proxy → service, ${keysPerRequest} keys, ${inFlight} in flight`,
    kind: "establish",
    keysPerRequest,
    inFlight,
    size,
    latency: true,
    addedLatency: inFlight === 1,
    goals: { issue: 16, issuePoint: 9, cpu: 1.3 },
    contenders: [direct, proxyContender, proxyOnFetchContender, passThroughContender, directUndici],
    // Reported beside the goal: the proxy against client-node on the transport it forwards on.
    reportVersus: directUndici.id,
  };
}

/**
 * kind "establish": `size` requests of `keysPerRequest` keys, `inFlight` at a time; throughput in req/s.
 * kind "bulk": `size` keys streamed from a generator in batches of `batchSize`, `inFlight` batches
 * at a time; throughput in keys/s. Raw contenders batch the same generator themselves.
 * `size.full` is sized for about 1-2 s per round on a 2-core EPYC; `size.quick` for BENCH_QUICK.
 * `goals` are issue 14's unless they name another `issue` (ratio of the median vs the baseline
 * contender of the same round: the raw transport, or for the proxy the direct client).
 */
export const SCENARIOS = [
  {
    id: "establishAll-undici",
    title: 'establishAll, `transport: "undici"`, batch 50, 16 in flight',
    kind: "bulk",
    batchSize: 50,
    inFlight: 16,
    size: { full: 200_000, quick: 40_000 },
    goals: { issuePoint: 4, throughput: 0.9, cpu: 1.1 },
    chart: "vs-raw",
    contenders: [
      raw.undici,
      establishAllWith("client", 'establishAll (`transport: "undici"`)', "client", { transport: "undici" }),
      establishAllWith("client-retry-off", 'establishAll (`transport: "undici"`, `retry: false`)', "option", {
        transport: "undici",
        retry: false,
      }),
    ],
  },
  {
    id: "establish-undici",
    title: 'establish, `transport: "undici"`, 2 keys, 1 in flight',
    kind: "establish",
    keysPerRequest: 2,
    inFlight: 1,
    size: { full: 5_000, quick: 1_000 },
    goals: { issuePoint: 4, throughput: 0.9, cpu: 1.1 },
    chart: "vs-raw",
    contenders: [
      raw.undici,
      establishWith("client", 'establish (`transport: "undici"`)', "client", { transport: "undici" }),
      establishWith("client-retry-off", 'establish (`transport: "undici"`, `retry: false`)', "option", {
        transport: "undici",
        retry: false,
      }),
    ],
  },
  {
    id: "establishAll-fetch",
    title: "establishAll, default client (fetch transport), batch 50, 16 in flight",
    kind: "bulk",
    batchSize: 50,
    inFlight: 16,
    size: { full: 100_000, quick: 20_000 },
    goals: { issuePoint: 5, throughput: 0.95, cpu: 1.05 },
    chart: "vs-raw",
    contenders: [
      raw.fetch,
      establishAllWith("client", "establishAll (default client)", "client", {}),
      establishAllWith("client-retry-off", "establishAll (default client, `retry: false`)", "option", { retry: false }),
    ],
  },
  {
    id: "establish-fetch",
    title: "establish, default client (fetch transport), 2 keys, 1 in flight",
    kind: "establish",
    keysPerRequest: 2,
    inFlight: 1,
    size: { full: 2_500, quick: 500 },
    goals: { issuePoint: 5, throughput: 0.95, cpu: 1.05 },
    chart: "vs-raw",
    contenders: [
      raw.fetch,
      establishWith("client", "establish (default client)", "client", {}),
      establishWith("client-retry-off", "establish (default client, `retry: false`)", "option", { retry: false }),
      openapiFetch,
    ],
  },
  // Sized for 1-3 s per round of the proxy (the slowest contender) on the 2-core EPYC.
  proxyScenario("proxy-2keys-1", 2, 1, { full: 1_000, quick: 200 }),
  proxyScenario("proxy-2keys-16", 2, 16, { full: 2_000, quick: 400 }),
  proxyScenario("proxy-50keys-16", 50, 16, { full: 1_000, quick: 200 }),
];

/** The contender a scenario's ratios divide by: its raw transport, or the proxy scenarios' direct client. */
export const baselineOf = (scenario) => scenario.contenders.find((c) => c.role === "raw" || c.role === "baseline");

/** The contender a scenario's goals judge (and `--profile <scenario>` samples). */
export const judgedOf = (scenario) => scenario.contenders.find((c) => c.role === "client");

/** `--profile` names: `<scenario>` (the contender its goals judge) and `<scenario>:<contender>` for the others. */
export function profileNames() {
  return SCENARIOS.flatMap((s) => [
    s.id,
    ...s.contenders.filter((c) => c !== judgedOf(s)).map((c) => `${s.id}:${c.id}`),
  ]);
}

/** The scenario and contender a `--profile` name means, or undefined. */
export function findProfileTarget(name) {
  const [scenarioId, contenderId, extra] = String(name).split(":");
  const scenario = SCENARIOS.find((s) => s.id === scenarioId);
  if (!scenario || extra !== undefined) return undefined;
  const contender =
    contenderId === undefined ? judgedOf(scenario) : scenario.contenders.find((c) => c.id === contenderId);
  return contender ? { scenario, contender } : undefined;
}

/**
 * The scenarios `--only` names: a comma-separated list of ids or id prefixes (`proxy` is every
 * proxy scenario), in the table's order. Throws naming the valid ids when one matches nothing.
 */
export function selectScenarios(only) {
  if (only === undefined) return SCENARIOS;
  const wanted = String(only)
    .split(",")
    .map((w) => w.trim())
    .filter(Boolean);
  const unknown = wanted.filter((w) => !SCENARIOS.some((s) => s.id.startsWith(w)));
  if (wanted.length === 0 || unknown.length > 0) {
    throw new Error(
      `--only ${JSON.stringify(only)} names no scenario${unknown.length ? ` (${unknown.join(", ")})` : ""}. Scenario ids:\n  ${SCENARIOS.map((s) => s.id).join("\n  ")}`,
    );
  }
  return SCENARIOS.filter((s) => wanted.some((w) => s.id.startsWith(w)));
}

/**
 * One round of a scenario for one contender instance: `{ requests, keys }` done. Every key must be
 * answered: a contender that skipped work (or a service that failed) stops the bench.
 */
export async function runRound(scenario, instance, round, size) {
  let answered = 0;
  let requests = 0;
  let keys = 0;
  let latency;
  if (scenario.kind === "establish" && instance.round) {
    // The whole round runs elsewhere (the proxy's driver), which reports what it sent and got.
    const { keysPerRequest, inFlight } = scenario;
    const done = await instance.round({ round, size, keysPerRequest, inFlight });
    requests = size;
    keys = size * keysPerRequest;
    if (done.requests !== requests) throw new Error(`${scenario.id}: ${done.requests} requests, not ${requests}`);
    answered = done.answered;
    latency = done.latency;
  } else if (scenario.kind === "establish") {
    const { keysPerRequest, inFlight } = scenario;
    // Latency from before the send to the parsed answer, as the proxy's driver times its requests.
    const latenciesNs = scenario.latency ? new Array(size) : undefined;
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        for (let i = next++; i < size; i = next++) {
          const batch = [];
          for (let k = 0; k < keysPerRequest; k++) batch.push(`key-${round}-${i}-${k}`);
          const started = latenciesNs && process.hrtime.bigint();
          // Not `answered += await …`: that reads `answered` before the await and loses the other workers' counts.
          const n = await instance.send(batch);
          if (latenciesNs) latenciesNs[i] = Number(process.hrtime.bigint() - started);
          answered += n;
        }
      }),
    );
    requests = size;
    keys = size * keysPerRequest;
    if (latenciesNs) latency = latencySummary(latenciesNs);
  } else {
    const { batchSize, inFlight } = scenario;
    function* source() {
      for (let i = 0; i < size; i++) yield `bulk-${round}-${i}`;
    }
    requests = Math.ceil(size / batchSize);
    if (instance.all) {
      const summary = await instance.all(source(), batchSize, inFlight);
      answered = summary.established;
      if (summary.batches !== requests) throw new Error(`${scenario.id}: ${summary.batches} batches, not ${requests}`);
    } else {
      // The raw side of a bulk run: batches taken from the same generator, `inFlight` workers.
      const input = source();
      const take = () => {
        const batch = [];
        while (batch.length < batchSize) {
          const next = input.next();
          if (next.done) break;
          batch.push(next.value);
        }
        return batch;
      };
      await Promise.all(
        Array.from({ length: inFlight }, async () => {
          for (let batch = take(); batch.length > 0; batch = take()) {
            const n = await instance.send(batch);
            answered += n;
          }
        }),
      );
    }
    keys = size;
  }
  if (answered !== keys) throw new Error(`${scenario.id}: ${answered} of ${keys} keys answered`);
  return latency ? { requests, keys, latency } : { requests, keys };
}
