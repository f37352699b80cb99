// The one table of the consumer matrix's runners and of the README recipes (issue 13, point 5).
//
// A README block marked ```ts recipe=<name> file=<path>``` is one file of the recipe <name>: every
// block of that recipe in one README is written to its path in a scratch npm project that has the
// packed tarballs and the recipe's runner installed, and the runner runs there, on each Node
// version and msw major the recipe lists. The harness adds a package.json ("type": "module" for
// Vitest and node recipes, CommonJS for Jest ones) unless the recipe shows one, and runs the
// recipe's `setup` commands (what the README's sh blocks tell the reader to run); nothing else.
// Runners run with `--testTimeout=30000` (a CPU-starved CI machine), and Vitest browser mode gets
// Debian's Chromium through CHROMIUM_PATH (the recipe's config reads it: never a downloaded browser).

/** msw majors and the exact versions the matrix installs. */
export const MSW = { 2: "2.15.0", 3: "3.0.5" };

/** The Node.js majors of the matrix (20 is the machine's; 22 and 24 come from the registry). */
export const NODES = [20, 22, 24];

/** msw 3 needs Node 22.12 or newer (Promise.withResolvers, Set methods). */
export const mswRunsOn = (msw, node) => msw < 3 || node >= 22;

export const TYPESCRIPT = "6.0.3";
export const JSDOM = "29.0.1"; // jsdom 30+ needs Node 22.22+/24.15+: not Node 20, not the matrix's 24.9
export const HAPPY_DOM = "21.0.4";

/** What each runner installs, and how it is named in the report. */
export const RUNNERS = {
  vitest3: { label: "vitest 3", deps: { vitest: "3.2.7", typescript: TYPESCRIPT } },
  vitest4: { label: "vitest 4", deps: { vitest: "4.1.12", typescript: TYPESCRIPT } },
  jest29: {
    label: "jest 29",
    deps: { jest: "29.7.0", "ts-jest": "29.4.15", typescript: TYPESCRIPT, "@types/jest": "29.5.14" },
  },
  jest30: {
    label: "jest 30",
    deps: { jest: "30.5.2", "ts-jest": "29.4.15", typescript: TYPESCRIPT, "@types/jest": "30.0.0" },
  },
  // Plain `node <first file of the recipe>`, in the Vitest 4 project.
  node: { label: "node", deps: {} },
};

const BROWSER_MODE = { "@vitest/browser-playwright": "4.1.12", playwright: "1.65.1" };

/**
 * name -> runner, extra deps (with versions), the test environment the recipe sets up, and where
 * it runs: every Node of `nodes` × every msw major of `msw` that Node supports. `setup` lists the
 * commands the README tells the reader to run first (its sh blocks), run from node_modules/.bin.
 */
export const RECIPES = {
  "vitest-node": { runner: "vitest4", environment: "node", deps: {}, nodes: NODES, msw: [2, 3] },
  "vitest-jsdom": { runner: "vitest4", environment: "jsdom", deps: { jsdom: JSDOM }, nodes: NODES, msw: [2, 3] },
  "vitest-happy-dom": {
    runner: "vitest4",
    environment: "happy-dom",
    deps: { "happy-dom": HAPPY_DOM },
    nodes: NODES,
    msw: [2, 3],
  },
  "vitest-browser": {
    runner: "vitest4",
    environment: "browser mode, Chromium",
    deps: BROWSER_MODE,
    // The README's `npx msw init public --save`: the worker script in the folder Vite serves.
    setup: [["msw", "init", "public", "--save"]],
    nodes: [20, 22],
    msw: [2, 3],
  },
  // packages/spec/README.md: validating payloads with Ajv against the exported schemas.
  "spec-ajv": {
    runner: "node",
    environment: "node",
    deps: { ajv: "8.20.0", "ajv-formats": "3.0.1" },
    nodes: [20, 24],
    msw: [2],
  },
  jest: { runner: "jest30", environment: "node", deps: {}, nodes: NODES, msw: [2, 3] },
  "jest-browser-client": {
    runner: "jest30",
    environment: "jest-fixed-jsdom",
    deps: { "jest-fixed-jsdom": "0.0.11", "jest-environment-jsdom": "30.5.2" },
    nodes: NODES,
    msw: [2, 3],
  },
};

/** The (Node, msw) pairs a recipe runs on. */
export function recipeCells(recipe) {
  return recipe.nodes.flatMap((node) => recipe.msw.filter((msw) => mswRunsOn(msw, node)).map((msw) => ({ node, msw })));
}

/** The project a runner uses: `node` recipes run in the Vitest 4 project. */
export const projectRunner = (runner) => (runner === "node" ? "vitest4" : runner);

/** Every package a runner's project needs for the README recipes, checked for conflicting versions. */
export function recipeDeps(runner) {
  const deps = {};
  for (const [name, recipe] of Object.entries(RECIPES)) {
    if (projectRunner(recipe.runner) !== runner) continue;
    for (const [dep, version] of Object.entries({ ...RUNNERS[recipe.runner].deps, ...recipe.deps })) {
      if (deps[dep] && deps[dep] !== version) throw new Error(`recipe ${name}: ${dep}@${version} vs ${deps[dep]}`);
      deps[dep] = version;
    }
  }
  return deps;
}
