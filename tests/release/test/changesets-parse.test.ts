/**
 * Every changeset in .changeset/ is one that `changeset version` can read: a front matter of
 * `"package": bump` lines naming published packages. A formatter once turned front matter into
 * `## "pkg": patch` headings, which changesets cannot read at all.
 */
import { readdir, readFile } from "node:fs/promises";
import parse from "@changesets/parse";
import { describe, expect, it } from "vitest";

const dir = new URL("../../../.changeset/", import.meta.url);
const published = async () => {
  const names = new Set<string>();
  for (const entry of await readdir(new URL("../../../packages/", import.meta.url))) {
    const manifest = JSON.parse(
      await readFile(new URL(`../../../packages/${entry}/package.json`, import.meta.url), "utf8"),
    ) as { name: string; private?: boolean };
    if (!manifest.private) names.add(manifest.name);
  }
  return names;
};

describe("changesets", () => {
  it("each names at least one published package with a bump, and a summary", async () => {
    const files = (await readdir(dir)).filter((f) => f.endsWith(".md") && f !== "README.md");
    expect(files.length).toBeGreaterThan(0);
    const names = await published();
    for (const file of files) {
      const changeset = parse(await readFile(new URL(file, dir), "utf8"));
      expect(changeset.releases.length, file).toBeGreaterThan(0);
      for (const release of changeset.releases) {
        expect(names.has(release.name), `${file}: ${release.name}`).toBe(true);
        expect(["major", "minor", "patch"], file).toContain(release.type);
      }
      expect(changeset.summary.trim().length, file).toBeGreaterThan(0);
    }
  });

  it("a heading where the front matter should be is caught", () => {
    expect(() => parse('---\n\n## "@sfmc-contacts/core": patch\n\nText.\n')).toThrow(/frontmatter/);
  });
});
