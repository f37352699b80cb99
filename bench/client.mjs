// The client process of pnpm bench: run.mjs starts it (pinned to its own core when it can, always
// with --expose-gc) with a JSON job in argv[2]. It runs the contenders against the service at
// job.url and prints one JSON line on stdout; progress goes to stderr. job.only selects scenarios
// (run.mjs --only); job.serviceCore is where the proxy scenarios' driver goes (proxy.mjs).
//   measure: every contender warmed up for job.warmup rounds, then job.rounds interleaved rounds
//            (A B C … A B C …, the start rotating each round); each round measured by measure.mjs.
//   profile: one contender, warmed up, then sampled by V8's profiler for job.seconds.
import { writeFileSync } from "node:fs";
import { clearTokenCache } from "@sfmc-contacts/client-node";
import { checkAllocationMethod, measureRound } from "./measure.mjs";
import { startProfile } from "./profile.mjs";
import { findProfileTarget, runRound, selectScenarios } from "./scenarios.mjs";

const job = JSON.parse(process.argv[2]);
const sizeOf = (scenario) => (job.quick ? scenario.size.quick : scenario.size.full);
const started = Date.now();
const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;

if (job.mode === "profile") {
  const { scenario, contender } = findProfileTarget(job.profile);
  const instance = await contender.create(job.url, { serviceCore: job.serviceCore });
  for (let round = 1; round <= job.warmup; round++) await runRound(scenario, instance, -round, sizeOf(scenario));
  const stop = await startProfile();
  let rounds = 0;
  const until = Date.now() + job.seconds * 1000;
  while (Date.now() < until) await runRound(scenario, instance, ++rounds, sizeOf(scenario));
  const profile = await stop();
  await instance.close();
  writeFileSync(job.file, JSON.stringify(profile));
  process.stdout.write(
    `${JSON.stringify({ file: job.file, rounds, seconds: (Date.now() - until) / 1000 + job.seconds })}\n`,
  );
} else {
  const allocationCheck = await checkAllocationMethod();
  const scenarios = [];
  for (const scenario of selectScenarios(job.only)) {
    const contenders = [];
    for (const contender of scenario.contenders) {
      contenders.push({ contender, instance: await contender.create(job.url, { serviceCore: job.serviceCore }) });
    }
    scenarios.push({ scenario, contenders });
  }
  const records = [];
  const total = job.warmup + job.rounds;
  for (let pass = 1; pass <= total; pass++) {
    const warmUp = pass <= job.warmup;
    // Warm-up rounds have negative numbers, so their keys differ from the timed rounds' too.
    const round = warmUp ? pass - job.warmup - 1 : pass - job.warmup;
    for (const { scenario, contenders } of scenarios) {
      const shift = pass % contenders.length;
      for (const { contender, instance } of [...contenders.slice(shift), ...contenders.slice(0, shift)]) {
        const m = await measureRound(() => runRound(scenario, instance, round, sizeOf(scenario)));
        if (!warmUp) records.push({ scenario: scenario.id, contender: contender.id, round, ...m });
      }
    }
    process.stderr.write(`${warmUp ? "warm-up" : "timed"} round ${pass}/${total} done (${elapsed()})\n`);
  }
  for (const { contenders } of scenarios) for (const { instance } of contenders) await instance.close();
  clearTokenCache();
  process.stdout.write(`${JSON.stringify({ records, allocationCheck })}\n`);
}
