/**
 * The default handlers answer only real tenant hosts: `https://<subdomain>.rest.marketingcloudapis.com`
 * and `https://<subdomain>.auth.marketingcloudapis.com`, the whole host, at the route's path. A
 * catch-all behind them marks what they let through, so a request they wrongly answer shows up
 * as the mock's answer and in its log.
 */
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createContactsMock } from "../../src/index.js";
import { post } from "../support/http.js";

const mock = createContactsMock({ seed: 4, auth: false });
const NOT_THE_MOCK = 599;
const server = setupServer(
  ...mock.handlers,
  http.all("*", () => HttpResponse.text("not answered by the mock", { status: NOT_THE_MOCK })),
);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => mock.reset());
afterAll(() => server.close());

const establishBody = JSON.stringify({ ContactKeys: ["a"] });
const tokenBody = JSON.stringify({ grant_type: "client_credentials", client_id: "id", client_secret: "secret" });
const json = { "content-type": "application/json" };

describe("the default handlers' hosts are anchored", () => {
  it.each([
    ["https://t.rest.marketingcloudapis.com/contacts/v1/establish"],
    ["https://mc563885gzs27c5t9-63k636ttgm.rest.marketingcloudapis.com/contacts/v1/establish"],
    ["https://t.rest.marketingcloudapis.com/contacts/v1/establish?tenant=x"],
    ["https://T-1.REST.marketingcloudapis.com/contacts/v1/establish"],
  ])("answer %s", async (url) => {
    const answer = await post(url, establishBody, json);
    expect(answer.status).toBe(200);
    expect(mock.requests).toHaveLength(1);
  });

  it.each([
    ["a path that ends like a tenant host", "https://evil.example/t.rest.marketingcloudapis.com/contacts/v1/establish"],
    ["a host that starts like one", "https://x.rest.marketingcloudapis.com.evil.example/contacts/v1/establish"],
    ["two labels before .rest", "https://a.b.rest.marketingcloudapis.com/contacts/v1/establish"],
    ["another port", "https://t.rest.marketingcloudapis.com:8443/contacts/v1/establish"],
    ["plain http", "http://t.rest.marketingcloudapis.com/contacts/v1/establish"],
    ["a path prefix", "https://t.rest.marketingcloudapis.com/x/contacts/v1/establish"],
    ["a longer path", "https://t.rest.marketingcloudapis.com/contacts/v1/establish/x"],
    ["the auth host", "https://t.auth.marketingcloudapis.com/contacts/v1/establish"],
  ])("do not answer establish on %s", async (_, url) => {
    const answer = await post(url, establishBody, json);
    expect(answer.status).toBe(NOT_THE_MOCK);
    expect(mock.requests).toEqual([]);
  });

  it("answer the token route on a tenant's auth host only", async () => {
    expect((await post("https://t.auth.marketingcloudapis.com/v2/token", tokenBody, json)).status).toBe(200);
    for (const url of [
      "https://evil.example/t.auth.marketingcloudapis.com/v2/token",
      "https://t.auth.marketingcloudapis.com.evil.example/v2/token",
      "https://t.rest.marketingcloudapis.com/v2/token",
    ]) {
      expect((await post(url, tokenBody, json)).status, url).toBe(NOT_THE_MOCK);
    }
    expect(mock.requests).toHaveLength(1);
  });

  it("keep answering a configured baseUrl as given", async () => {
    const proxied = createContactsMock({ seed: 1, baseUrl: "http://localhost:3000/api/sfmc", auth: false });
    server.use(...proxied.handlers);
    expect((await post("http://localhost:3000/api/sfmc/contacts/v1/establish", establishBody, json)).status).toBe(200);
    expect((await post("http://localhost:3000/evil/api/sfmc/contacts/v1/establish", establishBody, json)).status).toBe(
      NOT_THE_MOCK,
    );
    expect(proxied.requests).toHaveLength(1);
  });
});
