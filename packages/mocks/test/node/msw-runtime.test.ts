/**
 * msw 3 on Node 20 (issue 13 point 3): setupContactsServer says so up front, instead of every
 * mocked request failing with `fetch failed` and resetHandlers() with
 * `currentHandlers.intersection is not a function`.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { assertMswRuntime, installedMswMajor } from "../../src/msw-runtime.js";

const NODE_20 = { node: "20.20.2", withResolvers: false, setIntersection: false };
const NODE_22 = { node: "22.23.3", withResolvers: true, setIntersection: true };
const MESSAGE = "msw 3 needs Node 22+; use msw 2 on Node 20";

describe("assertMswRuntime", () => {
  it("throws for msw 3 without Promise.withResolvers or Set.prototype.intersection, naming the fix", () => {
    expect(() => assertMswRuntime(3, NODE_20)).toThrow(MESSAGE);
    expect(() => assertMswRuntime(3, { ...NODE_22, setIntersection: false })).toThrow(MESSAGE);
    expect(() => assertMswRuntime(3, { ...NODE_22, withResolvers: false })).toThrow(/This is Node 22\.23\.3/);
    expect(() => assertMswRuntime(4, NODE_20)).toThrow(Error);
  });

  it("lets msw 3 on Node 22+, msw 2 anywhere, and an unreadable msw version through", () => {
    expect(() => assertMswRuntime(3, NODE_22)).not.toThrow();
    expect(() => assertMswRuntime(2, NODE_20)).not.toThrow();
    expect(() => assertMswRuntime(undefined, NODE_20)).not.toThrow();
  });

  it("reads the major of the msw this package loads", async () => {
    const { default: manifest } = await import("msw/package.json", { with: { type: "json" } });
    expect(installedMswMajor()).toBe(Number(manifest.version.split(".")[0]));
  });
});

describe("setupContactsServer with msw 3 on a Node without its features", () => {
  const restore: Array<() => void> = [];
  afterEach(() => {
    for (const undo of restore.splice(0)) undo();
    vi.doUnmock("node:module");
    vi.resetModules();
  });

  /** Removes a property for this test (Node 22+ has it), and puts it back after. */
  function remove(target: object, key: string): void {
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    if (!descriptor) return;
    Reflect.deleteProperty(target, key);
    restore.push(() => Object.defineProperty(target, key, descriptor));
  }

  /** The node entry, loaded as if msw `version` were installed. */
  async function nodeEntryWithMsw(version: string) {
    vi.resetModules();
    vi.doMock("node:module", async (importOriginal) => {
      const actual = await importOriginal<typeof import("node:module")>();
      const createRequire = (from: string | URL) => {
        const real = actual.createRequire(from);
        return Object.assign((id: string) => (id === "msw/package.json" ? { version } : real(id)), real);
      };
      return { ...actual, createRequire, default: { ...actual, createRequire } };
    });
    return import("../../src/node.js");
  }

  it("throws before msw fails obscurely", async () => {
    remove(Promise, "withResolvers");
    remove(Set.prototype, "intersection");
    const { setupContactsServer } = await nodeEntryWithMsw("3.0.5");
    expect(() => setupContactsServer({ seed: 1 })).toThrow(MESSAGE);
  });

  it("does not throw for msw 2 on the same Node", async () => {
    remove(Promise, "withResolvers");
    remove(Set.prototype, "intersection");
    const { setupContactsServer } = await nodeEntryWithMsw("2.15.0");
    expect(() => setupContactsServer({ seed: 1 })).not.toThrow();
  });
});
