/**
 * Issue 16 point 4 over the real forwarder: Marketing Cloud's answer reaches the caller as it
 * came (status, JSON body, Retry-After), with exactly one upstream request (the proxy does not
 * retry); a 401 that stays after the one renewal is 502; a timeout is 504; an unreachable service
 * is 502; a caller that hangs up aborts the upstream request.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createContactsProxy } from "../../src/create-proxy.js";
import { toNodeListener } from "../../src/node-listener.js";
import type { ProxyUpstreamOptions } from "../../src/options.js";
import { openPost, raw, type Served, serve } from "../support/node-server.js";
import { answerJson, type Script, type ScriptedService, startScriptedService } from "../support/scripted-service.js";

const ROUTE = "/api/sfmc/contacts/v1/establish";
const JSON_HEADERS = { "content-type": "application/json", cookie: "session=ok" };
const BODY = '{"ContactKeys":["a"]}';

let service: ScriptedService | undefined;
let front: Served | undefined;
afterEach(async () => {
  await front?.close();
  await service?.close();
  front = service = undefined;
});

async function chain(script: Script, upstream: Partial<ProxyUpstreamOptions> = {}) {
  service = await startScriptedService(script);
  const events: unknown[] = [];
  const proxy = createContactsProxy({
    authorize: () => ({ identity: "user-1" }),
    upstream: {
      clientId: service.clientId,
      clientSecret: service.clientSecret,
      baseUrl: service.url,
      authBaseUrl: service.url,
      ...upstream,
    },
    onEvent: (event) => events.push(event),
  });
  front = await serve(toNodeListener(proxy));
  return { service, port: front.port, events };
}

describe("Marketing Cloud's answers through the real forwarder", () => {
  it.each([
    [
      429,
      { message: "Rate limit exceeded.", errorcode: 50100, documentation: "d", retryAfter: 2 },
      { "retry-after": "2" },
    ],
    [503, { message: "Unavailable", errorcode: 50300, documentation: "d" }, { "retry-after": "30" }],
    [429, { message: "Blocked", errorcode: 50200, documentation: "d" }, {}],
    [403, { message: "Insufficient privileges", errorcode: 20002, documentation: "d" }, {}],
    [500, { message: "Internal", errorcode: 0, documentation: "d" }, {}],
  ])("%i passes through once, body and Retry-After unchanged", async (status, body, headers) => {
    const { service, port } = await chain((_, response) => answerJson(response, status, body, headers));
    const answer = await raw(port, ROUTE, { headers: JSON_HEADERS, body: BODY });
    expect(answer.status).toBe(status);
    expect(answer.text).toBe(JSON.stringify(body));
    expect(answer.headers["retry-after"]).toBe((headers as Record<string, string>)["retry-after"]);
    expect(service.establish).toBe(1);
  });

  it("a 401 is renewed once; a 401 that stays is 502 without WWW-Authenticate", async () => {
    const { service, port, events } = await chain((_, response) =>
      answerJson(
        response,
        401,
        { message: "Not Authorized", errorcode: 0, documentation: "d" },
        {
          "www-authenticate": 'Bearer error="invalid_token"',
        },
      ),
    );
    const answer = await raw(port, ROUTE, { headers: JSON_HEADERS, body: BODY });
    expect(answer.status).toBe(502);
    expect(answer.headers["www-authenticate"]).toBeUndefined();
    expect(service.establish).toBe(2);
    expect(service.tokens).toBe(2);
    expect(events.at(-1)).toMatchObject({ reason: "upstream-credentials" });
  });

  it("a 401 then a 200 after the renewal: the 200 reaches the caller", async () => {
    const { service, port } = await chain((_, response, attempt) =>
      attempt === 1
        ? answerJson(response, 401, { message: "Not Authorized", errorcode: 0, documentation: "d" })
        : answerJson(response, 200, { items: [], resultMessages: [] }),
    );
    const answer = await raw(port, ROUTE, { headers: JSON_HEADERS, body: BODY });
    expect(answer.status).toBe(200);
    expect(service.establish).toBe(2);
  });

  it("a stalled service: 504 after timeoutMs", async () => {
    const { port, events } = await chain(() => {}, { timeoutMs: 300 });
    const answer = await raw(port, ROUTE, { headers: JSON_HEADERS, body: BODY });
    expect(answer.status).toBe(504);
    expect(JSON.parse(answer.text)).toMatchObject({
      message: "Gateway Timeout: Marketing Cloud did not answer in time",
    });
    expect(events.at(-1)).toMatchObject({ reason: "upstream-timeout" });
  });

  it("an unreachable service: 502", async () => {
    const { port } = await chain(() => {}, { baseUrl: "http://127.0.0.1:1", authBaseUrl: "http://127.0.0.1:1" });
    const answer = await raw(port, ROUTE, { headers: JSON_HEADERS, body: BODY });
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.text)).toMatchObject({ message: "Bad Gateway: Marketing Cloud could not be reached" });
  });

  it("a caller that hangs up aborts the upstream request", async () => {
    let arrived: () => void = () => {};
    const waiting = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const { service, port } = await chain(() => arrived(), { timeoutMs: 60_000 });
    const outgoing = openPost(port, ROUTE, JSON_HEADERS);
    outgoing.end(BODY);
    await waiting;
    outgoing.destroy();
    // Bounded wait for the upstream connection to be dropped (the hang guard is the test timeout).
    for (let i = 0; i < 500 && service.abandoned === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(service.abandoned).toBe(1);
  });
});
