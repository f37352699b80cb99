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
 * A contender is `create(url)` → `{ send(keys) → keys answered }` (one request), or
 * `{ all(keys, batchSize, inFlight) → establishAll's summary }` (a whole bulk run), plus `close()`.
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

/**
 * kind "establish": `size` requests of `keysPerRequest` keys, `inFlight` at a time; throughput in req/s.
 * kind "bulk": `size` keys streamed from a generator in batches of `batchSize`, `inFlight` batches
 * at a time; throughput in keys/s. Raw contenders batch the same generator themselves.
 * `size.full` is sized for about 1-2 s per round on a 2-core EPYC; `size.quick` for BENCH_QUICK.
 * `goals` are issue 14's (ratio of the median vs the raw transport of the same round).
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
];

/** `--profile` names: `<scenario>` (its default client) and `<scenario>:<contender>`. */
export function profileNames() {
  return SCENARIOS.flatMap((s) => [
    s.id,
    ...s.contenders.filter((c) => c.id !== "client").map((c) => `${s.id}:${c.id}`),
  ]);
}

/** The scenario and contender a `--profile` name means, or undefined. */
export function findProfileTarget(name) {
  const [scenarioId, contenderId = "client", extra] = String(name).split(":");
  const scenario = SCENARIOS.find((s) => s.id === scenarioId);
  const contender = scenario?.contenders.find((c) => c.id === contenderId);
  return contender && extra === undefined ? { scenario, contender } : undefined;
}

/**
 * One round of a scenario for one contender instance: `{ requests, keys }` done. Every key must be
 * answered: a contender that skipped work (or a service that failed) stops the bench.
 */
export async function runRound(scenario, instance, round, size) {
  let answered = 0;
  let requests = 0;
  let keys = 0;
  if (scenario.kind === "establish") {
    const { keysPerRequest, inFlight } = scenario;
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        for (let i = next++; i < size; i = next++) {
          const batch = [];
          for (let k = 0; k < keysPerRequest; k++) batch.push(`key-${round}-${i}-${k}`);
          // Not `answered += await …`: that reads `answered` before the await and loses the other workers' counts.
          const n = await instance.send(batch);
          answered += n;
        }
      }),
    );
    requests = size;
    keys = size * keysPerRequest;
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
  return { requests, keys };
}
