/**
 * Issue 11, point 16: `--mock` runs without msw, so msw need not be in the CLI's install. The CLI
 * runs with a module hook that refuses to resolve `msw` or `msw/*`: any import of msw on the way
 * (the mocks' msw entry, msw/node) fails the run. tests/consumers installs the packed CLI without
 * msw and checks the install's size.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { examples, refuseImports, runCli } from "./run-cli.js";

let dir: string;
let refuseMsw: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sfmc-contacts-no-msw-"));
  refuseMsw = await refuseImports(dir, "refuse-msw", /^msw($|\/)/, "msw was imported");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("--mock without msw", () => {
  it("the hook bites: importing the mocks' msw entry fails under it", async () => {
    // Without this, a hook that never ran would let the test below pass for nothing.
    const child = spawn(
      process.execPath,
      ["--import", refuseMsw, "--input-type=module", "-e", 'await import("@sfmc-contacts/mocks/node");'],
      { cwd: new URL("..", import.meta.url), stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain("msw was imported (msw/node");
  });

  it("establishes the sample CSV, with the same seeded ids, while msw cannot be imported", async () => {
    const csv = join(examples, "contacts.csv");
    const args = ["establish", "--mock", "--format", "ndjson", "--file", csv, "--column", "ContactKey"];
    const withoutMsw = await runCli(args, { nodeArgs: ["--import", refuseMsw] });
    expect(withoutMsw.stderr).not.toContain("msw was imported");
    expect(withoutMsw.code).toBe(0);
    expect(withoutMsw.stderr).toContain("Established 12 contacts: 11 new, 1 existing. 0 failed.");
    const rows = withoutMsw.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { key: string; contactId: number; isNew: boolean });
    expect(rows).toHaveLength(12);
    // The ids the seeded fake gave with msw: seed 1, the sample's order. The first key again on
    // the last row: the same contact, no longer new.
    expect(rows[0]).toMatchObject({ key: "CUST-0001842", contactId: 217936376, isNew: true });
    expect(rows[11]).toMatchObject({ key: "CUST-0001842", contactId: 217936376, isNew: false });
  });
});
