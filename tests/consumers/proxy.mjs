// The proxy group of the consumer matrix (issue 16, point 8): @sfmc-contacts/proxy installed from
// its tarball into a backend-shaped npm project (no msw, no test runner, no @types/node), then
// run on plain node:http (ESM and CommonJS) and in a Hono 4 app on Node 20, 22 and 24, and
// type-checked as a Next.js route module. The runtime fixtures are fixtures/proxy/*.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { NODES } from "./readme-recipes.mjs";
import { runnerEnv, sh } from "./support.mjs";

const PROXY = "@sfmc-contacts/proxy";
/** Never in the proxy's production closure: test tooling. */
const FORBIDDEN = ["msw", "@sfmc-contacts/mocks"];
// What @sfmc-contacts/proxy brings into a production install: the sum over its dependency closure
// of each package's own bytes (du -sb without nested node_modules). 2.77 MB for 8 packages at issue 16
// (undici 1.8 MB of it); the budget leaves room for a dependency of the size of openapi-fetch and more.
export const PROXY_CLOSURE_BUDGET_BYTES = 6_000_000;

/**
 * The proxy's production dependency closure from `npm ls --all --json --long`: every installed
 * package reachable from @sfmc-contacts/proxy's node, once per install path. npm prints a
 * package's dependencies at one of its occurrences only (deduped elsewhere), so the children of
 * each path are gathered over the whole tree first. A missing required dependency makes npm ls
 * exit non-zero, which fails the cell.
 */
export function closureOf(tree, name = PROXY) {
  const children = new Map();
  const index = (node) => {
    for (const [child, sub] of Object.entries(node.dependencies ?? {})) {
      // An optional peer that is not installed (mocks' msw) comes out as {}: nothing installed.
      if (!sub.path && !sub.version) continue;
      if (!sub.path) throw new Error(`npm ls gave no path for ${child}`);
      if (!children.has(node.path)) children.set(node.path, new Map());
      children.get(node.path).set(sub.path, { name: child, version: sub.version });
      index(sub);
    }
  };
  index(tree);
  const root = [...(children.get(tree.path)?.entries() ?? [])].find(([, info]) => info.name === name);
  if (!root) throw new Error(`${name} is not installed at the project's top level`);
  const found = new Map();
  const walk = (path, info, chain) => {
    if (found.has(path)) return;
    found.set(path, { ...info, chain });
    for (const [sub, subInfo] of children.get(path) ?? []) walk(sub, subInfo, [...chain, subInfo.name]);
  };
  walk(root[0], root[1], [name]);
  return [...found.entries()].map(([path, info]) => ({ path, ...info }));
}

/** The proxy's cells; `project()` resolves the installed project's directory. */
export async function proxyCells(report, { project, nodes }) {
  await report.cell(
    `proxy · install: no msw and no @sfmc-contacts/mocks under ${PROXY}, closure ≤ ${PROXY_CLOSURE_BUDGET_BYTES / 1e6} MB`,
    async () => {
      const cwd = await project();
      // The runtime cells prove the proxy runs without msw only if the project has none at all.
      if (existsSync(join(cwd, "node_modules", "msw"))) throw new Error("msw is installed in the proxy's project");
      const { stdout } = await sh("npm", ["ls", "--all", "--json", "--long"], { cwd }).catch((error) => {
        // Its JSON (megabytes with --long) holds the problems: show those, not the tree.
        let problems;
        try {
          problems = JSON.parse(error.stdout).problems;
        } catch {}
        throw new Error(`npm ls found problems in the install:\n${(problems ?? [error.stderr]).join("\n")}`);
      });
      const closure = closureOf(JSON.parse(stdout));
      const forbidden = closure.filter((p) => FORBIDDEN.includes(p.name));
      if (forbidden.length) {
        throw new Error(
          `test tooling in the proxy's production closure:\n${forbidden.map((p) => p.chain.join(" > ")).join("\n")}`,
        );
      }
      const { stdout: sizes } = await sh("du", ["-sb", "--exclude=node_modules", ...closure.map((p) => p.path)]);
      const bytes = sizes
        .trim()
        .split("\n")
        .reduce((sum, line) => sum + Number(line.split("\t")[0]), 0);
      if (bytes > PROXY_CLOSURE_BUDGET_BYTES) {
        throw new Error(
          `the proxy's production closure is ${bytes} bytes, over its budget of ${PROXY_CLOSURE_BUDGET_BYTES}:\n${closure.map((p) => `${p.name}@${p.version}`).join("\n")}`,
        );
      }
      return `${closure.length} packages, ${(bytes / 1e6).toFixed(2)} MB (budget ${PROXY_CLOSURE_BUDGET_BYTES / 1e6} MB)`;
    },
  );

  const run = async (major, file, expected) => {
    const cwd = join(await project(), "proxy");
    const { stdout } = await sh(nodes[major], [file], { cwd, env: runnerEnv(nodes[major]), timeoutMs: 2 * 60_000 });
    if (!stdout.includes(expected)) throw new Error(`unexpected output: ${stdout}`);
    return "2 keys through the proxy; 401 without a session; path tricks 404; refusals sent nothing upstream";
  };
  for (const major of NODES) {
    for (const [system, file] of [
      ["esm", "node-http.mjs"],
      ["cjs", "node-http.cjs"],
    ]) {
      await report.cell(`proxy · node:http · ${system} · Node ${major}`, () =>
        run(major, file, `proxy node-http ${system} ok`),
      );
    }
    await report.cell(`proxy · Hono 4 app (@hono/node-server) · Node ${major}`, () =>
      run(major, "hono.mjs", "proxy hono esm ok"),
    );
  }

  // bundler: Next's own tsconfig (the import condition, the .d.mts); nodenext in a project
  // without "type": "module" reads route.ts as CommonJS (the require condition, the .d.cts).
  for (const resolution of ["bundler", "nodenext"]) {
    await report.cell(
      `proxy · types: Next.js-style route module (export const POST = proxy) · ${resolution}, types [], skipLibCheck false`,
      async () => {
        const root = await project();
        // With @types/node anywhere in the project, a d.ts that needs it could find it by reference.
        if (existsSync(join(root, "node_modules", "@types", "node"))) {
          throw new Error(
            "@types/node is installed in the proxy's project: the check would not prove the d.ts needs none",
          );
        }
        const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
        await sh(process.execPath, [tsc, "-p", `tsconfig.${resolution}.json`, "--pretty", "false"], {
          cwd: join(root, "proxy"),
        });
        return "compiles, 4 @ts-expect-error hold";
      },
    );
  }
}
