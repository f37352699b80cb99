import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { throttledMessage } from "../src/main.js";
import { createProgress, pauseText, progressLine, throttleSummary, throttleText } from "../src/progress.js";

// Issue 15, point 6: the progress line shows the current concurrency and "throttled, resuming in
// Ns"; the summary says how many requests were throttled; a throttled stop says what to do.
describe("progress text under throttling", () => {
  const now = 1_000_000;

  it("the line shows concurrency now/ceiling, and the pause while the run waits", () => {
    const state = { processed: 1200, failed: 0, concurrency: 4, ceiling: 16, throttled: 3 };
    expect(progressLine(state, 12_000, 380, now)).toBe(
      "progress: 1200/12000 keys (10%), 380 keys/s, ETA 29s, 0 failed, concurrency 4/16",
    );
    expect(progressLine({ ...state, resumeAt: now + 2_100 }, 12_000, 380, now)).toBe(
      "progress: 1200/12000 keys (10%), 380 keys/s, ETA 29s, 0 failed, concurrency 4/16, throttled, resuming in 3s",
    );
  });

  it("resuming in whole seconds rounded up, at least 1s; nothing once the pause is over", () => {
    const state = { processed: 0, failed: 0, concurrency: 8, ceiling: 16 };
    expect(pauseText({ ...state, resumeAt: now + 1 }, now)).toBe(", throttled, resuming in 1s");
    expect(pauseText({ ...state, resumeAt: now + 1000 }, now)).toBe(", throttled, resuming in 1s");
    expect(pauseText({ ...state, resumeAt: now + 1001 }, now)).toBe(", throttled, resuming in 2s");
    expect(pauseText({ ...state, resumeAt: now }, now)).toBe("");
    expect(pauseText({ ...state, resumeAt: now - 5 }, now)).toBe("");
    expect(throttleText({ ...state, resumeAt: now + 500 }, now, " | ")).toBe(
      "concurrency 8/16 | throttled, resuming in 1s",
    );
  });

  it("a core that reports no concurrency: the line is as before", () => {
    expect(progressLine({ processed: 3, failed: 1 }, undefined, 2, now)).toBe("progress: 3 keys, 2 keys/s, 1 failed");
  });

  it("the summary counts the throttled requests and the time paused", () => {
    expect(throttleSummary(0, 0)).toBe("");
    expect(throttleSummary(3, 2_400)).toBe(
      " Marketing Cloud throttled 3 requests (HTTP 429/503); the run paused 2s in all.",
    );
    expect(throttleSummary(1, undefined)).toBe(" Marketing Cloud throttled 1 request (HTTP 429/503).");
    expect(throttleSummary(2, 0)).toBe(" Marketing Cloud throttled 2 requests (HTTP 429/503).");
  });

  it("a throttled stop names 50200 or the Retry-After, and how to go on", () => {
    const blocked = throttledMessage({ code: "CONTACTS_THROTTLED", errorcode: 50200 }, { out: "r.ndjson" });
    expect(blocked).toContain("errorcode 50200");
    expect(blocked).toContain("NOT_SENT");
    expect(blocked).toContain("--resume r.ndjson");
    const long = throttledMessage(
      { code: "CONTACTS_THROTTLED", errorcode: 50100, retryAfter: 600 },
      { failed: "f.txt" },
    );
    expect(long).toContain("600 seconds (Retry-After, errorcode 50100)");
    expect(long).toContain("f.txt");
    expect(long).toContain("--resume");
    // Each stop says its own cause (the run's error names it in stoppedBy).
    expect(
      throttledMessage({ code: "CONTACTS_THROTTLED", stoppedBy: "no-progress", retryAfter: 1, errorcode: 50100 }, {}),
    ).toMatch(
      /^Marketing Cloud throttled every request for 5 minutes with no batch established \(HTTP 429, errorcode 50100\)\./,
    );
    expect(throttledMessage({ code: "CONTACTS_THROTTLED", stoppedBy: "gate", retryAfter: 400 }, {})).toMatch(
      /^Marketing Cloud's rate limit paused requests of these credentials for 400 seconds more \(a pause another client in this process started\)/,
    );
    expect(throttledMessage({ code: "CONTACTS_THROTTLED" }, {}, "keys.txt:12")).toContain(
      "read through keys.txt:12; nothing after it was read",
    );
    expect(throttledMessage({ code: "CONTACTS_THROTTLED" }, {})).toContain("--resume");
  });
});

describe("the paused display", () => {
  afterEach(() => vi.useRealTimers());

  it("lines: while paused, a line every interval counts down though no batch settles; it stops after", () => {
    vi.useFakeTimers({ now: 0 });
    const stream = new PassThrough();
    const written: string[] = [];
    stream.on("data", (chunk) => written.push(String(chunk)));
    const progress = createProgress({ stream, total: 100, quiet: false, intervalMs: 1000 });
    vi.setSystemTime(1000);
    progress.update({ processed: 50, failed: 0, concurrency: 8, ceiling: 16, throttled: 1, resumeAt: 4000 });
    vi.advanceTimersByTime(1000);
    vi.advanceTimersByTime(1000);
    vi.advanceTimersByTime(5000);
    progress.stop();
    const lines = written.join("").trim().split("\n");
    expect(lines.map((line) => line.replace(/^.*failed, /, ""))).toEqual([
      "concurrency 8/16, throttled, resuming in 3s",
      "concurrency 8/16, throttled, resuming in 2s",
      "concurrency 8/16, throttled, resuming in 1s",
      "concurrency 8/16",
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
