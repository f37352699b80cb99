// The proxy contender of the proxy scenarios (issue 16 point 9): the client process hosts
// @sfmc-contacts/proxy on node:http, as an app would (`toNodeListener`, the default upstream, which
// here is client-node's undici transport as Node's fetch is untouched, and an `authorize` that
// allows everyone), in front of the bench
// service. The requests come from bench/proxy-driver.mjs, a child process pinned to the service's
// core, so the client process's CPU and heap in a round are the proxy's: node:http's parsing,
// the Request, the checks, the body's validation, the forward and the answer written back.
import { spawn } from "node:child_process";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { once } from "node:events";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { createContactsProxy, toNodeListener } from "@sfmc-contacts/proxy";

const driverFile = fileURLToPath(new URL("./proxy-driver.mjs", import.meta.url));

/**
 * The driver's side of the IPC protocol (see proxy-driver.mjs) over `channel` (a ChildProcess):
 * `run(command)` resolves the driver's "done" answer, or rejects with its "failed" message or when
 * the driver exits first.
 */
export function driverClient(channel) {
  const waiting = new Map();
  let nextId = 0;
  let gone;
  channel.on("message", (message) => {
    const pending = waiting.get(message?.id);
    if (!pending) return;
    waiting.delete(message.id);
    if (message.type === "done") pending.resolve(message);
    else pending.reject(new Error(`proxy driver: ${message.message}`));
  });
  channel.on("exit", (code, signal) => {
    gone = new Error(`the proxy driver exited (${signal ?? code}) during a round`);
    for (const pending of waiting.values()) pending.reject(gone);
    waiting.clear();
  });
  return {
    run(command) {
      if (gone) return Promise.reject(gone);
      const id = ++nextId;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        channel.send({ type: "run", id, ...command });
      });
    },
  };
}

// One driver for every proxy contender of the client process, started at the first and stopped
// with the last: an idle driver costs nothing, three would cost three Node start-ups.
let shared;

/** The driver process, on `core` when given, and its client; counted, so the last release stops it. */
async function acquireDriver(core) {
  if (!shared) {
    const [command, args] =
      core === undefined
        ? [process.execPath, [driverFile]]
        : ["taskset", ["-c", String(core), process.execPath, driverFile]];
    // No stdout: the client process's stdout carries its JSON answer to run.mjs.
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "inherit", "ipc"] });
    const ready = new Promise((resolve, reject) => {
      child.once("message", (message) =>
        message?.type === "ready" ? resolve() : reject(new Error("proxy driver: no ready")),
      );
      child.once("exit", (code) => reject(new Error(`the proxy driver exited with ${code} before it was ready`)));
    });
    shared = { child, client: driverClient(child), users: 0, ready };
  }
  shared.users++;
  await shared.ready;
  return shared;
}

async function releaseDriver() {
  if (!shared || --shared.users > 0) return;
  const { child } = shared;
  shared = undefined;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, "exit");
    child.send({ type: "close" });
    await exited;
  }
}

/**
 * A contender served on node:http in the client process and called by the driver:
 * `listen(url)` → `{ listener, close() }` for the service at `url`. `create(url, { serviceCore })`
 * starts the server and the driver; `round(…)` runs one round through them.
 */
function hosted({ id, label, role, listen, upstreamTransport }) {
  return {
    id,
    label,
    role,
    async create(url, context = {}) {
      const { listener, close } = listen(url);
      const server = createServer(listener);
      server.keepAliveTimeout = 60_000;
      server.listen(0, "127.0.0.1");
      await once(server, "listening");
      const proxyUrl = `http://127.0.0.1:${server.address().port}`;
      if (upstreamTransport) {
        const seen = await upstreamTransportOf(proxyUrl, url);
        if (seen !== upstreamTransport) {
          throw new Error(`${id}: the proxy forwarded on ${seen}, where this contender measures ${upstreamTransport}`);
        }
      }
      const driver = await acquireDriver(context.serviceCore);
      return {
        round: ({ round, size, keysPerRequest, inFlight }) =>
          driver.client.run({ url: proxyUrl, round, count: size, inFlight, keys: keysPerRequest }),
        async close() {
          await releaseDriver();
          server.closeAllConnections();
          await new Promise((resolve) => server.close(resolve));
          await close();
        },
      };
    },
  };
}

