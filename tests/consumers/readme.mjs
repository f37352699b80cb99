// The README harness (issue 13, point 5): every fenced code block of README.md and
// packages/*/README.md, checked by its marker (the info string after the language):
//   ```ts check                          compiled with tsc (strict, nodenext) against the tarballs
//   ```ts recipe=<name> file=<path>      one file of a recipe, run in its runner (readme-recipes.mjs)
//   ```ts illustrative reason="..."      not run; the reason is required
// ts, tsx, js, jsx, mjs and cjs blocks must carry one marker; json/jsonc blocks may (a recipe's
// tsconfig.json, say); sh, text, yaml and the like are not checked.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, normalize } from "node:path";
import { projectRunner, RECIPES, RUNNERS, recipeCells } from "./readme-recipes.mjs";
import { judge, runTests } from "./runners.mjs";
import { runnerEnv, sh } from "./support.mjs";

/**
 * The one-line switch: while false, unmarked ts/js blocks are listed (a WARN line); once every
 * README block is marked, set it to true and an unmarked block fails the consumer test.
 */
export const UNMARKED_FATAL = true;

const CODE = { ts: "ts", typescript: "ts", tsx: "tsx", js: "js", javascript: "js", jsx: "jsx", mjs: "mjs", cjs: "cjs" };
const JSONISH = new Set(["json", "jsonc"]);
/** READMEs type-checked as a browser app sees them: the DOM, no Node.js globals. */
const BROWSER_READMES = new Set(["packages/client-browser/README.md"]);

/** The READMEs the harness reads: the root one and every package's. */
export async function readmeFiles(repo) {
  const packages = (await readdir(join(repo, "packages"))).sort();
  return ["README.md", ...packages.map((p) => `packages/${p}/README.md`)].filter((f) => existsSync(join(repo, f)));
}

/** `key`, `key=value` and `key="a value"` words of an info string, after the language. */
export function parseInfo(info) {
  const words = new Map();
  const rest = info.replace(/([\w-]+)(?:=(?:"([^"]*)"|(\S+)))?/g, (_, key, quoted, plain) => {
    words.set(key, quoted ?? plain ?? true);
    return "";
  });
  return { words, leftover: rest.trim() };
}

/** Every fenced block of a Markdown text, with the line of its opening fence (1-based). */
export function extractBlocks(text, file) {
  const lines = text.split("\n");
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang, info] = open;
    const body = [];
    let j = i + 1;
    const close = new RegExp(`^\\s*${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`);
    while (j < lines.length && !close.test(lines[j])) {
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart());
      j++;
    }
    blocks.push({ file, line: i + 1, lang: lang.toLowerCase(), info: info.trim(), code: `${body.join("\n")}\n` });
    i = j;
  }
  return blocks;
}

/**
 * What a block is: `check`, `recipe`, `illustrative`, `unchecked` (a language not checked),
 * `unmarked` (a ts/js block without a marker) or `invalid` (with the problem).
 */
export function classify(block, recipes = RECIPES) {
  const code = CODE[block.lang];
  const { words, leftover } = parseInfo(block.info);
  if (!code && !JSONISH.has(block.lang)) return { kind: "unchecked" };
  const markers = ["check", "recipe", "illustrative"].filter((m) => words.has(m));
  if (markers.length === 0) return code ? { kind: "unmarked" } : { kind: "unchecked" };
  const invalid = (problem) => ({ kind: "invalid", problem });
  if (leftover) return invalid(`unreadable info string "${block.info}"`);
  if (markers.length > 1) return invalid(`one marker only, not ${markers.join(" and ")}`);
  const known = { check: ["check"], recipe: ["recipe", "file"], illustrative: ["illustrative", "reason"] }[markers[0]];
  const unknown = [...words.keys()].filter((k) => !known.includes(k));
  if (unknown.length) return invalid(`unknown word(s) ${unknown.join(", ")} beside ${markers[0]}`);
  if (words.has("check")) {
    if (words.get("check") !== true) return invalid("`check` takes no value");
    return { kind: "check", ext: code ?? "json" };
  }
  if (words.has("illustrative")) {
    const reason = words.get("reason");
    if (words.get("illustrative") !== true) return invalid("`illustrative` takes no value");
    if (typeof reason !== "string" || !reason.trim()) return invalid('illustrative needs reason="why it is not run"');
    return { kind: "illustrative", reason };
  }
  const name = words.get("recipe");
  const path = words.get("file");
  if (typeof name !== "string" || !recipes[name]) {
    return invalid(`recipe=${name} is not in the recipe table (${Object.keys(recipes).join(", ")})`);
  }
  if (typeof path !== "string") return invalid(`recipe=${name} needs file=<relative path>`);
  const clean = normalize(path);
  if (clean.startsWith("..") || clean.startsWith("/") || clean.startsWith(".report")) {
    return invalid(`file=${path} must be a relative path inside the recipe`);
  }
  return { kind: "recipe", name, path: clean };
}

