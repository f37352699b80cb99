/**
 * A configured baseUrl with * is anchored like the default hosts (review of issue 12, finding 6):
 * each * is one host label; a * anywhere else is refused when the mock is created.
 */
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createContactsMock } from "../../src/index.js";
import { post } from "../support/http.js";

const mock = createContactsMock({
  seed: 4,
  baseUrl: {
    rest: "https://*.rest.marketingcloudapis.com/",
    auth: "https://*.example.com",
  },
});
const NOT_THE_MOCK = 599;
const server = setupServer(
  ...mock.handlers,
  http.all("*", () => HttpResponse.text("not answered by the mock", { status: NOT_THE_MOCK })),
);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => mock.reset());
afterAll(() => server.close());

const tokenBody = JSON.stringify({
  grant_type: "client_credentials",
  client_id: "id",
  client_secret: "secret",
});
const json = { "content-type": "application/json" };

describe("a configured baseUrl with *", () => {
  it("answers its hosts", async () => {
    expect((await post("https://a.example.com/v2/token", tokenBody, json)).status).toBe(200);
  });

  it.each([
    ["https://evil.test/a.example.com/v2/token"],
    ["https://a.example.com.evil.test/v2/token"],
    ["https://a.b.example.com/v2/token"],
  ])("does not answer %s", async (url) => {
    expect((await post(url, tokenBody, json)).status).toBe(NOT_THE_MOCK);
    expect(mock.requests).toEqual([]);
  });

  it.each([["https://example.com/*"], ["https://mc*.example.com"], ["/api/*"]])(
    "baseUrl %s is refused with a TypeError naming the option",
    (base) => {
      expect(() => createContactsMock({ baseUrl: base })).toThrow(TypeError);
      expect(() => createContactsMock({ baseUrl: base })).toThrow(/^createContactsMock: baseUrl: "\*" may stand only/);
      expect(() =>
        createContactsMock({
          baseUrl: { rest: "https://*.x.test", auth: base },
        }),
      ).toThrow(/^createContactsMock: baseUrl\.auth:/);
    },
  );
});
