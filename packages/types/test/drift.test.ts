import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const script = fileURLToPath(new URL("../scripts/generate.mjs", import.meta.url));
const spec = fileURLToPath(new URL("../../../specs/openapi.yaml", import.meta.url));

async function check(specFile: string): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [script, "--check", "--spec", specFile]);
    return { code: 0, stderr: "" };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

describe("the drift check (generate --check)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sfmc-contacts-drift-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("passes when the committed files match the spec", async () => {
    expect(await check(spec)).toEqual({ code: 0, stderr: "" });
  });

  it("fails, naming the stale file, when a schema changed without regenerating", async () => {
    const edited = join(dir, "schema-edit.yaml");
    const text = await readFile(spec, "utf8");
    const changed = text.replace(
      "        contactID:\n          type: integer",
      "        contactID:\n          type: string",
    );
    expect(changed).not.toBe(text);
    await writeFile(edited, changed);
    const result = await check(edited);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("drift: packages/types/src/generated/openapi.ts is out of date");
    expect(result.stderr).toContain("Run `pnpm generate`");
  });

  it("fails when only the spec version changed, since the package records it", async () => {
    const edited = join(dir, "version-edit.yaml");
    const text = await readFile(spec, "utf8");
    await writeFile(edited, text.replace(/^ {2}version: .*$/m, "  version: 9.9.9"));
    const result = await check(edited);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("drift: packages/types/package.json");
  });

  it("fails when an example changed, since the type tests check every example", async () => {
    const edited = join(dir, "example-edit.yaml");
    const text = await readFile(spec, "utf8");
    await writeFile(edited, text.replace("contactID: 295863490", "contactID: 295863491"));
    const result = await check(edited);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("drift: packages/types/test/generated/spec-examples.ts");
  });
});
