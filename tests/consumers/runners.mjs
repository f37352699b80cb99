// The test-runner cells of the consumer matrix (issue 13, points 1-4): Vitest 3 and 4 in the node,
// jsdom and happy-dom environments, Vitest 4 browser mode in Chromium, Jest 29 and 30 with ts-jest
// through the preset, each under msw 2 and msw 3 on every Node that runner and msw support; and
// msw 3 on Node 20, which must fail with the clear error, in every runner.
import { rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { mswRunsOn, NODES, RUNNERS } from "./readme-recipes.mjs";
import { readJson, runnerEnv, seconds, sh } from "./support.mjs";

export const CLEAR_ERROR = "msw 3 needs Node 22+; use msw 2 on Node 20";
const RUN_TIMEOUT_MS = 4 * 60_000;

/**
 * Runs a Vitest or Jest runner in `cwd` under a Node binary and reads its JSON report. Never
 * throws for failing tests: the caller judges the report; throws only when there is no report.
 */
export async function runTests(runner, { project, cwd, node, env = {}, args = [] }) {
  const report = join(cwd, ".report.json");
  await rm(report, { force: true });
  const command = runner.startsWith("jest")
    ? [
        join(project, "node_modules/jest/bin/jest.js"),
        "--ci",
        "--testTimeout=30000",
        "--json",
        `--outputFile=${report}`,
        `--cacheDirectory=${join(project, ".jest-cache")}`,
      ]
    : [
        join(project, "node_modules/vitest/vitest.mjs"),
        "run",
        "--testTimeout=30000",
        "--reporter=default",
        "--reporter=json",
        `--outputFile.json=${report}`,
      ];
  const started = Date.now();
  const outcome = await sh(node, [...command, ...args], {
    cwd,
    env: runnerEnv(node, env),
    timeoutMs: RUN_TIMEOUT_MS,
  }).catch((error) => error);
  const json = await readJson(report);
  const ms = Date.now() - started;
  return { json, ms, stdout: outcome.stdout ?? "", stderr: outcome.stderr ?? "", code: outcome.code, error: outcome };
}

/**
 * Throws, with the runner's output, unless `files` (report entries) all passed with at least one
 * test and none skipped, and the runner exited 0 or failed only for a file of another group.
 */
export function judge(run, files, what) {
  const tests = files.flatMap((f) => f.assertionResults ?? []);
  const failed = files.filter((f) => f.status !== "passed");
  const passed = tests.filter((t) => t.status === "passed").length;
  // An error outside every test (Vitest's "Unhandled Errors") fails the run with no failed file.
  const failedElsewhere = run.json?.testResults?.some((f) => f.status !== "passed");
  if (
    files.length > 0 &&
    failed.length === 0 &&
    passed > 0 &&
    tests.every((t) => t.status === "passed") &&
    (run.code === 0 || failedElsewhere)
  ) {
    return `${passed} test${passed === 1 ? "" : "s"}`;
  }
  const messages = failed.flatMap((f) => [
    `${basename(f.name)}: ${f.message ?? ""}`,
    ...(f.assertionResults ?? [])
      .filter((t) => t.status === "failed")
      .map((t) => `  ✗ ${t.fullName ?? t.title}\n${(t.failureMessages ?? []).join("\n").slice(0, 2000)}`),
  ]);
  const summary =
    files.length === 0
      ? `no test files ran for ${what}`
      : failed.length || passed < tests.length
        ? `${failed.length} files failed, ${tests.length - passed} tests did not pass in ${what}`
        : `the runner exited ${run.code} with every test of ${what} passed: an error outside the tests`;
  throw Object.assign(new Error(summary), {
    stdout: [messages.join("\n"), run.stdout].join("\n"),
    stderr: run.stderr,
  });
}

/**
 * One line per group of a run's files (an environment); the groups share one runner process, whose
 * wall time each line shows.
 */
async function groupedCells(report, run, groups) {
  for (const { label, files: pick, what } of groups) {
    await report.cell(label, async () => {
      const r = await run;
      if (!r.json) throw Object.assign(new Error(`the runner wrote no report (exit ${r.code})`), r.error);
      const detail = judge(r, r.json.testResults.filter(pick), what);
      return { detail, time: `one ${seconds(r.ms)} run for ${groups.length} environments` };
    });
  }
}

const VITEST_ENVIRONMENTS = ["node", "jsdom", "happy-dom"];

/** Where an environment cannot run, and why (printed as a SKIP line). */
function vitestSkip(runner, environment, node) {
  if (runner === "vitest3" && environment === "jsdom" && node >= 24) {
    return "Vitest 3's jsdom AbortSignal is not Node 24 fetch's (RequestInit: Expected signal to be an instance of AbortSignal): use Vitest 4, or Node 22 or older, for jsdom";
  }
  return undefined;
}

/** Vitest 3 and 4 × msw 2 and 3 × Node 20/22/24: one runner process per cell, one line per environment. */
export async function vitestCells(report, { projects, nodes }) {
  for (const runner of ["vitest3", "vitest4"]) {
    for (const msw of [2, 3]) {
      for (const node of NODES) {
        if (!mswRunsOn(msw, node)) continue;
        const label = (environment) => `${RUNNERS[runner].label} · ${environment} · msw ${msw} · Node ${node}`;
        const environments = VITEST_ENVIRONMENTS.filter((environment) => {
          const reason = vitestSkip(runner, environment, node);
          if (reason) report.skip(label(environment), reason);
          return !reason;
        });
        const run = projects(runner, msw).then((project) =>
          runTests(runner, {
            project,
            cwd: join(project, "vitest"),
            node: nodes[node],
            env: { SFMC_ENVIRONMENTS: environments.join(",") },
          }),
        );
        await groupedCells(
          report,
          run,
          environments.map((environment) => ({
            label: label(environment),
            what: `the ${environment} environment`,
            files: (f) => basename(dirname(f.name)) === environment,
          })),
        );
      }
    }
  }
}

const JEST_ENVIRONMENTS = {
  node: ["client-node.test.ts", "browser-client-node.test.ts"],
  "jest-fixed-jsdom": ["browser-client.test.ts"],
};

/** Jest 29 and 30 with ts-jest (CommonJS) through `preset: "@sfmc-contacts/mocks/jest"`. */
export async function jestCells(report, { projects, nodes }) {
  for (const runner of ["jest29", "jest30"]) {
    for (const msw of [2, 3]) {
      for (const node of NODES) {
        if (!mswRunsOn(msw, node)) continue;
        const run = projects(runner, msw).then((project) =>
          runTests(runner, { project, cwd: join(project, "jest"), node: nodes[node] }),
        );
        await groupedCells(
          report,
          run,
          Object.entries(JEST_ENVIRONMENTS).map(([environment, names]) => ({
            label: `${RUNNERS[runner].label} + ts-jest · ${environment} · msw ${msw} · Node ${node}`,
            what: `the ${environment} environment`,
            files: (f) => names.includes(basename(f.name)),
          })),
        );
      }
    }
  }
}

/** Vitest 4 browser mode in Debian's Chromium, the worker script put in public/ by `msw init`. */
export async function browserCells(report, { projects, nodes }) {
  const initialised = new Set();
  for (const msw of [2, 3]) {
    for (const node of NODES) {
      if (!mswRunsOn(msw, node)) continue;
      await report.cell(
        `vitest 4 · browser mode, Chromium, setupContactsWorker · msw ${msw} · Node ${node}`,
        async () => {
          const project = await projects("vitest4", msw);
          const cwd = join(project, "browser");
          if (!initialised.has(project)) {
            await sh(join(project, "node_modules/.bin/msw"), ["init", "browser/public", "--no-save"], {
              cwd: project,
              env: runnerEnv(nodes[node]),
              timeoutMs: 60_000,
            });
            initialised.add(project);
          }
          const run = await runTests("vitest4", { project, cwd, node: nodes[node] });
          if (!run.json) throw Object.assign(new Error(`the runner wrote no report (exit ${run.code})`), run.error);
          return judge(run, run.json.testResults, "browser mode");
        },
      );
    }
  }
}

/**
 * msw 3 on Node 20 (what an explicit pin or a lockfile made on Node 22 gives): setupContactsServer
 * must stop with the clear error in plain Node (ESM and CommonJS) and in every runner, instead of
 * msw's `Promise.withResolvers is not a function` on the first request.
 */
export async function clearErrorCells(report, { projects, nodes }) {
  const node = nodes[20];
  const expectClearError = (outcome, where) => {
    const output = [outcome.stdout, outcome.stderr, JSON.stringify(outcome.json ?? "")].join("\n");
    if (!output.includes(CLEAR_ERROR)) {
      throw Object.assign(new Error(`${where} did not say "${CLEAR_ERROR}"`), {
        stdout: outcome.stdout,
        stderr: outcome.stderr,
      });
    }
    return `says "${CLEAR_ERROR}"`;
  };
  for (const file of ["clear-error.mjs", "clear-error.cjs"]) {
    await report.cell(
      `node 20 · ${file.endsWith("cjs") ? "cjs" : "esm"} · msw 3: setupContactsServer fails clearly`,
      async () => {
        const project = await projects("vitest4", 3);
        const outcome = await sh(node, [file], { cwd: project, env: runnerEnv(node) });
        return expectClearError(outcome, file);
      },
    );
  }
  for (const runner of ["vitest3", "vitest4", "jest29", "jest30"]) {
    await report.cell(`${RUNNERS[runner].label} · msw 3 · Node 20: the suite fails with the clear error`, async () => {
      const project = await projects(runner, 3);
      const jest = runner.startsWith("jest");
      const run = await runTests(runner, {
        project,
        cwd: join(project, jest ? "jest" : "vitest"),
        node,
        env: { SFMC_ENVIRONMENTS: "node" },
        args: [jest ? "client-node" : "client-node.test.ts"],
      });
      if (run.code === 0) throw Object.assign(new Error("the suite passed on Node 20 with msw 3"), run);
      return expectClearError(run, RUNNERS[runner].label);
    });
  }
}
