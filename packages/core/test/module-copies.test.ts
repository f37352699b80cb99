/**
 * Issue 10, point 16: `instanceof` on the error classes works across two copies of this package
 * in one process, as when an app loads dist/index.cjs through `require` and dist/index.mjs
 * through `import` (the dual-package hazard); `isContactsError` does the same as a function.
 *
 * This test reads the built package: `turbo run test` builds it first (test -> typecheck -> build);
 * run alone, build it with `pnpm --filter @sfmc-contacts/core build`.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type * as source from "../src/index.js";

type Package = typeof source;

const cjsPath = fileURLToPath(new URL("../dist/index.cjs", import.meta.url));
const esmPath = fileURLToPath(new URL("../dist/index.mjs", import.meta.url));

let cjs: Package;
let esm: Package;
beforeAll(async () => {
  if (!existsSync(cjsPath) || !existsSync(esmPath)) {
    throw new Error("dist/ is missing: run `pnpm --filter @sfmc-contacts/core build` first");
  }
  cjs = createRequire(import.meta.url)(cjsPath) as Package;
  esm = (await import(pathToFileURL(esmPath).href)) as Package;
});

/** One error of each class, made by one copy. */
const errorsOf = (copy: Package) => ({
  ContactsApiError: new copy.ContactsApiError("x", { status: 429 }),
  ContactsAuthError: new copy.ContactsAuthError("x", { status: 401, error: "invalid_client" }),
  ContactsValidationError: new copy.ContactsValidationError("x", { reason: "x" }),
  ContactsTimeoutError: new copy.ContactsTimeoutError(5),
  ContactsNetworkError: new copy.ContactsNetworkError(new TypeError("fetch failed")),
});
const classes = [
  "ContactsApiError",
  "ContactsAuthError",
  "ContactsValidationError",
  "ContactsTimeoutError",
  "ContactsNetworkError",
] as const;

describe("two copies of core (CommonJS and ESM) in one process", () => {
  it("are two copies: their classes differ", () => {
    expect(cjs.ContactsApiError).not.toBe(esm.ContactsApiError);
  });

  describe.each([
    ["made by the CommonJS copy, checked by the ESM copy", () => [cjs, esm] as const],
    ["made by the ESM copy, checked by the CommonJS copy", () => [esm, cjs] as const],
  ])("an error %s", (_, copies) => {
    it.each(classes)("%s is an instance of its class and of ContactsError, of no other class", (name) => {
      const [maker, checker] = copies();
      const error = errorsOf(maker)[name];
      expect(error instanceof checker[name]).toBe(true);
      expect(error instanceof checker.ContactsError).toBe(true);
      for (const other of classes.filter((c) => c !== name)) expect(error instanceof checker[other]).toBe(false);
      expect(checker.isContactsError(error)).toBe(true);
    });
  });

  it("other values are not contacts errors, in either copy", () => {
    for (const copy of [cjs, esm]) {
      for (const value of [
        new Error("x"),
        new TypeError("x"),
        { code: "CONTACTS_API_ERROR" },
        null,
        undefined,
        1,
        "x",
      ]) {
        expect(value instanceof copy.ContactsError).toBe(false);
        expect(value instanceof copy.ContactsApiError).toBe(false);
        expect(copy.isContactsError(value)).toBe(false);
      }
    }
  });

  it("an app's own subclass is checked the ordinary way", () => {
    class RateLimited extends esm.ContactsApiError {}
    const mine = new RateLimited("x", { status: 429 });
    expect(mine instanceof RateLimited).toBe(true);
    expect(mine instanceof cjs.ContactsApiError).toBe(true);
    expect(new esm.ContactsApiError("x", { status: 429 }) instanceof RateLimited).toBe(false);
    expect(new cjs.ContactsApiError("x", { status: 429 }) instanceof RateLimited).toBe(false);
  });
});
