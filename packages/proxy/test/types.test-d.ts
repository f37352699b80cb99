/**
 * The public types: the identity generic flows from authorize into events; authorize is
 * required; the handler fits node:http and Express 5 (through toNodeListener), Hono
 * (`(c) => proxy(c.req.raw)`) and a Next.js route module's `export const POST` as it is.
 */
import { createServer } from "node:http";
import type { CanonicalEstablishRequest } from "@sfmc-contacts/rules";
import type { EstablishContactsRequestPascalCase } from "@sfmc-contacts/types";
import express from "express";
import { Hono } from "hono";
import { assertType, describe, expectTypeOf, it } from "vitest";
import {
  type ContactsProxy,
  type ContactsProxyOptions,
  createContactsProxy,
  type NodeListener,
  type ProxyEvent,
  toNodeListener,
} from "../src/index.js";

// A local copy of Next.js's route-handler signature (next itself is not installed).
type NextRouteHandler = (
  request: Request,
  context: { params: Promise<Record<string, string | string[]>> },
) => Response | Promise<Response>;

describe("types", () => {
  it("the identity of authorize reaches the events", () => {
    createContactsProxy({
      authorize: () => ({ identity: { id: "u", plan: "pro" as const } }),
      onEvent: (event) => {
        if (event.type === "decision" && event.allowed)
          expectTypeOf(event.identity).toEqualTypeOf<{ id: string; plan: "pro" }>();
        if (event.type === "response")
          expectTypeOf(event.identity).toEqualTypeOf<{ id: string; plan: "pro" } | undefined>();
      },
    });
    expectTypeOf<ProxyEvent<number>>().toHaveProperty("type");
  });

  it("the identity reaches the upstream and response events, and a wrong listener is refused", () => {
    createContactsProxy({
      authorize: async () => ({ identity: 42 }),
      onEvent: (event) => {
        if (event.type === "upstream") expectTypeOf(event.identity).toEqualTypeOf<number | undefined>();
        if (event.type === "response") expectTypeOf(event.identity).toEqualTypeOf<number | undefined>();
      },
    });
    createContactsProxy<number>({
      authorize: () => ({ identity: 42 }),
      // @ts-expect-error: the listener takes events of the declared identity (a number)
      onEvent: (_event: ProxyEvent<string>) => {},
    });
    createContactsProxy<{ id: string }>({
      // @ts-expect-error: the identity must be the declared one
      authorize: () => ({ identity: 1 }),
    });
  });

  it("authorize is required, and decisions have two shapes", () => {
    // @ts-expect-error: there is no open default
    createContactsProxy({});
    // @ts-expect-error: not even with every other option given
    createContactsProxy({ allowedOrigins: ["https://a.example"], basePath: "/x", onEvent: () => {} });
    createContactsProxy({ authorize: async () => ({ status: 403, message: "no" }) });
    // @ts-expect-error: 500 is not a refusal status
    createContactsProxy({ authorize: () => ({ status: 500 }) });
    assertType<ContactsProxyOptions<string>>({
      authorize: () => ({ identity: "a" }),
      allowedOrigins: ["https://a.example"],
    });
  });

  it("fits Express 5's routes and mounts, and Hono's handlers", () => {
    const proxy = createContactsProxy({ authorize: () => ({ identity: 1 }) });
    const app = express();
    app.post("/api/sfmc/*splat", toNodeListener(proxy));
    app.post("/api/sfmc/contacts/v1/establish", toNodeListener(proxy));
    app.use("/api/sfmc", toNodeListener(proxy));
    createServer(app);
    const hono = new Hono();
    hono.all("/api/sfmc/*", (c) => proxy(c.req.raw));
    hono.post("/api/sfmc/contacts/v1/establish", (c) => proxy(c.req.raw));
    // @ts-expect-error: the proxy takes a Request, not Hono's context
    hono.all("/api/sfmc/*", (c) => proxy(c));
  });

  it("fits node:http and a Next.js route module", () => {
    const proxy = createContactsProxy({ authorize: () => ({ identity: 1 }) });
    expectTypeOf(proxy).toMatchTypeOf<(request: Request) => Promise<Response>>();
    createServer(toNodeListener(proxy));
    expectTypeOf(toNodeListener(proxy)).toEqualTypeOf<NodeListener>();
    const POST: NextRouteHandler = proxy;
    const OPTIONS: NextRouteHandler = proxy;
    assertType<NextRouteHandler[]>([POST, OPTIONS]);
    expectTypeOf<ContactsProxy["close"]>().toEqualTypeOf<() => Promise<void>>();
  });

  it("the body the proxy forwards is a request body client-node's forwarder takes", () => {
    expectTypeOf<CanonicalEstablishRequest>().toMatchTypeOf<EstablishContactsRequestPascalCase>();
  });
});
