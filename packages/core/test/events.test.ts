/**
 * Issue 10, point 9: a failing onEvent listener, sync or async, never crashes the process (no
 * unhandled rejection) and never changes what the client does; its failure is reported once.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { emit } from "../src/events.js";
import type { ContactsEvent } from "../src/index.js";
import { establishCalls, makeClient, useMock } from "./support.js";

const { mock } = useMock();

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

/** A few turns of the event loop: a failure is told by code loaded on first use (failure.ts). */
async function turns(): Promise<void> {
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
}

// Loaded once here, so each test's report arrives within a few turns.
beforeAll(() => import("../src/failure.js"));

afterEach(async () => {
  await turns();
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
    await turns();
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

/**
 * Review defect 2: the report of a failure built its message with `${error}`, which throws for a
 * null-prototype object, a Symbol, or an object whose toString throws: the report itself then
 * became an unhandled rejection (async listener) or escaped emit (sync listener) and changed what
 * the client did (the attempt failed and was retried as a network error).
 */
describe("a listener that throws what has no text form", () => {
  const unprintable: Array<[string, () => unknown]> = [
    ["a null-prototype object", () => Object.create(null)],
    ["a Symbol", () => Symbol("listener")],
    [
      "an object whose toString throws",
      () => ({
        toString() {
          throw new Error("toString fails");
        },
      }),
    ],
  ];

  it.each(unprintable)("%s, sync or async: contained, no unhandled rejection, one warning", async (_, thrown) => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const sync = () => {
      throw thrown();
    };
    const async = async () => {
      throw thrown();
    };
    // A thenable that rejects synchronously, inside then(): the report runs inside emit's call.
    const thenable = (() => ({
      // biome-ignore lint/suspicious/noThenProperty: the point of the test
      then(_resolve: unknown, reject: (reason: unknown) => void) {
        reject(thrown());
      },
    })) as unknown as () => void;
    const event: ContactsEvent = { type: "retry", attempt: 1, delayMs: 1, reason: "test" };
    const unhandled = await unhandledDuring(async () => {
      for (const listener of [sync, async, thenable]) {
        expect(() => emit(listener, event)).not.toThrow();
        expect(() => emit(listener, event)).not.toThrow();
      }
    });
    expect(unhandled).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(3);
  });

  it("a warning that throws, or a listener that is not a function, never escapes emit", async () => {
    vi.spyOn(process, "emitWarning").mockImplementation(() => {
      throw new Error("warnings are broken");
    });
    const event: ContactsEvent = { type: "error", error: new Error("x") };
    const unhandled = await unhandledDuring(async () => {
      expect(() =>
        emit(() => {
          throw new Error("fails");
        }, event),
      ).not.toThrow();
      expect(() => emit("not a function" as unknown as () => void, event)).not.toThrow();
    });
    expect(unhandled).toEqual([]);
  });

  it.each(unprintable)("%s on every event: establish makes one request, no retry, and succeeds", async (_, thrown) => {
    vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const seen: string[] = [];
    const client = makeClient({
      onEvent: (event) => {
        seen.push(event.type);
        throw thrown();
      },
    });
    const unhandled = await unhandledDuring(async () => {
      const result = await client.establish(["Key1"]);
      expect(result.contacts.map((c) => c.key)).toEqual(["Key1"]);
    });
    expect(unhandled).toEqual([]);
    expect(seen).toEqual(["request", "response"]);
    expect(establishCalls(mock)).toHaveLength(1);
  });
});
