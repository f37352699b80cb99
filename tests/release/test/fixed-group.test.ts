import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const changesetBin = fileURLToPath(new URL("../node_modules/@changesets/cli/bin.js", import.meta.url));

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
}

/** Every workspace package manifest, as a path relative to the root. */
async function workspaceManifests(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const parent of ["packages", "tests"]) {
    for (const entry of await readdir(join(root, parent), { withFileTypes: true })) {
      if (entry.isDirectory()) found.push(join(parent, entry.name, "package.json"));
    }
  }
  return [...found, "specs/package.json"];
}

const readManifest = async (file: string): Promise<Manifest> => JSON.parse(await readFile(file, "utf8"));

describe("changesets: one fixed group for every published package", () => {
  let copy: string;
  let manifests: string[];
  let before: Map<string, string>;

  beforeAll(async () => {
    manifests = await workspaceManifests(repoRoot);
    before = new Map(
      await Promise.all(manifests.map(async (m) => [m, await readFile(join(repoRoot, m), "utf8")] as const)),
    );
    copy = await mkdtemp(join(tmpdir(), "sfmc-contacts-changesets-"));
    // The workspace's manifests and changesets config only: `changeset version` needs nothing else.
    for (const file of ["package.json", "pnpm-workspace.yaml", ".changeset/config.json", ...manifests]) {
      await mkdir(join(copy, file, ".."), { recursive: true });
      await cp(join(repoRoot, file), join(copy, file));
    }
    await symlink(join(repoRoot, "node_modules"), join(copy, "node_modules"), "dir");
  });

  afterAll(async () => {
    if (copy) await rm(copy, { recursive: true, force: true });
  });

  it("is configured: fixed @sfmc-contacts/*, base branch main, public access", async () => {
    const config = JSON.parse(await readFile(join(repoRoot, ".changeset/config.json"), "utf8"));
    expect(config.fixed).toEqual([["@sfmc-contacts/*"]]);
    expect(config.baseBranch).toBe("main");
    expect(config.access).toBe("public");
  });

  it("every @sfmc-contacts/* package is published and shares one version", async () => {
    const scoped = (await Promise.all(manifests.map((m) => readManifest(join(repoRoot, m))))).filter((m) =>
      m.name.startsWith("@sfmc-contacts/"),
    );
    expect(scoped.length).toBeGreaterThan(0);
    expect(scoped.filter((m) => m.private)).toEqual([]);
    expect(new Set(scoped.map((m) => m.version)).size).toBe(1);
  });

  it("one changeset on one package moves all of them to the same new version", async () => {
    const published = (
      await Promise.all(manifests.map(async (m) => [m, await readManifest(join(copy, m))] as const))
    ).filter(([, m]) => m.name.startsWith("@sfmc-contacts/"));
    const [first] = published;
    if (!first) throw new Error("no @sfmc-contacts/* package found");
    const current = first[1].version;
    // A second member of the group that the change does not touch, so the test proves the group
    // even while the workspace has few packages.
    await mkdir(join(copy, "packages/probe"), { recursive: true });
    await writeFile(
      join(copy, "packages/probe/package.json"),
      JSON.stringify({ name: "@sfmc-contacts/probe", version: current, license: "MIT" }),
    );
    await writeFile(
      join(copy, ".changeset/one-package.md"),
      `---\n"${first[1].name}": minor\n---\n\nA change to one package only.\n`,
    );

    await run(process.execPath, [changesetBin, "version"], { cwd: copy, env: { ...process.env, CI: "true" } });

    const [major, minor] = current.split(".").map(Number);
    const expected = major === 0 ? `0.${(minor ?? 0) + 1}.0` : `${major}.${(minor ?? 0) + 1}.0`;
    const after = await Promise.all(
      [...published.map(([m]) => m), "packages/probe/package.json"].map((m) => readManifest(join(copy, m))),
    );
    expect(after.map((m) => [m.name, m.version])).toEqual(after.map((m) => [m.name, expected]));
    // Private workspace packages are not part of the group and keep their version.
    for (const m of manifests.filter((m) => !published.some(([p]) => p === m))) {
      expect((await readManifest(join(copy, m))).version).toBe((await readManifest(join(repoRoot, m))).version);
    }
    // Every package of the group gets a changelog entry for the new version.
    for (const [manifest] of published) {
      const changelog = await readFile(join(copy, manifest.replace("package.json", "CHANGELOG.md")), "utf8");
      expect(changelog).toContain(`## ${expected}`);
    }
    const changelog = await readFile(join(copy, first[0].replace("package.json", "CHANGELOG.md")), "utf8");
    expect(changelog).toContain("A change to one package only.");
    expect(await readdir(join(copy, ".changeset"))).not.toContain("one-package.md");
  });

  it("leaves the repository untouched", async () => {
    for (const [m, text] of before) expect(await readFile(join(repoRoot, m), "utf8")).toBe(text);
    expect(await readdir(join(repoRoot, "packages"))).not.toContain("probe");
  });
});