/**
 * Which transport the proxy at `proxyUrl` forwards on, from one request outside the rounds:
 * undici publishes every request it writes (`undici:client:sendHeaders`, Node's fetch included),
 * and Node's fetch adds `sec-fetch-mode`, which client-node's undici transport never sends.
 */
export async function upstreamTransportOf(proxyUrl, serviceUrl) {
  const seen = [];
  const onHeaders = ({ request, headers }) => {
    if (String(request.origin).startsWith(serviceUrl) && String(request.path).endsWith("/contacts/v1/establish")) {
      seen.push(/^sec-fetch-mode:/im.test(String(headers)) ? "fetch" : "undici");
    }
  };
  subscribe("undici:client:sendHeaders", onHeaders);
  try {
    const response = await fetch(`${proxyUrl}/api/sfmc/contacts/v1/establish`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ContactKeys: ["transport-check"] }),
    });
    if (response.status !== 200)
      throw new Error(`the transport check got ${response.status}: ${await response.text()}`);
    await response.text();
  } finally {
    unsubscribe("undici:client:sendHeaders", onHeaders);
  }
  if (seen.length !== 1) throw new Error(`the transport check saw ${seen.length} establish requests upstream, not 1`);
  return seen[0];
}

/** A proxy contender: the package on node:http with these upstream options beside the service's. */
const proxyWith = (id, label, role, upstream) =>
  hosted({
    id,
    label,
    role,
    upstreamTransport: upstream.transport ?? "undici",
    listen(url) {
      const proxy = createContactsProxy({
        authorize: () => ({ identity: "bench" }),
        upstream: { clientId: "bench", clientSecret: "bench", baseUrl: url, authBaseUrl: url, ...upstream },
      });
      return { listener: toNodeListener(proxy), close: () => proxy.close() };
    },
  });

/** The contender the goal judges: the package as an app would mount it. */
export const proxyContender = proxyWith(
  "proxy",
  "proxy (`node:http` + `toNodeListener`, default upstream: undici, as fetch is untouched), the driver calling it",
  "client",
  {},
);

/**
 * For reference: the proxy when something stands in Node's fetch's way (msw in a test, a proxy
 * agent as the global dispatcher), or with `upstream.transport: "fetch"` given: it forwards on
 * fetch then.
 */
export const proxyOnFetchContender = proxyWith(
  "proxy-fetch",
  'proxy, `upstream.transport: "fetch"` (as when msw or a proxy agent stands in fetch\'s way; reference)',
  "reference",
  { transport: "fetch" },
);

/**
 * For reference, the floor of the architecture: an open pass-through written by hand on the same
 * node:http and fetch, with nothing checked, no token cache (the bench service's token is fixed)
 * and no Request or Response objects of its own. What the proxy costs above it is the package's
 * own work; what it costs below the direct client's ×1.3 is out of any proxy's reach.
 */
export const passThroughContender = hosted({
  id: "pass-through",
  label: "hand-written open pass-through (`node:http` + `fetch`, nothing checked; reference)",
  role: "reference",
  listen(url) {
    const target = `${url}/contacts/v1/establish`;
    const listener = async (incoming, outgoing) => {
      const chunks = [];
      for await (const chunk of incoming) chunks.push(chunk);
      const upstream = await fetch(target, {
        method: "POST",
        headers: { authorization: "Bearer bench-token", "content-type": "application/json" },
        body: Buffer.concat(chunks),
      });
      const text = await upstream.text();
      outgoing.writeHead(upstream.status, { "content-type": "application/json" });
      outgoing.end(text);
    };
    return { listener, close: async () => {} };
  },
});
