// `pnpm bench --profile <scenario>`: a V8 CPU profile of the client process (node:inspector's
// Profiler, in-process, so only the client is sampled), and its top functions by self time.
import { Session } from "node:inspector/promises";
import { fileURLToPath } from "node:url";

/** Starts sampling every `intervalUs` µs; resolves `stop()`, which resolves the .cpuprofile object. */
export async function startProfile(intervalUs = 100) {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: intervalUs });
  await session.post("Profiler.start");
  return async () => {
    const { profile } = await session.post("Profiler.stop");
    session.disconnect();
    return profile;
  };
}

const root = fileURLToPath(new URL("../", import.meta.url));

/** A call frame's place, short: repo-relative, or from the package name on for node_modules. */
function place({ url, lineNumber }) {
  if (!url) return "";
  const path = url
    .replace(/^file:\/\//, "")
    .replace(/^.*\/node_modules\/(?!\.pnpm)/, "")
    .replace(root, "");
  return `${path}:${lineNumber + 1}`;
}

/**
 * The `count` functions with the most self time, aggregated by function (name and place: one
 * function's samples under many callers add up). A sample's time is the time until the next
 * sample, as Chrome DevTools counts it. `(program)`, `(garbage collector)` and `(idle)` are V8's
 * own entries: native work, GC, and waiting for I/O. Builtins such as JSON.parse and
 * JSON.stringify have no frame of their own: their time is the self time of the function calling them.
 */
export function topSelfTime(profile, count = 15) {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const selfUs = new Map();
  const { samples, timeDeltas } = profile;
  let at = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    at += timeDeltas[i];
    const until = i + 1 < samples.length ? at + timeDeltas[i + 1] : profile.endTime;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, until - at));
  }
  const byFunction = new Map();
  for (const [id, us] of selfUs) {
    const frame = frames.get(id);
    const name = frame.functionName || "(anonymous)";
    const where = place(frame);
    const key = `${name}\u0000${where}:${frame.columnNumber}`;
    const entry = byFunction.get(key) ?? { name, where, selfMs: 0 };
    entry.selfMs += us / 1000;
    byFunction.set(key, entry);
  }
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const top = [...byFunction.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, count);
  return { totalMs, top: top.map((entry) => ({ ...entry, percent: (entry.selfMs / totalMs) * 100 })) };
}

/** The top list as an aligned text table. */
export function formatTop({ totalMs, top }) {
  const rows = top.map((t) => [t.name, t.where || "(native)", t.selfMs.toFixed(1), `${t.percent.toFixed(1)}%`]);
  const head = ["function", "url:line", "self ms", "%"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ");
  return [
    `top ${top.length} by self time, of ${totalMs.toFixed(0)} ms sampled:`,
    line(head),
    ...rows.map(line),
    "(builtins such as JSON.parse and JSON.stringify count as self time of the function that calls them)",
  ].join("\n");
}
