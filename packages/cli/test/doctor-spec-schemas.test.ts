/**
 * The doctor's copy of the spec (src/generated/spec-schemas.ts): generated from specs/openapi.yaml,
 * drift-checked, and strict without being wrong: every example answer of the spec passes it.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redactor } from "../src/doctor-report.js";
import { loadSpecCheck } from "../src/doctor-validate.js";

const script = fileURLToPath(new URL("../scripts/generate-spec-schemas.mjs", import.meta.url));
const specFile = fileURLToPath(new URL("../../../specs/openapi.yaml", import.meta.url));
/** The parts of the spec these tests read or change. */
interface Spec {
  info: { version: string };
  paths: Record<string, Record<string, { responses?: Record<string, Node> }>>;
  components: { schemas: Record<string, { properties: Record<string, unknown> }> };
}
/** A node of the spec that may be a `$ref`. */
interface Node {
  $ref?: string;
  value?: unknown;
  content?: Record<string, { examples?: Record<string, Node> }>;
}
// The spec's own parser, as the generator reads it (yaml is the spec package's dependency).
const yaml = createRequire(fileURLToPath(new URL("../../../specs/package.json", import.meta.url)))("yaml") as {
  parse(text: string): Spec;
  stringify(value: unknown): string;
};

function generator(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("the drift check (pnpm --filter @sfmc-contacts/cli check:drift)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sfmc-contacts-doctor-spec-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A copy of the spec, as parsed and written again, after `change`. */
  async function copy(name: string, change: (spec: Spec) => void): Promise<string> {
    const spec = yaml.parse(await readFile(specFile, "utf8"));
    change(spec);
    const file = join(dir, name);
    await writeFile(file, yaml.stringify(spec));
    return file;
  }

  it("passes: the committed module is generated from specs/openapi.yaml", async () => {
    const run = await generator("--check");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("packages/cli/src/generated/spec-schemas.ts is up to date");
  });

  it("passes on an unchanged copy of the spec, and fails on a changed one", async () => {
    expect((await generator("--check", "--spec", await copy("same.yaml", () => {}))).code).toBe(0);
    const changed = await copy("changed.yaml", (spec) => {
      const reference = spec.components.schemas.ContactReference as Spec["components"]["schemas"][string];
      reference.properties.nickname = { type: "string" };
    });
    const run = await generator("--check", "--spec", changed);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("drift: packages/cli/src/generated/spec-schemas.ts is out of date");
    expect(run.stderr).toContain("Run `pnpm generate`");
  });

  it("a new spec version alone is drift: the report names the version it checked against", async () => {
    const bumped = await copy("version.yaml", (spec) => {
      spec.info.version = "9.9.9";
    });
    const run = await generator("--check", "--spec", bumped);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("drift:");
  });

  it("--spec is for --check only: the committed module always comes from specs/openapi.yaml", async () => {
    const run = await generator("--spec", specFile);
    expect(run.code).toBe(2);
  });
});

describe("strict, but not wrong", () => {
  it("every example answer of the spec passes the doctor's strict schemas", async () => {
    const spec = yaml.parse(await readFile(specFile, "utf8"));
    const deref = (node: Node): Node =>
      node.$ref
        ? deref(
            node.$ref
              .slice(2)
              .split("/")
              .reduce<unknown>((at, part) => (at as Record<string, unknown>)[part.replaceAll("~1", "/")], spec) as Node,
          )
        : node;
    const check = await loadSpecCheck();
    const checked: string[] = [];
    const failures: string[] = [];
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        for (const [status, reference] of Object.entries(operation.responses ?? {})) {
          const examples = deref(reference).content?.["application/json"]?.examples ?? {};
          for (const [name, example] of Object.entries(examples)) {
            const answer = {
              status: Number(status),
              headers: new Headers({ "content-type": "application/json" }),
              text: JSON.stringify(deref(example).value),
              overCap: false,
            };
            const result = check.check({ path, method, step: "token" }, answer, new Redactor());
            checked.push(`${path} ${status} ${name}`);
            // Headers are not part of an example; the body is.
            for (const f of result.findings.filter((f) => f.where?.startsWith("$"))) {
              failures.push(`${path} ${status} ${name}: ${f.where} ${f.expected} ${f.got}`);
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked.length).toBeGreaterThanOrEqual(10);
    expect(checked).toContain("/contacts/v1/establish 200 response");
    expect(checked).toContain("/v2/token 200 token");
  });

  it("the version it reports is the spec's info.version", async () => {
    const spec = yaml.parse(await readFile(specFile, "utf8"));
    expect((await loadSpecCheck()).version).toBe(String(spec.info.version));
  });
});
