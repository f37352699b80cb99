/**
 * The public types: the identity generic flows from authorize into events; authorize is
 * required; the handler fits node:http (through toNodeListener) and a Next.js route module's
 * `export const POST` as it is.
 */
import { createServer } from "node:http";
import type { CanonicalEstablishRequest } from "@sfmc-contacts/rules";
import type { EstablishContactsRequestPascalCase } from "@sfmc-contacts/types";
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

  it("authorize is required, and decisions have two shapes", () => {
    // @ts-expect-error: there is no open default
    createContactsProxy({});
    createContactsProxy({ authorize: async () => ({ status: 403, message: "no" }) });
    // @ts-expect-error: 500 is not a refusal status
    createContactsProxy({ authorize: () => ({ status: 500 }) });
    assertType<ContactsProxyOptions<string>>({
      authorize: () => ({ identity: "a" }),
      allowedOrigins: ["https://a.example"],
    });
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
