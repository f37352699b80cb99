import { readdir, readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";

// The mocks' browser worker and edge runtimes load this package: no Node.js built-ins, and no
// runtime dependency beyond the types-only @sfmc-contacts/types.
describe("runtime neutral", () => {
  it("imports no node: module and nothing at runtime but its own files", async () => {
    const dir = new URL("../src/", import.meta.url);
    const files = (await readdir(dir)).filter((name) => name.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(0);
    for (const name of files) {
      const text = await readFile(new URL(name, dir), "utf8");
      const specifiers = [...text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+"([^"]+)"/gm)]
        .filter((match) => match[2] === undefined)
        .map((match) => match[3] ?? "");
      expect(
        specifiers.filter((specifier) => !specifier.startsWith("./")),
        name,
      ).toEqual([]);
    }
  });
});
