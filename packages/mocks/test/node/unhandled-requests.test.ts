/**
 * Unhandled requests (issue 13 point 3): msw 3 renamed `onUnhandledRequest` to `onUnhandledFrame`
 * and each major silently ignores the other name, so a recipe for one let unmocked requests reach
 * the real network under the other. setupContactsServer's `listen()` fails them by default and
 * takes either name. This suite runs msw 2 (the repository's); the consumer matrix runs msw 3.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { setupContactsServer } from "../../src/node.js";
import { failUnhandled, isUnderBases, type UnhandledKeys, withUnhandledOption } from "../../src/unhandled-requests.js";

/** A real server on loopback, standing for "the network": reaching it means msw let the request through. */
let network: Server;
let networkUrl: string;
beforeAll(async () => {
  network = createServer((_, response) => response.end("the real network"));
  await new Promise<void>((resolve) => network.listen(0, "127.0.0.1", resolve));
  networkUrl = `http://127.0.0.1:${(network.address() as AddressInfo).port}/not-mocked`;
});
afterAll(() => new Promise<void>((resolve) => network.close(() => resolve())));

/** Whether an unhandled request reached the network under these listen() arguments. */
async function reachesNetwork(...args: Parameters<ReturnType<typeof setupContactsServer>["server"]["listen"]>) {
  const { server } = setupContactsServer({ seed: 1 });
  const printed = vi.spyOn(console, "error").mockImplementation(() => {});
  const warned = vi.spyOn(console, "warn").mockImplementation(() => {});
  server.listen(...args);
  try {
    const response = await fetch(networkUrl).then(
      (r) => r.text(),
      (error: unknown) => error,
    );
    return { reached: response === "the real network", printed: printed.mock.calls.flat().join(" ") };
  } finally {
    server.close();
    printed.mockRestore();
    warned.mockRestore();
  }
}

describe("setupContactsServer's listen()", () => {
  it("fails an unhandled request by default, with msw's message", async () => {
    const { reached, printed } = await reachesNetwork();
    expect(reached).toBe(false);
    expect(printed).toContain("without a matching request handler");
  });

  it('takes msw 3\'s name under msw 2: onUnhandledFrame: "error" fails it', async () => {
    expect((await reachesNetwork({ onUnhandledFrame: "error" })).reached).toBe(false);
  });

  it("lets it through when asked, under either name", async () => {
    expect((await reachesNetwork({ onUnhandledRequest: "bypass" })).reached).toBe(true);
    expect((await reachesNetwork({ onUnhandledFrame: "bypass" })).reached).toBe(true);
    expect((await reachesNetwork({ onUnhandledRequest: "warn" })).reached).toBe(true);
  });

  it("passes msw 2's callback on as it is", async () => {
    const seen: string[] = [];
    const { reached } = await reachesNetwork({ onUnhandledRequest: (request) => void seen.push(request.url) });
    expect(reached).toBe(true);
    expect(seen).toEqual([networkUrl]);
  });
});

describe("withUnhandledOption", () => {
  const fallback = { onUnhandledRequest: "error", onUnhandledFrame: "error" } as const;

  it("fills both names with the fallback when neither is given, keeping the other options", () => {
    expect(withUnhandledOption(undefined, fallback)).toEqual(fallback);
    expect(withUnhandledOption<{ quiet?: boolean } & UnhandledKeys>({ quiet: true }, fallback)).toEqual({
      quiet: true,
      ...fallback,
    });
  });

  it("copies a named strategy to the other name", () => {
    expect(withUnhandledOption({ onUnhandledRequest: "warn" }, fallback)).toEqual({
      onUnhandledRequest: "warn",
      onUnhandledFrame: "warn",
    });
    expect(withUnhandledOption({ onUnhandledFrame: "bypass" }, fallback)).toEqual({
      onUnhandledRequest: "bypass",
      onUnhandledFrame: "bypass",
    });
  });

  it("passes a callback, or both names, as given", () => {
    const callback = () => {};
    expect(withUnhandledOption({ onUnhandledFrame: callback }, fallback)).toEqual({ onUnhandledFrame: callback });
    expect(withUnhandledOption({ onUnhandledRequest: "warn", onUnhandledFrame: "error" }, fallback)).toEqual({
      onUnhandledRequest: "warn",
      onUnhandledFrame: "error",
    });
  });
});

