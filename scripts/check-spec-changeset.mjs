#!/usr/bin/env node
// Fails when specs/ changed since the last release without a changeset: the spec is what
// @sfmc-contacts/types (and so every package) is generated from, so a spec change is a user-facing
// change. "The last release" is the last commit that changed the version of
// packages/types/package.json (what `changeset version` does), or the first commit.
//   node scripts/check-spec-changeset.mjs [repo-dir]
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const repo = process.argv[2] ?? process.cwd();
const git = (...args) => execFileSync("git", ["-C", repo, ...args], { encoding: "utf8" }).trim();

const versionCommits = git("log", "--format=%H", "-G", '"version":', "--", "packages/types/package.json")
  .split("\n")
  .filter(Boolean);
// The oldest of these added the file; only later ones are releases.
const release =
  versionCommits.length > 1 ? versionCommits[0] : git("rev-list", "--max-parents=0", "HEAD").split("\n").pop();
const committed = git("diff", "--name-only", `${release}..HEAD`, "--", "specs/openapi.yaml")
  .split("\n")
  .filter(Boolean);
const uncommitted = git("status", "--porcelain", "--", "specs/openapi.yaml").split("\n").filter(Boolean);
const changed = committed.length > 0 || uncommitted.length > 0;
const changesets = readdirSync(join(repo, ".changeset")).filter((file) => file.endsWith(".md") && file !== "README.md");

if (changed && changesets.length === 0) {
  console.error(
    `specs/openapi.yaml changed since the last release (${release.slice(0, 8)}) but there is no changeset. ` +
      "Run `pnpm changeset` (at least @sfmc-contacts/types) and commit it.",
  );
  process.exit(1);
}
console.log(
  changed
    ? `spec changed since ${release.slice(0, 8)}; ${changesets.length} pending changeset(s) cover it.`
    : `spec unchanged since the last release (${release.slice(0, 8)}).`,
);
