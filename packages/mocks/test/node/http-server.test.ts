import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ContactsHttpServer, startContactsHttpServer } from "../../src/node.js";
import { establish, post, requestToken, requestTokenForm } from "../support/http.js";
import { rawRequest } from "../support/raw-http.js";
import { assertMatchesSpec } from "../support/spec.js";

let service: ContactsHttpServer;
beforeAll(async () => {
  service = await startContactsHttpServer({ seed: 12 });
});
afterAll(() => service.close());

const establishUrl = () => `${service.url}/contacts/v1/establish`;
const issue = async (): Promise<string> => {
  const answer = await requestToken(undefined, `${service.url}/v2/token`);
  return (answer.body as { access_token: string }).access_token;
};
/** The server's own answers are Marketing Cloud error bodies, like the service's, with errorcode 0. */
const serverError = { errorcode: 0, message: expect.any(String), documentation: expect.stringMatching(/^https:/) };

describe("startContactsHttpServer: the fake on a real socket", () => {
  it("listens on 127.0.0.1 and answers the token and establish routes like the msw handlers", async () => {
    service.mock.reset();
    expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const token = await requestToken(undefined, `${service.url}/v2/token`);
    assertMatchesSpec("token", token);
    expect(token.body).toMatchObject({ rest_instance_url: `${service.url}/` });
    const accessToken = (token.body as { access_token: string }).access_token;
    const first = await establish({ ContactKeys: ["a"] }, { token: accessToken, url: establishUrl() });
    const again = await establish({ ContactKeys: ["a"] }, { token: accessToken, url: establishUrl() });
    assertMatchesSpec("establish", first);
    expect((again.body as { items: Array<{ value: { isNewContact: boolean } }> }).items[0]?.value.isNewContact).toBe(
      false,
    );
    expect(service.mock.store.has("a")).toBe(true);
    expect(service.mock.requests.map((r) => r.route)).toEqual(["token", "establish", "establish"]);
  });

  it("validates like the service", async () => {
    const unauthorized = await establish({ ContactKeys: ["a"] }, { url: establishUrl() });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("www-authenticate")).toMatch(/^Bearer\s.+?invalid_token/);
    assertMatchesSpec("establish", unauthorized);
  });

  it("refuses a host that is not loopback", async () => {
    await expect(startContactsHttpServer({ host: "0.0.0.0" as "127.0.0.1" })).rejects.toThrow(/loopback/);
  });
});

describe("the query string reaches the fake", () => {
  it("a token in the URL is 401, errorcode 40004, and the log redacts it", async () => {
    const accessToken = await issue();
    const answer = await establish(
      { ContactKeys: ["a"] },
      { token: accessToken, url: `${establishUrl()}?access_token=${accessToken}` },
    );
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ errorcode: 40004 });
    assertMatchesSpec("establish", answer);
    const recorded = service.mock.requests.at(-1);
    expect(recorded?.url).toBe(`${establishUrl()}?access_token=[redacted]`);
    expect(JSON.stringify(service.mock.requests)).not.toContain(accessToken);
  });

  it("the token request's query is kept (sfmc-sdk's auth_url rides a tenant in it)", async () => {
    const url = `${service.url}/v2/token?tenant=https://abcdefghijklmnopqrstuvwxyz12.auth.marketingcloudapis.com/`;
    expect((await requestToken(undefined, url)).status).toBe(200);
    expect(service.mock.requests.at(-1)?.url).toBe(url);
  });
});

