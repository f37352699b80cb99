/**
 * Issue 10, point 9: a failing onEvent listener, sync or async, never crashes the process (no
 * unhandled rejection) and never changes what the client does; its failure is reported once.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { emit } from "../src/events.js";
import type { ContactsEvent } from "../src/index.js";
import { makeClient, useMock } from "./support.js";

useMock();

/** Collects unhandled rejections while `run` goes, and for a few turns of the event loop after. */
async function unhandledDuring(run: () => Promise<unknown>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const watch = (reason: unknown) => seen.push(reason);
  process.on("unhandledRejection", watch);
  try {
    await run();
    // Node reports an unhandled rejection after the microtask queue drains: give it a few turns.
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off("unhandledRejection", watch);
  }
  return seen;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a listener that fails", () => {
  it("async and rejecting: no unhandled rejection, the call succeeds, one warning for many failures", async () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    let calls = 0;
    const listener = async () => {
      calls++;
      throw new Error("logging backend down");
    };
    const client = makeClient({ onEvent: listener });
    const unhandled = await unhandledDuring(async () => {
      const first = await client.establish(["Key1"]);
      const second = await client.establish(["Key2"]);
      expect([first.contacts.length, second.contacts.length]).toEqual([1, 1]);
    });
    expect(unhandled).toEqual([]);
    expect(calls).toBeGreaterThanOrEqual(4);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain("logging backend down");
  });

  it("sync and throwing: contained, one warning per listener", async () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const a = () => {
      throw new Error("a fails");
    };
    const b = () => {
      throw new Error("b fails");
    };
    const event: ContactsEvent = { type: "retry", attempt: 1, delayMs: 1, reason: "test" };
    for (let i = 0; i < 3; i++) {
      emit(a, event);
      emit(b, event);
    }
    expect(warn.mock.calls.map((call) => String(call[0]))).toEqual([
      expect.stringContaining("a fails"),
      expect.stringContaining("b fails"),
    ]);
  });

  it("falls back to console.warn where there is no process.emitWarning (browsers)", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const emitWarning = process.emitWarning;
    // biome-ignore lint/suspicious/noExplicitAny: removing a Node API for one call, restored below
    (process as any).emitWarning = undefined;
    try {
      const unhandled = await unhandledDuring(async () => {
        emit(async () => Promise.reject(new Error("rejected")), { type: "error", error: new Error("x") });
      });
      expect(unhandled).toEqual([]);
    } finally {
      process.emitWarning = emitWarning;
    }
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain("rejected");
  });

  it("a listener that returns a thenable whose then throws is contained too", async () => {
    vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const odd = (() => ({
      // biome-ignore lint/suspicious/noThenProperty: the point of the test
      then() {
        throw new Error("odd then");
      },
    })) as unknown as () => void;
    expect(() => emit(odd, { type: "error", error: new Error("x") })).not.toThrow();
  });
});
