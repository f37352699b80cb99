import { describe, expect, it } from "vitest";
import { type Answer, establish, requestToken, token } from "../support/http.js";
import { useContactsServer } from "../support/server.js";
import { assertMatchesSpec } from "../support/spec.js";

const { server, mock } = useContactsServer({ seed: 11 });

async function call(keys: string[] = ["Key1", "Key2"]): Promise<Answer> {
  return establish({ ContactKeys: keys }, { token: await token() });
}

describe("error scenarios answer like the service, once or until reset", () => {
  it.each([
    [
      "unauthorized",
      () => mock.scenarios.unauthorized({ once: true }),
      401,
      { message: "Not Authorized", errorcode: 0 },
    ],
    ["forbidden", () => mock.scenarios.forbidden({ once: true }), 403, { errorcode: 20002 }],
    [
      "rateLimited",
      () => mock.scenarios.rateLimited({ retryAfter: 2, once: true }),
      429,
      { errorcode: 50100, retryAfter: 2 },
    ],
    ["blocked", () => mock.scenarios.blocked({ once: true }), 429, { errorcode: 50200 }],
    ["serverError", () => mock.scenarios.serverError({ once: true }), 500, { errorcode: 0 }],
    ["unavailable", () => mock.scenarios.unavailable({ retryAfter: 5, once: true }), 503, { errorcode: 50300 }],
  ])("%s", async (_, scenario, status, body) => {
    server.use(scenario());
    const failed = await call();
    expect(failed.status).toBe(status);
    expect(failed.body).toMatchObject(body);
    assertMatchesSpec("establish", failed);
    expect(mock.store.size).toBe(0);
    const next = await call();
    expect(next.status).toBe(200);
    expect(mock.store.size).toBe(2);
  });

  it("rateLimited sends Retry-After in the header and the body, default 1 s (a test waits one second, not 30)", async () => {
    server.use(mock.scenarios.rateLimited());
    const answer = await call();
    expect(answer.headers.get("retry-after")).toBe("1");
    expect(answer.body).toMatchObject({ retryAfter: 1 });
    // Without once, it keeps answering 429.
    expect((await call()).status).toBe(429);
  });

  it("blocked sends no Retry-After", async () => {
    server.use(mock.scenarios.blocked());
    expect((await call()).headers.get("retry-after")).toBeNull();
  });

  it("unavailable sends Retry-After, default 1 s", async () => {
    server.use(mock.scenarios.unavailable());
    expect((await call()).headers.get("retry-after")).toBe("1");
  });

  it("rejects a Retry-After that is not whole seconds", () => {
    expect(() => mock.scenarios.rateLimited({ retryAfter: 1.5 })).toThrow(TypeError);
    expect(() => mock.scenarios.unavailable({ retryAfter: -1 })).toThrow(/whole number of seconds/);
  });
});

describe("transport scenarios", () => {
  it("malformedJson answers a 200 whose JSON is cut off", async () => {
    server.use(mock.scenarios.malformedJson({ once: true }));
    const answer = await call();
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toContain("application/json");
    expect(() => JSON.parse(answer.text)).toThrow(SyntaxError);
  });

  it("networkError makes fetch reject, on establish or on the token route", async () => {
    const accessToken = await token();
    server.use(mock.scenarios.networkError({ once: true }));
    await expect(establish({ ContactKeys: ["a"] }, { token: accessToken })).rejects.toThrow(TypeError);
    expect((await establish({ ContactKeys: ["a"] }, { token: accessToken })).status).toBe(200);

    server.use(mock.scenarios.networkError({ route: "token", once: true }));
    await expect(requestToken()).rejects.toThrow(TypeError);
    expect((await requestToken()).status).toBe(200);
  });

  it("slow waits, then the happy path answers (and records the request once)", async () => {
    const accessToken = await token();
    server.use(mock.scenarios.slow(60, { once: true }));
    const started = performance.now();
    const answer = await establish({ ContactKeys: ["a"] }, { token: accessToken });
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(answer.status).toBe(200);
    expect(mock.requests.filter((r) => r.route === "establish")).toHaveLength(1);
  });
});

describe("shape scenarios", () => {
  it("arrayWrapped answers the happy path in the product page's one-element array", async () => {
    server.use(mock.scenarios.arrayWrapped({ once: true }));
    const answer = await call(["Key1"]);
    expect(Array.isArray(answer.body)).toBe(true);
    expect(answer.body).toHaveLength(1);
    assertMatchesSpec("establish", answer);
    expect(mock.store.has("Key1")).toBe(true);
    expect(Array.isArray((await call(["Key1"])).body)).toBe(false);
  });

  it("itemErrors fails the named keys with resultClass Error and establishes the others", async () => {
    server.use(mock.scenarios.itemErrors(["bad"], { once: true }));
    const answer = await call(["good", "bad"]);
    expect(answer.status).toBe(200);
    assertMatchesSpec("establish", answer);
    const [good, bad] = (
      answer.body as {
        items: Array<{ value: { requestedContactKey: string }; resultMessages: Array<{ resultClass: string }> }>;
      }
    ).items;
    expect(good?.resultMessages).toEqual([]);
    expect(bad?.value.requestedContactKey).toBe("bad");
    expect(bad?.resultMessages).toEqual([
      expect.objectContaining({ resultClass: "Error", resultCode: "ContactNotEstablished" }),
    ]);
    expect(mock.store.has("good")).toBe(true);
    expect(mock.store.has("bad")).toBe(false);
  });

  it("itemErrors takes the message to send", async () => {
    server.use(mock.scenarios.itemErrors(["bad"], { message: { resultCode: "ContactKeyLocked", message: "locked" } }));
    const answer = await call(["bad"]);
    const [item] = (answer.body as { items: Array<{ resultMessages: unknown[] }> }).items;
    expect(item?.resultMessages).toEqual([
      expect.objectContaining({ resultClass: "Error", resultCode: "ContactKeyLocked", message: "locked" }),
    ]);
  });

  it("invalidClient makes the token route answer 401 invalid_client", async () => {
    server.use(mock.scenarios.invalidClient({ once: true }));
    const answer = await requestToken();
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: "invalid_client" });
    assertMatchesSpec("token", answer);
    expect((await requestToken()).status).toBe(200);
  });
});
