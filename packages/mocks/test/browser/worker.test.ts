/** The mocks in real Chromium, through msw's service worker. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { setupContactsWorker } from "../../src/browser.js";
import { createContactsMock } from "../../src/index.js";
import { ESTABLISH_URL, establish, requestToken, token } from "../support/http.js";

const proxy = createContactsMock({ seed: 4, baseUrl: "/api/sfmc", auth: false });
const withStatic = createContactsMock({ seed: 4, baseUrl: "/api/static", auth: { staticToken: "from-my-backend" } });
const { worker, mock } = setupContactsWorker({ seed: 4 }, ...proxy.handlers, ...withStatic.handlers);

beforeAll(async () => {
  await worker.start({
    quiet: true,
    // Vitest loads its own modules through the page: only Marketing Cloud requests must be mocked.
    onUnhandledRequest: (request, print) => {
      if (new URL(request.url).hostname.endsWith("marketingcloudapis.com")) print.error();
    },
  });
});
afterEach(() => {
  worker.resetHandlers();
  mock.reset();
  proxy.reset();
});
afterAll(() => worker.stop());

describe("in Chromium, through a service worker", () => {
  it("runs in a real browser", () => {
    expect(typeof navigator.serviceWorker).toBe("object");
    expect(navigator.serviceWorker.controller).not.toBeNull();
  });

  it("issues a token and establishes contacts, stateful", async () => {
    const accessToken = await token();
    const first = await establish({ ContactKeys: ["Key1"] }, { token: accessToken });
    const second = await establish({ ContactKeys: ["Key1"] }, { token: accessToken });
    expect(first.status).toBe(200);
    const id = (body: unknown) =>
      (body as { items: Array<{ value: { isNewContact: boolean; contactReference: { contactID: number } } }> }).items[0]
        ?.value;
    expect(id(first.body)?.isNewContact).toBe(true);
    expect(id(second.body)?.isNewContact).toBe(false);
    expect(id(second.body)?.contactReference.contactID).toBe(id(first.body)?.contactReference.contactID);
    expect(mock.store.has("Key1")).toBe(true);
  });

  it("answers 401 without a token and 400 to a bad body", async () => {
    expect((await establish({ ContactKeys: ["a"] })).status).toBe(401);
    const bad = await establish({ ContactKeys: [] }, { token: await token() });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ errorcode: 10005 });
  });

  it("serves an app's proxy path with no auth, and a static token from the app's backend", async () => {
    const viaProxy = await establish({ ContactKeys: ["p"] }, { url: "/api/sfmc/contacts/v1/establish" });
    expect(viaProxy.status).toBe(200);
    expect(proxy.store.has("p")).toBe(true);
    const viaStatic = await establish(
      { ContactKeys: ["s"] },
      { url: "/api/static/contacts/v1/establish", token: "from-my-backend" },
    );
    expect(viaStatic.status).toBe(200);
  });

  it("takes per-test overrides with worker.use, once", async () => {
    worker.use(mock.scenarios.rateLimited({ retryAfter: 3, once: true }));
    const accessToken = await token();
    const limited = await establish({ ContactKeys: ["a"] }, { token: accessToken });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
    expect((await establish({ ContactKeys: ["a"] }, { token: accessToken })).status).toBe(200);
  });

  it("fails the fetch on networkError and answers the array form on arrayWrapped", async () => {
    const accessToken = await token();
    worker.use(mock.scenarios.networkError({ once: true }));
    await expect(establish({ ContactKeys: ["a"] }, { token: accessToken })).rejects.toThrow(TypeError);
    worker.use(mock.scenarios.arrayWrapped({ once: true }));
    const wrapped = await establish({ ContactKeys: ["a"] }, { token: accessToken });
    expect(Array.isArray(wrapped.body)).toBe(true);
  });

  it("records what the page sent, with credentials redacted", async () => {
    await requestToken({ grant_type: "client_credentials", client_id: "id", client_secret: "browser-secret" });
    await establish({ ContactKeys: ["r"] }, { token: "anything" });
    expect(mock.requests.map((r) => r.route)).toEqual(["token", "establish"]);
    expect(JSON.stringify(mock.requests)).not.toContain("browser-secret");
    expect(mock.requests[1]).toMatchObject({ url: ESTABLISH_URL, headers: { authorization: "Bearer [redacted]" } });
  });
});
