/**
 * Issue 16 point 3: `authorize(request)` is required (no open default); it allows with an
 * identity, or refuses with 401/403; a throw is a refusal; anything else fails closed with 401.
 * A refusal forwards nothing, and authorize never runs for requests the header checks refuse.
 */
import { ContactsValidationError } from "@sfmc-contacts/core";
import { describe, expect, it } from "vitest";
import { createContactsProxy } from "../../src/create-proxy.js";
import type { Authorize } from "../../src/options.js";
import { post, proxyWithFake, UPSTREAM } from "../support/fake-upstream.js";

describe("authorize is required", () => {
  it.each([
    ["missing", {}],
    ["null", { authorize: null }],
  ])("%s: a ContactsValidationError naming it, at creation", (_, options) => {
    const create = () => createContactsProxy({ upstream: UPSTREAM, ...options } as never);
    expect(create).toThrow(ContactsValidationError);
    expect(create).toThrow("authorize is required: the proxy has no open default");
  });

  it("not a function: refused at creation", () => {
    expect(() => createContactsProxy({ authorize: { identity: "x" } } as never)).toThrow(
      /authorize must be a function/,
    );
  });

  it("no options at all: refused at creation", () => {
    expect(() => createContactsProxy(undefined as never)).toThrow(ContactsValidationError);
  });
});

type Case = [string, Authorize<string>, number, string, string];

