#!/usr/bin/env node
// What `--resume` costs in memory: the set of done keys it keeps (the file itself is streamed).
// Writes a results file of N established rows (what `--format ndjson --out` writes) and the N keys,
// then runs the built bin twice with `--dry-run --file keys --resume <results>`: once with the N
// rows, once with an empty results file. A probe in the child collects garbage every 100 ms and
// keeps the largest live heap it saw; the difference between the two runs is the set's cost.
// Build first: `pnpm --filter @sfmc-contacts/cli... build`.
//
//   node packages/cli/scripts/resume-memory.mjs            # 1,000,000 keys
//   node packages/cli/scripts/resume-memory.mjs 200000     # another count
import { execFile } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const count = Number(process.argv[2] ?? 1_000_000);
const bin = fileURLToPath(new URL("../dist/bin.mjs", import.meta.url));
const key = (i) => `contact-key-${String(i).padStart(7, "0")}`;

async function writeLines(path, line) {
  await new Promise((resolve, reject) => {
    const out = createWriteStream(path);
    out.on("error", reject);
    out.on("finish", resolve);
    let i = 0;
    const more = () => {
      let ok = true;
      while (i < count && ok) ok = out.write(`${line(i++)}\n`);
      if (i < count) out.once("drain", more);
      else out.end();
    };
    more();
  });
}

const dir = await mkdtemp(join(tmpdir(), "sfmc-contacts-resume-memory-"));
try {
  const keys = join(dir, "keys.txt");
  const results = join(dir, "results.ndjson");
  const empty = join(dir, "empty.ndjson");
  const probe = join(dir, "probe.mjs");
  await writeLines(keys, key);
  await writeLines(results, (i) =>
    JSON.stringify({ key: key(i), result: "established", contactId: 1000 + i, isNew: true, status: "Active" }),
  );
  await writeFile(empty, "");
  await writeFile(
    probe,
    [
      "let peak = 0;",
      "const sample = () => { globalThis.gc(); peak = Math.max(peak, process.memoryUsage().heapUsed); };",
      "setInterval(sample, 100).unref();",
      'process.on("exit", () => process.stderr.write("peakHeap=" + peak + " maxRSS=" + process.resourceUsage().maxRSS * 1024 + "\\n"));',
    ].join("\n"),
  );
  const measure = async (resume) => {
    const started = Date.now();
    const { stderr } = await promisify(execFile)(
      process.execPath,
      ["--expose-gc", "--import", probe, "--", bin, "establish", "--dry-run", "--file", keys, "--resume", resume],
      { maxBuffer: 16 * 1024 * 1024, timeout: 10 * 60_000 },
    );
    const [, heap, rss] = /peakHeap=(\d+) maxRSS=(\d+)/.exec(stderr) ?? [];
    return { heap: Number(heap), rss: Number(rss), seconds: (Date.now() - started) / 1000, stderr };
  };
  const base = await measure(empty);
  const full = await measure(results);
  if (!full.stderr.includes(`${count.toLocaleString("en-US")} keys skipped`)) throw new Error(full.stderr);
  const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const perKey = (full.heap - base.heap) / count;
  console.log(
    `--resume with ${count.toLocaleString("en-US")} done keys of ${key(0).length} characters (Node ${process.version})`,
  );
  console.log(`  live heap, peak: ${mb(full.heap)} (without done keys: ${mb(base.heap)})`);
  console.log(`  the set of done keys: ${mb(full.heap - base.heap)}, ${perKey.toFixed(0)} bytes per key`);
  console.log(`  peak RSS: ${mb(full.rss)} (without: ${mb(base.rss)}); ${full.seconds.toFixed(1)} s`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
