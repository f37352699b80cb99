/**
 * The Jest preset `@sfmc-contacts/mocks/jest` (src/jest, copied into dist): what Jest reads from it,
 * and its transformer run here as Jest runs it. Jest itself runs it from the packed tarball in the
 * consumer matrix (Jest 29 and 30, msw 2 and 3).
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
const packageDir = join(dirname(fileURLToPath(import.meta.url)), "../..");
const preset = require("../../src/jest/jest-preset.cjs") as {
  testEnvironment: string;
  transform: Record<string, string>;
  transformIgnorePatterns: string[];
};
interface Transformer {
  process(source: string, filename: string, options: object): { code: string };
  getCacheKey(source: string, filename: string, options: object): string;
}
const transformer = require("../../src/jest/jest-transform.cjs") as Transformer;
const jestOptions = { config: { rootDir: packageDir }, configString: "{}" };

/** What Jest does with a path: the first transform whose pattern matches, unless an ignore pattern matches. */
function transformerFor(path: string): string | undefined {
  if (preset.transformIgnorePatterns.some((pattern) => new RegExp(pattern).test(path))) return undefined;
  return Object.entries(preset.transform).find(([pattern]) => new RegExp(pattern).test(path))?.[1];
}

describe("the Jest preset", () => {
  it("runs tests in node (client-node's undici needs MessagePort) and TypeScript through ts-jest", () => {
    expect(preset.testEnvironment).toBe("node");
    for (const file of ["/app/test/a.test.ts", "/app/test/b.test.mts", "/app/jest.setup.ts", "/app/c.test.tsx"]) {
      expect(transformerFor(file)).toBe("ts-jest");
    }
  });

  it("compiles the ESM-only packages msw 2 and msw 3 load, on POSIX and Windows paths", () => {
    const own = require.resolve("../../src/jest/jest-transform.cjs");
    for (const file of [
      "/app/node_modules/rettime/build/index.mjs", // msw 2
      "/app/node_modules/until-async/lib/index.js", // msw 2
      "/app/node_modules/@open-draft/deferred-promise/build/index.mjs", // msw 2
      "/app/node_modules/msw/lib/node/index.js", // msw 3
      "/app/node_modules/@mswjs/interceptors/lib/node/index.mjs", // msw 3 (import.meta.url)
      "/app/node_modules/msw/node_modules/cookie/dist/index.js",
      "C:\\app\\node_modules\\rettime\\build\\index.mjs",
      // Ours too: client-browser's CommonJS build loads openapi-fetch with import(), which Jest's
      // CommonJS runtime cannot run unless it is compiled to require().
      "/app/node_modules/@sfmc-contacts/client-browser/dist/index.cjs",
      "/app/node_modules/@sfmc-contacts/mocks/dist/node.cjs",
      // pnpm's layout: the package sits under node_modules/.pnpm/<name>@<version>/node_modules/<name>.
      "/app/node_modules/.pnpm/msw@3.0.5/node_modules/msw/lib/node/index.js",
      "/app/node_modules/.pnpm/rettime@0.7.0/node_modules/rettime/build/index.mjs",
      "/app/node_modules/.pnpm/@mswjs+interceptors@0.45.0/node_modules/@mswjs/interceptors/lib/node/index.mjs",
      "C:\\app\\node_modules\\.pnpm\\msw@3.0.5\\node_modules\\msw\\lib\\node\\index.js",
    ]) {
      expect(transformerFor(file), file).toBe(own);
    }
  });

  it("leaves every other package alone", () => {
    for (const file of [
      "/app/node_modules/react/index.js",
      "/app/node_modules/msw-storybook-addon/dist/index.js",
      "/app/node_modules/undici/index.js",
      "/app/node_modules/.pnpm/undici@7.30.2/node_modules/undici/index.js",
      "/app/node_modules/.pnpm/react@19.0.0/node_modules/react/index.js",
      "C:\\app\\node_modules\\undici\\index.js",
    ]) {
      expect(transformerFor(file), file).toBeUndefined();
    }
  });
});

describe("the preset's transformer", () => {
  const filename = join(packageDir, "node_modules/some-esm/lib/index.mjs");
  const source = [
    'import { join } from "node:path";',
    "export const url = import.meta.url;",
    "export const file = import.meta.filename;",
    "export const dir = import.meta.dirname;",
    'export default join("a", "b");',
  ].join("\n");

  it("turns ESM into CommonJS, and import.meta into the file's own URL, path and folder", () => {
    const { code } = transformer.process(source, filename, jestOptions);
    const module = { exports: {} as Record<string, unknown> };
    new Function("require", "module", "exports", "__filename", "__dirname", code)(
      require,
      module,
      module.exports,
      filename,
      dirname(filename),
    );
    expect(module.exports).toMatchObject({
      url: pathToFileURL(filename).href,
      file: filename,
      dir: dirname(filename),
      default: join("a", "b"),
    });
    expect(code).not.toMatch(/import\.meta|^\s*(import|export)\s/m);
  });

  it("has a cache key that follows the source and the file", () => {
    const key = transformer.getCacheKey(source, filename, jestOptions);
    expect(transformer.getCacheKey(source, filename, jestOptions)).toBe(key);
    expect(transformer.getCacheKey(`${source}\n`, filename, jestOptions)).not.toBe(key);
    expect(transformer.getCacheKey(source, `${filename}.js`, jestOptions)).not.toBe(key);
  });
});

describe("the package exports the preset where Jest looks for it", () => {
  it('"./jest" and "./jest/jest-preset" (Jest resolves <preset>/jest-preset through the exports map)', async () => {
    const { default: manifest } = await import("../../package.json", { with: { type: "json" } });
    const exports = manifest.exports as Record<string, unknown>;
    for (const key of ["./jest", "./jest/jest-preset"]) {
      expect(exports[key]).toEqual({ types: "./dist/jest-preset.d.cts", default: "./dist/jest-preset.cjs" });
    }
  });
});
