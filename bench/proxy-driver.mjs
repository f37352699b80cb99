// The caller of the proxy scenarios (issue 16 point 9). The client process (client.mjs, core 0)
// hosts the proxy and measures its CPU; this process, pinned to the service's core, is the browser
// stand-in: on each IPC command it sends the round's POSTs to the proxy with raw `undici.request`,
// `inFlight` at a time, checks every key was answered and hands back its latencies. Its own work
// (and the service's) is on the other core, so none of it counts as the proxy's.
//
// Protocol (process.send / "message"), one command at a time:
//   → { type: "run", id, url, round, count, inFlight, keys }
//   ← { type: "done", id, requests, keys, answered, latency: { p50Us, p99Us } }
//   ← { type: "failed", id, message }   (a status other than 200, a key not answered, a socket error)
//   → { type: "close" }                  closes the agent and exits
import { fileURLToPath } from "node:url";
import { Agent, request } from "undici";
import { latencySummary } from "./measure.mjs";

/** The path the proxy answers (its default basePath) and the body a browser client sends. */
export const PROXY_PATH = "/api/sfmc/contacts/v1/establish";
const HEADERS = { "content-type": "application/json", accept: "application/json" };

/** The keys of request `i` of `round`: the same names runRound gives the direct contender. */
export const keysOf = (round, i, keys) => Array.from({ length: keys }, (_, k) => `key-${round}-${i}-${k}`);

/**
 * Runs one command with `post(body) → { status, text }`: `count` requests of `keys` keys,
 * `inFlight` at a time, each timed from before the send to the parsed answer. Throws unless every
 * answer is a 200 whose `items` answer every key sent.
 */
export async function runCommand({ round, count, inFlight, keys }, post) {
  const latenciesNs = new Array(count);
  let answered = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(inFlight, count) }, async () => {
      for (let i = next++; i < count; i = next++) {
        const body = JSON.stringify({ ContactKeys: keysOf(round, i, keys), IncludeNewContactAwareness: true });
        const started = process.hrtime.bigint();
        const { status, text } = await post(body);
        if (status !== 200) throw new Error(`the proxy answered ${status}: ${text.slice(0, 300)}`);
        const n = JSON.parse(text).items.length;
        latenciesNs[i] = Number(process.hrtime.bigint() - started);
        answered += n;
      }
    }),
  );
  if (answered !== count * keys) throw new Error(`${answered} of ${count * keys} keys answered through the proxy`);
  return { requests: count, keys: count * keys, answered, latency: latencySummary(latenciesNs) };
}

/** The driver's IPC loop: commands run one after another, answered with "done" or "failed". */
export function serve(channel, post) {
  channel.on("message", async (message) => {
    if (message?.type === "close") {
      await post.close?.();
      channel.disconnect?.();
      return;
    }
    if (message?.type !== "run") return;
    try {
      const result = await runCommand(message, (body) => post(message.url, body));
      channel.send({ type: "done", id: message.id, ...result });
    } catch (error) {
      channel.send({ type: "failed", id: message.id, message: String(error?.message ?? error) });
    }
  });
}

// Started as a process (by proxy.mjs), not imported (by the tests).
if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  // client-node's agent settings, as the raw contenders use: enough sockets for 16 in flight, kept alive.
  const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 128 });
  const post = async (url, body) => {
    const response = await request(url + PROXY_PATH, { method: "POST", headers: HEADERS, body, dispatcher: agent });
    return { status: response.statusCode, text: await response.body.text() };
  };
  post.close = () => agent.close();
  serve(process, post);
  process.send({ type: "ready" });
}
