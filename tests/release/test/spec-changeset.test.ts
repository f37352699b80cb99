import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const script = fileURLToPath(new URL("../../../scripts/check-spec-changeset.mjs", import.meta.url));

let repo: string;
const git = (...args: string[]) => run("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", ...args]);
const check = async (): Promise<{ code: number; output: string }> => {
  try {
    const { stdout } = await run(process.execPath, [script, repo]);
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, output: failed.stderr };
  }
};
const version = (v: string) =>
  writeFile(join(repo, "packages/types/package.json"), JSON.stringify({ name: "@sfmc-contacts/types", version: v }));

describe("the spec-changeset rule", () => {
  beforeAll(async () => {
    repo = await mkdtemp(join(tmpdir(), "sfmc-contacts-spec-rule-"));
    await git("init", "-q", "-b", "main");
    await mkdir(join(repo, "specs"));
    await mkdir(join(repo, "packages/types"), { recursive: true });
    await mkdir(join(repo, ".changeset"));
    await writeFile(join(repo, "specs/openapi.yaml"), "openapi: 3.1.0\n");
    await writeFile(join(repo, ".changeset/README.md"), "changesets\n");
    await version("0.1.0");
    await git("add", "-A");
    await git("commit", "-qm", "first");
    await version("0.2.0");
    await git("commit", "-qam", "Version packages");
  });
  afterAll(() => rm(repo, { recursive: true, force: true }));

  it("passes when the spec is unchanged since the last release", async () => {
    expect(await check()).toMatchObject({
      code: 0,
      output: expect.stringContaining("spec unchanged since the last release"),
    });
  });

  it("fails when the spec changed (uncommitted) without a changeset", async () => {
    await writeFile(join(repo, "specs/openapi.yaml"), "openapi: 3.1.0\ninfo: {}\n");
    expect(await check()).toMatchObject({ code: 1, output: expect.stringContaining("there is no changeset") });
  });

  it("fails when the spec change is committed without a changeset", async () => {
    await git("commit", "-qam", "spec edit");
    expect(await check()).toMatchObject({
      code: 1,
      output: expect.stringContaining("specs/openapi.yaml changed since the last release"),
    });
  });

  it("passes once a changeset is there", async () => {
    await writeFile(join(repo, ".changeset/spec.md"), '---\n"@sfmc-contacts/types": minor\n---\n\nSpec edit.\n');
    expect(await check()).toMatchObject({ code: 0, output: expect.stringContaining("pending changeset(s) cover it") });
  });

  it("passes again after the next release consumed the changeset", async () => {
    await rm(join(repo, ".changeset/spec.md"));
    await version("0.3.0");
    await git("add", "-A");
    await git("commit", "-qm", "Version packages");
    expect((await check()).code).toBe(0);
  });
});
