/**
 * The anchored route matcher (review of issue 12, finding 6): a base with `*` becomes a RegExp
 * anchored on the whole URL in which `*` is exactly one host label, tried here under msw's own
 * setupServer. A catch-all behind the matcher marks every request it lets through.
 */
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { routePattern, tenantRoute } from "../../src/route-pattern.js";

const MATCHED = 200;
const NOT_MATCHED = 599;
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** The status each URL gets when only `pattern` answers (and a catch-all marks the rest). */
async function statuses(pattern: string | RegExp, urls: string[]): Promise<Record<string, number>> {
  server.use(
    http.post(pattern, () => HttpResponse.json({ matched: true }, { status: MATCHED })),
    http.all("*", () => HttpResponse.text("not matched", { status: NOT_MATCHED })),
  );
  const out: Record<string, number> = {};
  for (const url of urls) out[url] = (await fetch(url, { method: "POST", body: "{}" })).status;
  return out;
}

const all = (urls: string[], status: number) => Object.fromEntries(urls.map((url) => [url, status]));

describe("tenantRoute(): the mock's default tenant hosts, anchored", () => {
  const establish = "/contacts/v1/establish";
  it("matches a tenant's REST host at the route's path, in any case, with a query or the default port", async () => {
    const urls = [
      `https://t.rest.marketingcloudapis.com${establish}`,
      `https://mc563885gzs27c5t9-63k636ttgm.rest.marketingcloudapis.com${establish}`,
      `https://T-1.REST.MarketingCloudAPIs.com${establish}`,
      `https://t.rest.marketingcloudapis.com:443${establish}`,
      `https://t.rest.marketingcloudapis.com${establish}?tenant=x`,
    ];
    expect(await statuses(tenantRoute("establish"), urls)).toEqual(all(urls, MATCHED));
  });

  it("matches nothing else", async () => {
    const urls = [
      `https://evil.example/x.rest.marketingcloudapis.com${establish}`,
      `https://x.rest.marketingcloudapis.com.evil.example${establish}`,
      `https://x.rest.marketingcloudapis.com.${establish}`,
      `https://x.rest.marketingcloudapis.com:8443${establish}`,
      `https://a.b.rest.marketingcloudapis.com${establish}`,
      `https://rest.marketingcloudapis.com${establish}`,
      `http://x.rest.marketingcloudapis.com${establish}`,
      `https://x.rest.marketingcloudapis.com/api${establish}`,
      `https://x.rest.marketingcloudapis.com${establish}/more`,
      `https://x.auth.marketingcloudapis.com${establish}`,
      `https://evil.example/?x=.rest.marketingcloudapis.com${establish}`,
    ];
    expect(await statuses(tenantRoute("establish"), urls)).toEqual(all(urls, NOT_MATCHED));
  });

  it("the token route: auth hosts at /v2/token only", async () => {
    const yes = ["https://t.auth.marketingcloudapis.com/v2/token"];
    const no = [
      "https://evil.example/t.auth.marketingcloudapis.com/v2/token",
      "https://t.auth.marketingcloudapis.com.evil.example/v2/token",
      "https://t.rest.marketingcloudapis.com/v2/token",
    ];
    expect(await statuses(tenantRoute("token"), [...yes, ...no])).toEqual({
      ...all(yes, MATCHED),
      ...all(no, NOT_MATCHED),
    });
  });
});

describe("a configured base with * (baseUrl)", () => {
  it("each * is one host label of the base's host, anchored, with the base's path and port", async () => {
    const pattern = tenantRoute("token", {
      rest: "https://*.example.com",
      auth: "http://*.auth.example.com:8080/sfmc/",
    });
    const yes = ["http://a.auth.example.com:8080/sfmc/v2/token", "http://A-1.AUTH.example.com:8080/sfmc/v2/token"];
    const no = [
      "http://evil.test/a.auth.example.com:8080/sfmc/v2/token",
      "http://a.auth.example.com.evil.test:8080/sfmc/v2/token",
      "http://a.auth.example.com:8081/sfmc/v2/token",
      "http://a.auth.example.com/sfmc/v2/token",
      "http://a.b.auth.example.com:8080/sfmc/v2/token",
      "http://a.auth.example.com:8080/v2/token",
    ];
    expect(await statuses(pattern, [...yes, ...no])).toEqual({ ...all(yes, MATCHED), ...all(no, NOT_MATCHED) });
  });

  it("the review's case: baseUrl.auth https://*.example.com no longer answers https://evil.test/a.example.com/v2/token", async () => {
    const pattern = tenantRoute("token", {
      rest: "https://*.rest.marketingcloudapis.com/",
      auth: "https://*.example.com",
    });
    expect(
      await statuses(pattern, ["https://evil.test/a.example.com/v2/token", "https://a.example.com/v2/token"]),
    ).toEqual({ "https://evil.test/a.example.com/v2/token": NOT_MATCHED, "https://a.example.com/v2/token": MATCHED });
  });

  it("a default port in the base matches the URL without it", async () => {
    const pattern = routePattern("https://*.example.com:443", "/v2/token", "baseUrl");
    expect(await statuses(pattern, ["https://a.example.com/v2/token"])).toEqual({
      "https://a.example.com/v2/token": MATCHED,
    });
  });

  it("a base without * stays msw's own string pattern", () => {
    expect(tenantRoute("establish", "http://127.0.0.1:9/api/")).toBe("http://127.0.0.1:9/api/contacts/v1/establish");
    expect(tenantRoute("token", "/api/sfmc")).toBe("/api/sfmc/v2/token");
  });

  it.each([
    ["in the path", "https://example.com/*"],
    ["for part of a label", "https://mc*.rest.marketingcloudapis.com"],
    ["for part of a label (suffix)", "https://*-x.example.com"],
    ["in the scheme", "*://x.example.com"],
    ["in the port", "https://x.example.com:*"],
    ["in a relative base", "/api/*"],
    ["beside user info", "https://user@*.example.com"],
    ["with a query", "https://*.example.com/?x=*"],
  ])("a * %s is refused with a TypeError naming the option", (_, base) => {
    expect(() => tenantRoute("establish", base)).toThrow(TypeError);
    expect(() => tenantRoute("establish", base)).toThrow(
      /^tenantRoute: baseUrl: "\*" may stand only for one whole host label/,
    );
    expect(() => tenantRoute("token", { rest: "https://*.example.com", auth: base })).toThrow(
      /^tenantRoute: baseUrl\.auth:/,
    );
    expect(() => routePattern(base, "/v2/token", "createContactsMock: baseUrl.rest")).toThrow(
      /^createContactsMock: baseUrl\.rest:/,
    );
  });

  it("refuses a route it does not know", () => {
    expect(() => tenantRoute("contacts" as "token")).toThrow(/route must be "establish" or "token"/);
  });
});
