/**
 * Issue 14, point 4: on the undici transport an attempt's controller is an AttemptAbort, not an
 * AbortController (in Node 20 each AbortSignal costs more to make than the rest of an attempt).
 * It must behave as an AbortController does for everything that sees it (core's pipeline, the
 * token manager's wait, undici's dispatch), and the client must still honour every time limit
 * and abort with it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { answerEstablish, type Loopback, startLoopback } from "../../../tests/support/loopback.js";
import { AttemptAbort } from "../src/attempt-abort.js";
import { ContactsTimeoutError, clearTokenCache, createContactsClient, type NodeClientOptions } from "../src/index.js";

interface Controller {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
}

describe.each([
  ["AbortController (the reference)", () => new AbortController() as Controller],
  ["AttemptAbort", () => new AttemptAbort() as unknown as Controller],
])("%s", (_name, make) => {
  it("aborts once: the first reason stays, listeners run once, in order", () => {
    const controller = make();
    const calls: string[] = [];
    controller.signal.addEventListener("abort", () => calls.push("first"));
    controller.signal.addEventListener("abort", () => calls.push("second"));
    expect(controller.signal.aborted).toBe(false);
    controller.abort("why");
    controller.abort("again");
    expect(controller.signal.aborted).toBe(true);
    expect(controller.signal.reason).toBe("why");
    expect(calls).toEqual(["first", "second"]);
  });

  it("without a reason, the reason is an AbortError DOMException", () => {
    const controller = make();
    controller.abort();
    expect(controller.signal.reason).toBeInstanceOf(DOMException);
    expect((controller.signal.reason as DOMException).name).toBe("AbortError");
  });

  it("a removed listener, a listener added twice, a listener added after the abort", () => {
    const controller = make();
    const calls: string[] = [];
    const removed = () => calls.push("removed");
    const twice = () => calls.push("twice");
    controller.signal.addEventListener("abort", removed);
    controller.signal.addEventListener("abort", twice);
    controller.signal.addEventListener("abort", twice);
    controller.signal.removeEventListener("abort", removed);
    controller.abort(new Error("time limit"));
    controller.signal.addEventListener("abort", () => calls.push("late"));
    expect(calls).toEqual(["twice"]);
  });

  it("throwIfAborted throws the reason once aborted", () => {
    const controller = make();
    expect(() => controller.signal.throwIfAborted()).not.toThrow();
    controller.abort(new Error("stop"));
    expect(() => controller.signal.throwIfAborted()).toThrow("stop");
  });
});

let service: Loopback;
let issueToken: Loopback["onToken"];
beforeAll(async () => {
  service = await startLoopback();
  issueToken = service.onToken;
});
afterEach(() => {
  service.onToken = issueToken;
  service.onEstablish = answerEstablish;
  vi.restoreAllMocks();
  clearTokenCache();
});
afterAll(() => service.close());

const clientFor = (options: Partial<NodeClientOptions>) =>
  createContactsClient({
    clientId: "id",
    clientSecret: "secret",
    authBaseUrl: service.url,
    baseUrl: service.url,
    retry: false,
    ...options,
  });

/** Counts AbortControllers made while `run` runs. */
async function abortControllersMadeBy(run: () => Promise<unknown>): Promise<number> {
  let made = 0;
  const Original = globalThis.AbortController;
  globalThis.AbortController = class extends Original {
    constructor() {
      super();
      made++;
    }
  };
  try {
    await run();
  } finally {
    globalThis.AbortController = Original;
  }
  return made;
}

describe("the client's attempts", () => {
  it("on the undici transport make no AbortController (the token already cached)", async () => {
    const client = clientFor({ transport: "undici" });
    await client.establish(["warm"]);
    expect(await abortControllersMadeBy(() => client.establish(["a", "b"]))).toBe(0);
    await client.close();
  });

  it("on the fetch transport make one each: fetch needs a real AbortSignal", async () => {
    const client = clientFor({ transport: "fetch" });
    await client.establish(["warm"]);
    // Ours, and the one Node's fetch makes inside for every Request.
    expect(await abortControllersMadeBy(() => client.establish(["a"]))).toBeGreaterThanOrEqual(1);
    await client.close();
  });

  it("on the undici transport, a call's time limit still ends its wait for a token request", async () => {
    // The token route never answers; its own limit is the client's 60 s. The call allows 300 ms.
    service.onToken = () => {};
    const client = clientFor({ transport: "undici", timeoutMs: 60_000 });
    const error = await client.establish(["a"], { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 300 });
    // Not awaited: close() waits for the token request, which only the server's close ends.
    void client.close();
  });

  it("on the undici transport, the call's signal aborts a request in flight with its reason", async () => {
    const client = clientFor({ transport: "undici" });
    await client.establish(["warm"]);
    service.onEstablish = () => {}; // never answers
    const caller = new AbortController();
    const call = client.establish(["a"], { signal: caller.signal });
    setTimeout(() => caller.abort(new Error("the caller gave up")), 50);
    await expect(call).rejects.toThrow("the caller gave up");
    await client.close();
  });
});