describe("the worker's default: fail the mock's own routes, let the page's other requests through", () => {
  const owned = isUnderBases(
    ["https://*.rest.marketingcloudapis.com", "https://*.auth.marketingcloudapis.com", "/api/sfmc"],
    "http://localhost:5173",
  );

  it("owns Marketing Cloud hosts and what is under a base", () => {
    expect(owned("https://t.rest.marketingcloudapis.com/contacts/v1/establish")).toBe(true);
    expect(owned("https://t.auth.marketingcloudapis.com/v2/other?x=1")).toBe(true);
    expect(owned("https://t.soap.marketingcloudapis.com/Service.asmx")).toBe(true);
    expect(owned("http://localhost:5173/api/sfmc/contacts/v1/establish")).toBe(true);
    expect(owned("http://localhost:5173/api/sfmc")).toBe(true);
  });

  it("does not own the page's modules, other paths, or lookalike hosts", () => {
    expect(owned("http://localhost:5173/src/app.ts?import")).toBe(false);
    expect(owned("http://localhost:5173/api/sfmcx/contacts")).toBe(false);
    expect(owned("http://localhost:9999/api/sfmc/contacts")).toBe(false);
    expect(owned("https://evil.example/t.rest.marketingcloudapis.com/contacts/v1/establish")).toBe(false);
    expect(owned("https://t.rest.marketingcloudapis.com.evil.example/contacts/v1/establish")).toBe(false);
    expect(owned("not a url")).toBe(false);
  });

  it("an absolute base", () => {
    const proxy = isUnderBases(["http://localhost:3000/api/sfmc"], undefined);
    expect(proxy("http://localhost:3000/api/sfmc/v2/token")).toBe(true);
    expect(proxy("http://localhost:3000/api/other")).toBe(false);
  });

  const request = (url: string) => new Request(url, { method: "POST" });

  it("msw 2: print.error() prints msw's message, and the callback throws to fail the request, for owned URLs only", () => {
    const { onUnhandledRequest } = failUnhandled(owned) as {
      onUnhandledRequest: (request: Request, print: { error(): void }) => void;
    };
    const error = vi.fn();
    onUnhandledRequest(request("http://localhost:5173/src/app.ts"), { error });
    expect(error).not.toHaveBeenCalled();
    expect(() =>
      onUnhandledRequest(request("http://localhost:5173/api/sfmc/contacts/v1/establish"), { error }),
    ).toThrow(/no handler answered POST http:\/\/localhost:5173\/api\/sfmc\/contacts\/v1\/establish/);
    expect(error).toHaveBeenCalledTimes(1);
  });

  it("msw 3: defaults.error() prints, and the callback throws to fail the frame, for owned URLs only", async () => {
    const { onUnhandledFrame } = failUnhandled(owned) as {
      onUnhandledFrame: (args: { frame: object; defaults: { error(): void } }) => Promise<void>;
    };
    const error = vi.fn();
    const frame = (url: string) => ({ protocol: "http", data: { request: request(url) } });
    await expect(
      onUnhandledFrame({ frame: frame("http://localhost:5173/src/app.ts"), defaults: { error } }),
    ).resolves.toBe(undefined);
    await expect(onUnhandledFrame({ frame: { protocol: "ws", data: {} }, defaults: { error } })).resolves.toBe(
      undefined,
    );
    expect(error).not.toHaveBeenCalled();
    await expect(
      onUnhandledFrame({ frame: frame("https://t.rest.marketingcloudapis.com/contacts/v1/x"), defaults: { error } }),
    ).rejects.toThrow(/no handler answered POST https:\/\/t\.rest\.marketingcloudapis\.com\/contacts\/v1\/x/);
    expect(error).toHaveBeenCalledTimes(1);
  });
});