describe("every answer is JSON, never a raw error", () => {
  it.each([["GET"], ["PUT"], ["DELETE"], ["PATCH"], ["OPTIONS"], ["TRACE"]])(
    "%s on a route: 405 with Allow: POST",
    async (method) => {
      for (const path of ["/contacts/v1/establish", "/v2/token"]) {
        const answer = await rawRequest(service.url, { method, path });
        expect(answer.status, `${method} ${path}`).toBe(405);
        expect(answer.headers.allow).toBe("POST");
        expect(answer.headers["content-type"]).toMatch(/^application\/json/);
        expect(answer.body).toMatchObject(serverError);
        expect(answer.text).not.toMatch(/TypeError|at \S+ \(/);
      }
    },
  );

  it("HEAD on a route: 405 with Allow: POST, and no body", async () => {
    const answer = await rawRequest(service.url, { method: "HEAD", path: "/contacts/v1/establish" });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe("POST");
    expect(answer.text).toBe("");
  });

  it("CONNECT: 405 with Allow: POST (this is no proxy)", async () => {
    const answer = await rawRequest(service.url, { method: "CONNECT", path: "127.0.0.1:9" });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe("POST");
    expect(answer.body).toMatchObject(serverError);
  });

  it.each([["/nope"], ["/contacts/v1/establish/"], ["/v2/token/x"], ["/"]])("POST %s: 404", async (path) => {
    const answer = await post(`${service.url}${path}`, "{}", { "content-type": "application/json" });
    expect(answer.status).toBe(404);
    expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
    expect(answer.body).toMatchObject(serverError);
  });

  it("a request target that is not a path: 404", async () => {
    const answer = await rawRequest(service.url, { method: "POST", path: "*" });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject(serverError);
  });

  it("a body over 16 MiB, declared: 413", async () => {
    const before = service.mock.requests.length;
    const answer = await post(establishUrl(), new Uint8Array(16 * 1024 * 1024 + 1), {
      "content-type": "application/json",
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject(serverError);
    expect(service.mock.requests).toHaveLength(before);
  });

  it("a body over 16 MiB, chunked: 413", async () => {
    const mib = Buffer.alloc(1024 * 1024, 0x20);
    const answer = await rawRequest(service.url, {
      method: "POST",
      path: "/contacts/v1/establish",
      headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
      chunks: Array.from({ length: 17 }, () => mib),
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject(serverError);
  });

  it("a body of exactly 16 MiB is read (and answered as the service would)", async () => {
    const text = `{"ContactKeys":["a"]}`.padEnd(16 * 1024 * 1024, " ");
    const answer = await establish(null, { token: await issue(), url: establishUrl(), raw: text });
    expect(answer.status).toBe(200);
  });

  it("an unexpected failure: 500 with a generic body that names no internals", async () => {
    const { store } = service.mock;
    const original = store.establish;
    store.establish = () => {
      throw new TypeError("boom: internal detail");
    };
    try {
      const answer = await establish({ ContactKeys: ["a"] }, { token: await issue(), url: establishUrl() });
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({
        message: "An error occurred while processing the request.",
        errorcode: 0,
        documentation: expect.stringMatching(/^https:/),
      });
      expect(answer.text).not.toContain("boom");
      assertMatchesSpec("establish", answer);
    } finally {
      store.establish = original;
    }
    // The server keeps serving.
    expect((await establish({ ContactKeys: ["b"] }, { token: await issue(), url: establishUrl() })).status).toBe(200);
  });
});

describe("expireTokens() and restInstanceUrl, for third-party clients", () => {
  it("expireTokens(): the next call with an old token is 401 with WWW-Authenticate; a new token works", async () => {
    const old = await issue();
    expect((await establish({ ContactKeys: ["a"] }, { token: old, url: establishUrl() })).status).toBe(200);
    service.mock.expireTokens();
    const expired = await establish({ ContactKeys: ["a"] }, { token: old, url: establishUrl() });
    expect(expired.status).toBe(401);
    expect(expired.headers.get("www-authenticate")).toMatch(/^Bearer\s.+?invalid_token/);
    expect((await establish({ ContactKeys: ["a"] }, { token: await issue(), url: establishUrl() })).status).toBe(200);
  });

  it("restInstanceUrl is what the token answer names as rest_instance_url (a proxy in front)", async () => {
    const behindProxy = await startContactsHttpServer({ seed: 1, restInstanceUrl: "http://127.0.0.1:4010" });
    try {
      const token = await requestTokenForm(
        { grant_type: "client_credentials", client_id: "id", client_secret: "secret", account_id: "7281698" },
        `${behindProxy.url}/v2/token`,
      );
      expect(token.status).toBe(200);
      expect(token.body).toMatchObject({
        rest_instance_url: "http://127.0.0.1:4010/",
        soap_instance_url: "http://127.0.0.1:4010/soap/",
      });
      assertMatchesSpec("token", token);
    } finally {
      await behindProxy.close();
    }
  });

  it.each([["not a url"], ["ftp://127.0.0.1/"], ["/relative"], ["http://127.0.0.1:4010/?x=1"], [42]])(
    "restInstanceUrl %j is refused with a TypeError that names it",
    async (restInstanceUrl) => {
      await expect(startContactsHttpServer({ restInstanceUrl: restInstanceUrl as string })).rejects.toThrow(
        /restInstanceUrl must be an absolute http\(s\) URL/,
      );
    },
  );
});