describe("decisions", () => {
  const thrown403 = Object.assign(new Error("forbidden by plan"), { status: 403 });
  const cases: Case[] = [
    ["{ status: 401 }", () => ({ status: 401 }), 401, "Not Authorized", "refused"],
    ["{ status: 403 }", () => ({ status: 403 }), 403, "Forbidden", "refused"],
    [
      "{ status: 403, message }",
      () => ({ status: 403, message: "Forbidden: no plan" }),
      403,
      "Forbidden: no plan",
      "refused",
    ],
    [
      "a throw",
      () => {
        throw new Error("db down at 10.0.0.5");
      },
      401,
      "Not Authorized",
      "threw",
    ],
    [
      "a rejection",
      async () => {
        throw new Error("db down");
      },
      401,
      "Not Authorized",
      "threw",
    ],
    [
      "a throw with status 403",
      () => {
        throw thrown403;
      },
      403,
      "Forbidden",
      "threw",
    ],
    [
      "a throw of a non-error",
      () => {
        throw "nope";
      },
      401,
      "Not Authorized",
      "threw",
    ],
    ["null", () => null as never, 401, "Not Authorized", "invalid-decision"],
    ["{}", () => ({}) as never, 401, "Not Authorized", "invalid-decision"],
    ["{ status: 500 }", () => ({ status: 500 }) as never, 401, "Not Authorized", "invalid-decision"],
    ["{ status: 200 }", () => ({ status: 200 }) as never, 401, "Not Authorized", "invalid-decision"],
    ["true", () => true as never, 401, "Not Authorized", "invalid-decision"],
    [
      "{ identity, status: 403 } (refusal wins)",
      () => ({ identity: "u", status: 403 }) as never,
      403,
      "Forbidden",
      "refused",
    ],
  ];

  it.each(cases)("%s: refused, nothing forwarded", async (_, authorize, status, message, reason) => {
    const { proxy, upstream, events } = proxyWithFake({ authorize });
    const response = await proxy(post());
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ errorcode: 0, message });
    expect(upstream.calls).toHaveLength(0);
    expect(upstream.made).toHaveLength(1); // made at creation from the given options, never used
    const decision = events.find((event) => (event as { type: string }).type === "decision");
    expect(decision).toMatchObject({ allowed: false, status, reason });
    expect(events.at(-1)).toMatchObject({
      type: "response",
      status,
      reason: status === 401 ? "unauthorized" : "forbidden",
    });
    // The thrown error goes into the decision event only, never to the caller.
    expect(JSON.stringify(await proxy(post()).then((r) => r.json()))).not.toContain("10.0.0.5");
  });

  it("allow: the identity goes into the decision and response events, and the request is forwarded", async () => {
    const { proxy, upstream, events } = proxyWithFake({ authorize: () => ({ identity: "user-7" }) });
    const response = await proxy(post());
    expect(response.status).toBe(200);
    expect(upstream.calls).toHaveLength(1);
    expect(events).toContainEqual(expect.objectContaining({ type: "decision", allowed: true, identity: "user-7" }));
    expect(events.at(-1)).toMatchObject({ type: "response", status: 200, identity: "user-7", keys: 1 });
  });

  // `{ identity: session?.userId }` with no session: a bug like that must refuse, not open the route.
  it.each([
    ["undefined", () => ({ identity: undefined })],
    ["null", () => ({ identity: null })],
    ["an inherited identity (a polluted prototype)", () => Object.create({ identity: "from-prototype" })],
    [
      "a status getter that throws",
      () =>
        ({
          get status(): number {
            throw new Error("getter");
          },
        }) as never,
    ],
  ])("an identity of %s refuses: 401 invalid-decision, nothing forwarded", async (_, authorize) => {
    const { proxy, upstream, events } = proxyWithFake({ authorize: authorize as Authorize<string> });
    const response = await proxy(post());
    expect(response.status).toBe(401);
    expect(upstream.calls).toHaveLength(0);
    expect(events).toContainEqual(
      expect.objectContaining({ type: "decision", allowed: false, reason: "invalid-decision" }),
    );
  });

  it("a thrown value whose status cannot be read: 401 threw, nothing forwarded", async () => {
    const thrown = {
      get status(): number {
        throw new Error("getter");
      },
    };
    const { proxy, upstream, events } = proxyWithFake({
      authorize: () => {
        throw thrown;
      },
    });
    const response = await proxy(post());
    expect(response.status).toBe(401);
    expect(upstream.calls).toHaveLength(0);
    expect(events).toContainEqual(expect.objectContaining({ type: "decision", allowed: false, reason: "threw" }));
  });

  it("an authorize that never settles: the caller hanging up ends the request (499), nothing forwarded", async () => {
    const controller = new AbortController();
    let called = false;
    const { proxy, upstream, events } = proxyWithFake({
      authorize: () => {
        called = true;
        return new Promise(() => {});
      },
    });
    const pending = proxy(post(undefined, { signal: controller.signal }));
    await expect.poll(() => called, { timeout: 30_000 }).toBe(true);
    controller.abort();
    const response = await pending;
    expect(response.status).toBe(499);
    expect(upstream.calls).toHaveLength(0);
    expect(events.at(-1)).toMatchObject({ type: "response", status: 499, reason: "client-closed" });
    expect(events.some((event) => (event as { type: string }).type === "decision")).toBe(false);
  });

  it("authorize that reads the body: 500, nothing forwarded, the cause in the event", async () => {
    const { proxy, upstream, events } = proxyWithFake({
      authorize: async (request) => {
        await request.text();
        return { identity: "u" };
      },
    });
    const response = await proxy(post());
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ message: "Internal Server Error" });
    expect(upstream.calls).toHaveLength(0);
    const last = events.at(-1) as { reason: string; error: Error };
    expect(last.reason).toBe("internal");
    expect(last.error.message).toMatch(/authorize read the request body/);
  });

  it("authorize is not called for requests the header checks refuse", async () => {
    let calls = 0;
    const { proxy } = proxyWithFake({
      authorize: () => {
        calls++;
        return { identity: "u" };
      },
      maxBodyBytes: 1024,
    });
    const url = "https://app.example.com/api/sfmc/contacts/v1/establish";
    await proxy(post(undefined, { url: "https://app.example.com/api/sfmc/v2/token" })); // 404
    await proxy(new Request(url, { method: "GET" })); // 405
    await proxy(new Request(url, { method: "OPTIONS" })); // 204
    await proxy(post(undefined, { headers: { origin: "https://evil.example" } })); // 403
    await proxy(post(undefined, { headers: { "content-type": "text/plain" } })); // 415
    await proxy(post(undefined, { headers: { "content-encoding": "gzip" } })); // 415
    await proxy(post("x".repeat(2000), { headers: { "content-length": "2000" } })); // 413 by Content-Length
    expect(calls).toBe(0);
    await proxy(post());
    expect(calls).toBe(1);
  });
});
