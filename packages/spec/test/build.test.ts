import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const script = fileURLToPath(new URL("../scripts/build.mjs", import.meta.url));
const spec = fileURLToPath(new URL("../../../specs/openapi.yaml", import.meta.url));
const dist = fileURLToPath(new URL("../dist", import.meta.url));

async function build(specFile: string, out: string): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [script, "--spec", specFile, "--out", out]);
    return { code: 0, stderr: "" };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

/** Every file under a directory, relative path -> content. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  return new Map(
    await Promise.all(files.sort().map(async (file) => [relative(dir, file), await readFile(file, "utf8")] as const)),
  );
}

describe("the build", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sfmc-contacts-spec-build-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("is deterministic: two builds, and the package's dist, are byte-identical", async () => {
    expect(await build(spec, join(dir, "a"))).toEqual({ code: 0, stderr: "" });
    expect(await build(spec, join(dir, "b"))).toEqual({ code: 0, stderr: "" });
    const a = await snapshot(join(dir, "a"));
    expect(a).toEqual(await snapshot(join(dir, "b")));
    expect(a).toEqual(await snapshot(dist));
    // No path of this machine leaks into the output.
    const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
    for (const content of a.values()) {
      expect(content).not.toContain(dir);
      expect(content).not.toContain(repoRoot);
    }
  });

  it("writes JSON without comments, each a single JSON document", async () => {
    for (const [file, content] of await snapshot(dist)) {
      if (file.endsWith(".json")) expect(() => JSON.parse(content)).not.toThrow();
    }
  });

  it("fails, naming it, on a $ref it cannot bundle into a standalone schema", async () => {
    const edited = join(dir, "header-ref.yaml");
    const text = await readFile(spec, "utf8");
    const broken = text.replace(
      "        error_uri:\n          type: string",
      '        error_uri:\n          $ref: "#/components/headers/RetryAfter"',
    );
    expect(broken).not.toBe(text);
    await writeFile(edited, broken);
    const result = await build(edited, join(dir, "c"));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("OAuthError: cannot bundle the $ref #/components/headers/RetryAfter");
  });
});
