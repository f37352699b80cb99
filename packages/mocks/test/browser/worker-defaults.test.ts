/**
 * setupContactsWorker's defaults in Chromium (issue 13 points 3 and 7): `start()` with no
 * unhandled-request option fails requests to the mock's own routes that nothing answers and lets
 * the page's other requests through (Vitest loads this very file through the page), under msw 2's
 * and msw 3's option names alike; `resetHandlers()` resets the mock.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { setupContactsWorker } from "../../src/browser.js";

const { worker, mock } = setupContactsWorker({ seed: 5, baseUrl: "/api/own", auth: false });

beforeAll(async () => {
  await worker.start({ quiet: true });
});
afterEach(() => worker.resetHandlers());
afterAll(() => worker.stop());

const establish = (key: string) =>
  fetch("/api/own/contacts/v1/establish", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ContactKeys: [key] }),
  });

describe("worker.start() without an unhandled-request option", () => {
  it("answers the mock's routes", async () => {
    expect((await establish("k")).status).toBe(200);
  });

  it("fails a request under the mock's base that no handler answers, with msw's message", async () => {
    const printed = vi.spyOn(console, "error").mockImplementation(() => {});
    const warned = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      // GET: the mock has no handler for it. Bypassed, the dev server would answer it (404). In a
      // browser, msw's "error" strategy answers 500 "Request Handler Error" (the same under msw 3).
      const response = await fetch("/api/own/contacts/v1/establish");
      expect([response.status, response.statusText]).toEqual([500, "Request Handler Error"]);
      expect(printed.mock.calls.flat().join(" ")).toContain("without a matching request handler");
    } finally {
      printed.mockRestore();
      warned.mockRestore();
    }
  });

  it("lets the page's other requests through, silently", async () => {
    const warned = vi.spyOn(console, "warn");
    const printed = vi.spyOn(console, "error");
    try {
      const response = await fetch("/not-a-mock-route.txt");
      expect(response.status).toBeGreaterThanOrEqual(200);
      expect([...warned.mock.calls, ...printed.mock.calls].flat().join(" ")).not.toContain("[MSW]");
    } finally {
      warned.mockRestore();
      printed.mockRestore();
    }
  });
});

describe("worker.resetHandlers()", () => {
  it("resets the mock: a key established before is new again", async () => {
    const isNew = async (key: string) =>
      ((await (await establish(key)).json()) as { items: Array<{ value: { isNewContact?: boolean } }> }).items[0]?.value
        .isNewContact;
    expect(await isNew("again")).toBe(true);
    expect(await isNew("again")).toBe(false);
    worker.resetHandlers();
    expect(mock.store.size).toBe(0);
    expect(await isNew("again")).toBe(true);
  });
});
