import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const PUBLISHED = ["types", "rules", "mocks", "core", "client-browser", "client-node", "proxy", "cli", "spec"];
// What a package ships beyond its modules: @sfmc-contacts/spec is data for tools in any language,
// the OpenAPI document (JSON and YAML) and the JSON Schemas, each JSON file with its types.
const DATA_FILES: Record<string, RegExp> = {
  spec: /^dist\/(openapi\.yaml|(openapi|schemas\/[^/]+\.schema)\.json(\.d\.cts)?)$/,
};

interface DryRun {
  files: Array<{ path: string }>;
}

describe("npm publish --dry-run lists only what is meant to ship", () => {
  it.each(PUBLISHED)("@sfmc-contacts/%s: dist, README, LICENSE and package.json, nothing else", async (name) => {
    const data = DATA_FILES[name];
    const dir = join(repoRoot, "packages", name);
    const { stdout } = await run("npm", ["publish", "--dry-run", "--json", "--ignore-scripts"], { cwd: dir });
    const report = Object.values(JSON.parse(stdout) as Record<string, DryRun>)[0] ?? (JSON.parse(stdout) as DryRun);
    const files = report.files.map((f) => f.path).sort();
    const unexpected = files.filter(
      (file) =>
        !/^(LICENSE|README\.md|CHANGELOG\.md|package\.json)$/.test(file) &&
        !/^dist\/[^/]+\.(mjs|cjs|d\.mts|d\.cts)$/.test(file) &&
        !data?.test(file),
    );
    expect(unexpected).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json"]));
    // Every file the exports map and the bin name is in the package.
    const manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as {
      exports: Record<string, unknown>;
      bin?: Record<string, string>;
    };
    const targets = JSON.stringify(manifest.exports).match(/\.\/dist\/[^"]+/g) ?? [];
    for (const target of [...targets, ...Object.values(manifest.bin ?? {})]) {
      const path = target.replace(/^\.\//, "");
      if (!path.includes("*")) {
        expect(files).toContain(path);
        continue;
      }
      // A subpath pattern ("./schemas/*.json") must match at least one shipped file.
      const pattern = new RegExp(
        `^${path
          .split("*")
          .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
          .join(".+")}$`,
      );
      expect(
        files.filter((file) => pattern.test(file)),
        path,
      ).not.toEqual([]);
    }
  });
});

describe("runtime dependencies take ranges, so apps do not get duplicate copies", () => {
  it.each(PUBLISHED)("@sfmc-contacts/%s: every dependency is a caret range or a workspace range", async (name) => {
    const manifest = JSON.parse(await readFile(join(repoRoot, "packages", name, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
    };
    const pinned = Object.entries({ ...manifest.dependencies, ...manifest.peerDependencies }).filter(
      ([, range]) => !/^(\^\d|workspace:\^$)/.test(range) && !/^\^\d[^|]*( \|\| \^\d[^|]*)*$/.test(range),
    );
    // Exact pins belong in devDependencies and the lockfile; a pin here would make npm install a
    // second copy next to the app's own (a second undici, a second openapi-fetch).
    expect(pinned).toEqual([]);
  });
});
