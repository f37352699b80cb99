// What pnpm bench measures besides request throughput: the browser bundle, msw against a real
// loopback round trip, establishAll's peak memory over 1,000,000 streamed keys, and the
// type-check cost of a consumer file. Not pinned: none of them is a CPU-bound ratio.
import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { clearTokenCache, createContactsClient } from "@sfmc-contacts/client-node";
import { setupContactsServer, startContactsHttpServer } from "@sfmc-contacts/mocks/node";

const run = promisify(execFile);
const here = (path) => fileURLToPath(new URL(path, import.meta.url));

async function browserBundle() {
  await run(process.execPath, [here("../packages/client-browser/scripts/size-bundle.mjs")]);
  const download = readFileSync(here("../packages/client-browser/.size/download.js"));
  const all = readFileSync(here("../packages/client-browser/.size/all.js"));
  return {
    downloadGzipBytes: gzipSync(download, { level: 9 }).length,
    allGzipBytes: gzipSync(all, { level: 9 }).length,
  };
}

/** The same client (fetch transport), 1,000 calls of 2 keys: msw in-process vs a loopback socket. */
async function mswVersusLoopback() {
  const calls = 1000;
  const time = async (client) => {
    for (let i = 0; i < 50; i++) await client.establish([`warm-${i}`]);
    const t = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await client.establish([`k-${i}`, `j-${i}`]);
    return calls / (Number(process.hrtime.bigint() - t) / 1e9);
  };
  const { server } = setupContactsServer({ seed: 1 });
  server.listen({ onUnhandledRequest: "error" });
  const msw = await time(createContactsClient({ subdomain: "bench", clientId: "id", clientSecret: "s" }));
  server.close();
  clearTokenCache();
  const service = await startContactsHttpServer({ seed: 1 });
  const client = createContactsClient({
    clientId: "id",
    clientSecret: "s",
    baseUrl: service.url,
    authBaseUrl: service.url,
  });
  const loopback = await time(client);
  await service.close();
  return { mswRequestsPerSecond: msw, loopbackRequestsPerSecond: loopback };
}

/** establishAll over `keys` generated keys in a child process: peak RSS over its baseline. */
async function streamedRss(url, keys) {
  const child = spawn(process.execPath, [here("./rss.mjs"), url, String(keys)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  await new Promise((resolve, reject) =>
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`rss.mjs exited ${code}`)))),
  );
  return JSON.parse(out);
}

/** tsc --extendedDiagnostics instantiations: a consumer of client-node vs a hand-written fetch wrapper. */
async function typecheckCost() {
  const instantiations = async (file) => {
    const { stdout } = await run(
      here("./node_modules/.bin/tsc"),
      [
        "--noEmit",
        "--extendedDiagnostics",
        "--strict",
        "--skipLibCheck",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--target",
        "es2022",
        "--types",
        "node",
        here(file),
        // From the bench folder: with no tsconfig, tsc finds `--types node` under ./node_modules/@types
        // of its working directory, and `pnpm bench` runs from the repository root.
      ],
      { cwd: here(".") },
    );
    return Number(/Instantiations:\s+(\d+)/.exec(stdout)?.[1]);
  };
  const ours = await instantiations("./typecheck/consumer.ts");
  const handWritten = await instantiations("./typecheck/hand-written.ts");
  const bulk = await instantiations("./typecheck/consumer-bulk.ts");
  return {
    consumerInstantiations: ours,
    handWrittenInstantiations: handWritten,
    ratio: ours / handWritten,
    bulkInstantiations: bulk,
  };
}

export async function extras(url, { rssKeys = 1_000_000 } = {}) {
  return {
    browserBundle: await browserBundle(),
    mswVersusLoopback: await mswVersusLoopback(),
    streamedRss: await streamedRss(url, rssKeys),
    typecheck: await typecheckCost(),
  };
}