/** Reads the READMEs and sorts their blocks by marker; `problems` are invalid markers and duplicate files. */
export async function analyse(repo, files, recipes = RECIPES) {
  const blocks = [];
  for (const file of files) {
    for (const block of extractBlocks(await readFile(join(repo, file), "utf8"), file)) {
      blocks.push({ ...block, ...classify(block, recipes) });
    }
  }
  const problems = blocks.filter((b) => b.kind === "invalid").map((b) => `${b.file}:${b.line}: ${b.problem}`);
  const groups = new Map();
  for (const block of blocks.filter((b) => b.kind === "recipe")) {
    const key = `${block.file}#${block.name}`;
    const group = groups.get(key) ?? { file: block.file, name: block.name, line: block.line, blocks: [] };
    if (group.blocks.some((b) => b.path === block.path)) {
      problems.push(`${block.file}:${block.line}: recipe=${block.name} already has a block for file=${block.path}`);
    }
    group.blocks.push(block);
    groups.set(key, group);
  }
  return {
    blocks,
    problems,
    unmarked: blocks.filter((b) => b.kind === "unmarked"),
    checks: blocks.filter((b) => b.kind === "check"),
    recipes: [...groups.values()],
  };
}

const slug = (file) =>
  file
    .replace(/\/?README\.md$/, "")
    .replace(/^packages\//, "")
    .replaceAll("/", "_") || "root";

/**
 * Compiles every `check` block as its own module with tsc (strict, module nodenext, skipLibCheck)
 * in `dir` inside a project with the tarballs, msw 2, vitest and @types/node installed. Returns
 * README file -> errors ("file:line:col TSxxxx message", at the README's own lines).
 */
export async function compileChecks(checks, { project, dir, node }) {
  await mkdir(join(dir, "blocks"), { recursive: true });
  await writeFile(join(dir, "package.json"), JSON.stringify({ private: true, type: "module" }));
  const byName = new Map();
  const errors = new Map(checks.map((b) => [b.file, []]));
  const views = { node: [], browser: [] };
  for (const block of checks) {
    const name = `blocks/${slug(block.file)}-L${block.line}.${block.ext}`;
    byName.set(name, block);
    if (block.ext === "json") {
      try {
        JSON.parse(block.code);
      } catch (error) {
        errors.get(block.file).push(`${block.file}:${block.line}: not JSON: ${error.message}`);
      }
      continue;
    }
    await writeFile(join(dir, name), block.code);
    views[BROWSER_READMES.has(block.file) ? "browser" : "node"].push(name);
  }
  for (const [view, names] of Object.entries(views)) {
    if (names.length === 0) continue;
    const tsconfig = `tsconfig.${view}.json`;
    const compilerOptions = {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      moduleDetection: "force",
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      allowJs: true,
      checkJs: true,
      jsx: "preserve",
      lib: ["ES2023", "DOM", "DOM.Iterable"],
      types: view === "browser" ? [] : ["node"],
    };
    await writeFile(join(dir, tsconfig), JSON.stringify({ compilerOptions, files: names }, null, 2));
    const tsc = join(project, "node_modules/typescript/bin/tsc");
    const outcome = await sh(node, [tsc, "-p", tsconfig, "--pretty", "false"], {
      cwd: dir,
      env: runnerEnv(node),
      timeoutMs: 3 * 60_000,
    }).catch((error) => error);
    const found = [];
    for (const line of `${outcome.stdout ?? ""}`.split("\n")) {
      const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
      if (m) {
        const block = byName.get(m[1]);
        const where = block ? `${block.file}:${block.line + Number(m[2])}:${m[3]}` : `${m[1]}:${m[2]}:${m[3]}`;
        found.push({ block, text: `${where} ${m[4]} ${m[5]}` });
      } else if (line.startsWith(" ") && found.length) found.at(-1).text += `\n${line}`;
    }
    const elsewhere = found.filter((f) => !f.block).map((f) => f.text);
    if (elsewhere.length || (outcome.code !== 0 && found.length === 0)) {
      const detail = elsewhere.length ? elsewhere.join("\n") : `exit ${outcome.code}`;
      throw Object.assign(new Error(`tsc failed outside the README blocks: ${detail}`), outcome);
    }
    for (const { block, text } of found) errors.get(block.file).push(text);
  }
  return errors;
}

/**
 * Writes a recipe's blocks into `dir` (plus a package.json unless the recipe shows one) and runs
 * its runner there. Resolves with the detail of a pass; throws with the runner's output otherwise.
 */
export async function runRecipe(group, { recipes = RECIPES, project, dir, node }) {
  const recipe = recipes[group.name];
  const runner = recipe.runner;
  for (const block of group.blocks) {
    await mkdir(dirname(join(dir, block.path)), { recursive: true });
    await writeFile(join(dir, block.path), block.code);
  }
  if (!group.blocks.some((b) => b.path === "package.json")) {
    const manifest = runner.startsWith("jest") ? { private: true } : { private: true, type: "module" };
    await writeFile(join(dir, "package.json"), JSON.stringify(manifest, null, 2));
  }
  // The README's own set-up commands (a sh block the harness cannot run as written).
  for (const [command, ...args] of recipe.setup ?? []) {
    await sh(join(project, "node_modules/.bin", command), args, { cwd: dir, env: runnerEnv(node), timeoutMs: 60_000 });
  }
  if (runner === "node") {
    await sh(node, [group.blocks[0].path], { cwd: dir, env: runnerEnv(node), timeoutMs: 4 * 60_000 });
    return `node ${group.blocks[0].path} exited 0`;
  }
  const run = await runTests(runner, { project, cwd: dir, node });
  if (!run.json) throw Object.assign(new Error(`the runner wrote no report (exit ${run.code})`), run.error);
  return judge(run, run.json.testResults, `recipe ${group.name}`);
}

const SELF_TEST = "tests/consumers/fixtures/readme-selftest/README.md";

/**
 * The harness on a README made to be refused: it must list the unmarked block, refuse both bad
 * markers, report the block that does not compile at its README line (and only that one), pass
 * the recipe that passes and fail the one that fails. A harness that lets anything through fails.
 */
async function selfTest({ repo, project, nodes }) {
  const only = { runner: "vitest4", environment: "node", deps: {}, nodes: [20], msw: [2] };
  const recipes = { ...RECIPES, "selftest-passes": only, "selftest-fails": only };
  const text = await readFile(join(repo, SELF_TEST), "utf8");
  const lineOf = (snippet) => text.split("\n").findIndex((l) => l.includes(snippet)) + 1;
  const found = await analyse(repo, [SELF_TEST], recipes);
  const expect = (ok, what) => {
    if (!ok) throw new Error(`the harness ${what}`);
  };
  expect(
    found.unmarked.length === 1 && found.unmarked[0].line === lineOf("const unmarked") - 1,
    `did not list exactly the unmarked block: ${found.unmarked.map((b) => b.line)}`,
  );
  expect(
    found.problems.length === 2 &&
      found.problems[0].startsWith(
        `${SELF_TEST}:${lineOf("const illustrativeWithoutReason") - 1}: illustrative needs`,
      ) &&
      found.problems[1].includes("recipe=no-such-recipe is not in the recipe table"),
    `did not refuse exactly the two bad markers: ${found.problems.join("; ")}`,
  );
  const errors = (
    await compileChecks(found.checks, { project, dir: join(project, "readme-selftest-check"), node: nodes[20] })
  ).get(SELF_TEST);
  expect(
    errors.length === 1 && errors[0].startsWith(`${SELF_TEST}:${lineOf("const notANumber")}:7 TS2322`),
    `did not report the one block that does not compile, at its line: ${errors.join("; ")}`,
  );
  const outcomes = [];
  for (const group of found.recipes) {
    const dir = join(project, "readme-selftest", group.name);
    outcomes.push(
      await runRecipe(group, { recipes, project, dir, node: nodes[20] }).then(
        () => `${group.name} passed`,
        () => `${group.name} failed`,
      ),
    );
  }
  expect(
    outcomes.join(", ") === "selftest-passes passed, selftest-fails failed",
    `judged the recipes wrongly: ${outcomes.join(", ")}`,
  );
  return "lists an unmarked block, refuses 2 bad markers, reports a TS error at its README line, fails a failing recipe";
}

/**
 * The README cells: markers (invalid ones always fail; unmarked ones per UNMARKED_FATAL), one
 * line per README with `check` blocks, one line per recipe × (Node, msw).
 */
export async function readmeCells(
  report,
  { repo, projects, nodes, recipes = RECIPES, unmarkedFatal = UNMARKED_FATAL },
) {
  await report.cell("readme harness · self-test on fixtures/readme-selftest/README.md", async () =>
    selfTest({ repo, project: await projects("vitest4", 2), nodes }),
  );
  const files = await readmeFiles(repo);
  const found = await analyse(repo, files, recipes);
  const counts = ["check", "recipe", "illustrative"].map(
    (k) => `${found.blocks.filter((b) => b.kind === k).length} ${k}`,
  );
  await report.cell(`readme · markers in ${files.length} READMEs`, async () => {
    if (found.problems.length) throw new Error(`invalid markers:\n${found.problems.join("\n")}`);
    if (unmarkedFatal && found.unmarked.length) {
      throw new Error(
        `mark each block check, recipe=<name> file=<path> or illustrative reason="...":\n${found.unmarked
          .map((b) => `${b.file}:${b.line} \`\`\`${b.lang}`)
          .join("\n")}`,
      );
    }
    return `${counts.join(", ")}, ${found.unmarked.length} unmarked`;
  });
  if (!unmarkedFatal && found.unmarked.length) {
    report.warn(
      `readme · ${found.unmarked.length} unmarked ts/js blocks (listed; fatal once UNMARKED_FATAL is true)`,
      found.unmarked.map((b) => `${b.file}:${b.line}`).join(", "),
    );
  }

  // Finding nothing is a failure, not a skip: a broken extractor must not turn point 5 green.
  if (found.checks.length === 0) {
    await report.cell("readme · check blocks", async () => {
      throw new Error("no README block is marked check: the extractor found none, and the READMEs have several");
    });
  } else {
    const errors = projects("vitest4", 2).then((project) =>
      compileChecks(found.checks, { project, dir: join(project, "readme-check"), node: nodes[20] }),
    );
    for (const file of files.filter((f) => found.checks.some((b) => b.file === f))) {
      const n = found.checks.filter((b) => b.file === file).length;
      await report.cell(`readme · ${file} · ${n} check block${n === 1 ? "" : "s"} (tsc strict, nodenext)`, async () => {
        const list = (await errors).get(file);
        if (list.length) throw new Error(list.join("\n"));
        return "compile";
      });
    }
  }

  if (found.recipes.length === 0) {
    await report.cell("readme · recipes", async () => {
      throw new Error(
        "no README block is marked recipe=<name>: the extractor found none, and the READMEs have several",
      );
    });
  }
  for (const group of found.recipes) {
    const recipe = recipes[group.name];
    for (const { node, msw } of recipeCells(recipe)) {
      const runner = projectRunner(recipe.runner);
      const label = `readme recipe ${group.name} · ${group.file}:${group.line} · ${RUNNERS[recipe.runner].label} · ${recipe.environment} · msw ${msw} · Node ${node}`;
      await report.cell(label, async () => {
        const project = await projects(runner, msw);
        const dir = join(project, "readme", `${slug(group.file)}-${group.name}`);
        return runRecipe(group, { recipes, project, dir, node: nodes[node] });
      });
    }
  }
}
