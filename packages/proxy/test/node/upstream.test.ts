/**
 * Issue 16 points 4, 5 and 7 over the real chain: node:http → toNodeListener → the proxy →
 * client-node's forwarder → the mocks' loopback service. Every refusal leaves the service
 * untouched (token route included: the token is fetched lazily, at the first forward); the
 * caller's Authorization and Cookie never reach it; the service's token never reaches the caller
 * or an event.
 */
import { afterEach, describe, expect, it } from "vitest";
import { raw } from "../support/node-server.js";
import { type Stack, startStack } from "../support/stack.js";

const ROUTE = "/api/sfmc/contacts/v1/establish";
const JSON_HEADERS = { "content-type": "application/json", cookie: "session=ok" };

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe("the real chain", () => {
  it("establishes: the service's answer comes back, once, with the proxy's token only", async () => {
    stack = await startStack();
    const answer = await raw(stack.port, ROUTE, {
      headers: { ...JSON_HEADERS, authorization: "Bearer caller-secret", cookie: "session=ok; sid=caller-cookie" },
      body: JSON.stringify({ contactKeys: ["a", "b"], includeNewContactAwareness: "true" }),
    });
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.text) as { items: Array<{ value: { requestedContactKey: string } }> };
    expect(body.items.map((item) => item.value.requestedContactKey)).toEqual(["a", "b"]);
    expect(stack.sent).toHaveLength(1);
    expect(stack.sent[0]?.authorization).toBe(`Bearer ${stack.tokens[0]}`);
    expect(JSON.stringify(stack.sent)).not.toMatch(/caller-secret|caller-cookie/);
    expect(stack.sent[0]?.cookie).toBeUndefined();
    const leaked = JSON.stringify(stack.events, (_, value) =>
      value instanceof Error ? { name: value.name, message: value.message } : value,
    );
    expect(stack.tokens.length).toBeGreaterThan(0);
    for (const token of stack.tokens) {
      expect(leaked).not.toContain(token);
      expect(answer.text).not.toContain(token);
      expect(JSON.stringify(answer.headers)).not.toContain(token);
    }
  });

  it("expired tokens: the forwarder renews once and the caller gets the 200", async () => {
    stack = await startStack();
    const first = await raw(stack.port, ROUTE, { headers: JSON_HEADERS, body: '{"ContactKeys":["a"]}' });
    expect(first.status).toBe(200);
    stack.service.mock.expireTokens();
    const second = await raw(stack.port, ROUTE, { headers: JSON_HEADERS, body: '{"ContactKeys":["b"]}' });
    expect(second.status).toBe(200);
    expect(stack.tokens).toHaveLength(2);
    expect(stack.sent.map((headers) => headers.authorization)).toEqual([
      `Bearer ${stack.tokens[0]}`,
      `Bearer ${stack.tokens[0]}`,
      `Bearer ${stack.tokens[1]}`,
    ]);
  });

  it.each([
    ["no authorization", ROUTE, { "content-type": "application/json" }, '{"ContactKeys":["a"]}', 401],
    [
      "51 keys",
      ROUTE,
      JSON_HEADERS,
      JSON.stringify({ ContactKeys: Array.from({ length: 51 }, (_, i) => `k${i}`) }),
      400,
    ],
    ["../v2/token", "/api/sfmc/../v2/token", JSON_HEADERS, '{"ContactKeys":["a"]}', 404],
    ["%2e%2e", "/api/sfmc/%2e%2e/v2/token", JSON_HEADERS, '{"ContactKeys":["a"]}', 404],
    ["//", "/api/sfmc//contacts/v1/establish", JSON_HEADERS, '{"ContactKeys":["a"]}', 404],
    ["text/plain", ROUTE, { "content-type": "text/plain", cookie: "session=ok" }, '{"ContactKeys":["a"]}', 415],
    ["oversized", ROUTE, JSON_HEADERS, JSON.stringify({ ContactKeys: ["a"], pad: "x".repeat(60_000) }), 413],
  ])("%s: %i, and the service received nothing on either route", async (_, path, headers, body, status) => {
    stack = await startStack();
    const answer = await raw(stack.port, path, { headers, body });
    expect(answer.status).toBe(status);
    expect(stack.upstreamCount()).toBe(0);
    expect(stack.tokens).toHaveLength(0);
  });
});
