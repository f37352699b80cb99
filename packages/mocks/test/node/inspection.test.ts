import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { createContactsMock } from "../../src/index.js";
import { ESTABLISH_URL, establish, post, requestToken, requestTokenForm, TOKEN_URL, token } from "../support/http.js";
import { useContactsServer } from "../support/server.js";

const { server, mock } = useContactsServer({ seed: 9 });

describe("requests: what the app sent", () => {
  it("records each request, parsed, in order", async () => {
    const accessToken = await token();
    await establish({ ContactKeys: ["Key1"], ReturnResults: false }, { token: accessToken });
    expect(mock.requests.map((r) => r.route)).toEqual(["token", "establish"]);
    expect(mock.requests[1]).toMatchObject({
      route: "establish",
      method: "POST",
      url: ESTABLISH_URL,
      body: { ContactKeys: ["Key1"], ReturnResults: false },
      headers: { "content-type": "application/json", authorization: "Bearer [redacted]" },
    });
  });

  it("keeps a body that is not JSON as text", async () => {
    await establish(null, { token: await token(), raw: "not json" });
    expect(mock.requests.at(-1)?.body).toBe("not json");
  });

  it("never holds a token or a client secret", async () => {
    const secret = "s3cr3t-value-that-must-not-leak";
    await requestToken({ grant_type: "client_credentials", client_id: "id", client_secret: secret });
    const accessToken = await token();
    await establish({ ContactKeys: ["a"] }, { token: accessToken });
    const everything = JSON.stringify(mock.requests) + inspect(mock.requests, { depth: null });
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(accessToken);
    expect(mock.requests[0]?.body).toMatchObject({ client_id: "id", client_secret: "[redacted]" });
  });

  it("redacts client_secret in a form-encoded token request, and keeps its fields as an object", async () => {
    const secret = "form-s3cr3t-that-must-not-leak";
    const answer = await requestTokenForm({ grant_type: "client_credentials", client_id: "id", client_secret: secret });
    expect(answer.status).toBe(200);
    expect(mock.requests[0]?.body).toEqual({
      grant_type: "client_credentials",
      client_id: "id",
      client_secret: "[redacted]",
    });
    expect(JSON.stringify(mock.requests) + inspect(mock.requests, { depth: null })).not.toContain(secret);
  });

  it.each([
    ["JSON cut off after the secret", "application/json", '{"client_id":"id","client_secret":"cut-s3cr3t'],
    ["JSON cut off after a closed secret", "application/json", '{"client_secret" : "closed-s3cr3t", "client_id":'],
    ["a form sent as text", "text/plain", "grant_type=client_credentials&client_secret=text-s3cr3t&client_id=id"],
    [
      "a form field sent twice",
      "application/x-www-form-urlencoded",
      "client_secret=one-s3cr3t&client_secret=two-s3cr3t",
    ],
  ])("redacts client_secret in %s", async (_, contentType, text) => {
    await post(TOKEN_URL, text, { "content-type": contentType });
    const recorded = JSON.stringify(mock.requests[0]?.body);
    expect(recorded).toContain("[redacted]");
    expect(recorded).not.toMatch(/s3cr3t/);
  });

  it("redacts an access token sent in the URL or the body of an establish call", async () => {
    const accessToken = await token();
    await establish({ ContactKeys: ["a"], access_token: accessToken }, { token: accessToken });
    await establish(
      { ContactKeys: ["a"] },
      { token: accessToken, url: `${ESTABLISH_URL}?x=1&Access_Token=${accessToken}` },
    );
    expect(mock.requests[1]?.body).toEqual({ ContactKeys: ["a"], access_token: "[redacted]" });
    expect(mock.requests[2]?.url).toBe(`${ESTABLISH_URL}?x=1&Access_Token=[redacted]`);
    expect(JSON.stringify(mock.requests)).not.toContain(accessToken);
  });

  describe("redacts by every reading of the body, not by its declared content type (review of issue 12, finding 1)", () => {
    // Each secret is unique, so a leak names its case. Every one of these leaked before: the body
    // was read only the way its content type said, and only top-level literal names were redacted.
    const S = (name: string) => `S3cr3t-${name}-value`;
    const form = (fields: Record<string, string>) => {
      const data = new FormData();
      for (const [name, value] of Object.entries(fields)) data.set(name, value);
      return data;
    };
    const cases: Array<[string, Record<string, string>, string | FormData]> = [
      [
        "JSON labelled as a form (curl -d without -H)",
        { "content-type": "application/x-www-form-urlencoded" },
        JSON.stringify({ grant_type: "client_credentials", client_id: "id", client_secret: S("curl") }),
      ],
      [
        "multipart FormData (fetch with a FormData body)",
        {},
        form({ grant_type: "client_credentials", client_id: "id", client_secret: S("formdata") }),
      ],
      [
        "a percent-encoded name in text/plain",
        { "content-type": "text/plain" },
        `grant_type=client_credentials&client_id=id&client%5Fsecret=${S("pct")}`,
      ],
      ["a lower-case percent-encoded name, no content type", {}, `client%5fsecret=${S("pct-lower")}&client_id=id`],
      ["a JSON array", { "content-type": "application/json" }, JSON.stringify([{ client_secret: S("array") }])],
      [
        "nested JSON",
        { "content-type": "application/json" },
        JSON.stringify({ creds: { client_secret: S("nested") } }),
      ],
      ["a name in another case", { "content-type": "application/json" }, JSON.stringify({ Client_Secret: S("case") })],
      [
        "malformed JSON with a \\u005f escape in the name",
        { "content-type": "application/json" },
        `{"client\\u005fsecret":"${S("escape")}",`,
      ],
      [
        "malformed JSON with single quotes",
        { "content-type": "application/json" },
        `{'client_secret': '${S("single")}',`,
      ],
      [
        "text/plain JSON with a space before the colon",
        { "content-type": "text/plain" },
        `{"client_secret" :"${S("space")}"`,
      ],
      ["pairs separated by ;", { "content-type": "text/plain" }, `client_id=id;client_secret=${S("semicolon")}`],
      ["a name: value line", { "content-type": "text/plain" }, `client_secret: ${S("colon")}`],
      [
        "a form name with an encoded space",
        { "content-type": "application/x-www-form-urlencoded" },
        `client_secret%20=${S("trailing")}`,
      ],
      [
        "a form field sent twice",
        { "content-type": "application/x-www-form-urlencoded" },
        `client_secret=${S("dup1")}&client_secret=${S("dup2")}`,
      ],
      [
        "multipart with a declared boundary",
        { "content-type": "multipart/form-data; boundary=X" },
        `--X\r\nContent-Disposition: form-data; name="client_secret"\r\n\r\n${S("multipart")}\r\n--X--\r\n`,
      ],
      [
        "a JSON string holding JSON",
        { "content-type": "application/json" },
        JSON.stringify({ raw: JSON.stringify({ client_secret: S("inner") }) }),
      ],
      [
        "a secret echoed in another field",
        { "content-type": "application/json" },
        JSON.stringify({ client_secret: S("echo"), note: `mine is ${S("echo")}` }),
      ],
    ];

    it.each(cases)("%s", async (_, headers, body) => {
      const sent = await fetch(TOKEN_URL, { method: "POST", headers, body });
      await sent.arrayBuffer();
      const recorded = JSON.stringify(mock.requests) + inspect(mock.requests, { depth: null });
      expect(mock.requests).toHaveLength(1);
      expect(recorded).toContain("[redacted]");
      expect(recorded).not.toMatch(/S3cr3t/);
    });

    it("keeps the form fields of a form-labelled JSON body readable, without the secret", async () => {
      await post(TOKEN_URL, JSON.stringify({ client_id: "id", client_secret: S("readable") }), {
        "content-type": "application/x-www-form-urlencoded",
      });
      expect(mock.requests[0]?.body).toEqual({ '{"client_id":"id","client_secret":"[redacted]"}': "" });
    });

    it("records a body nested thousands of levels deep as its redacted text (JSON.stringify of the log still works)", async () => {
      const deep = `${"[".repeat(5000)}{"client_secret":"${S("deep")}"}${"]".repeat(5000)}`;
      const answer = await post(TOKEN_URL, deep, { "content-type": "application/json" });
      expect(answer.status).toBe(400);
      const body = mock.requests[0]?.body;
      expect(body).toBe(`${"[".repeat(5000)}{"client_secret":"[redacted]"}${"]".repeat(5000)}`);
      expect(JSON.stringify(mock.requests)).not.toMatch(/S3cr3t/);
    });

    it("redacts a secret 200 levels deep in a parsed body", async () => {
      await post(TOKEN_URL, `${'{"a":'.repeat(200)}{"client_secret":"${S("deep200")}"}${"}".repeat(200)}`, {
        "content-type": "application/json",
      });
      let body = mock.requests[0]?.body as Record<string, unknown>;
      for (let level = 0; level < 200; level++) body = body.a as Record<string, unknown>;
      expect(body).toEqual({ client_secret: "[redacted]" });
    });

    it("keeps a JSON __proto__ field as a plain field", async () => {
      await post(TOKEN_URL, '{"__proto__":{"client_secret":"x"},"a":1}', { "content-type": "application/json" });
      const body = mock.requests[0]?.body as Record<string, unknown>;
      expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(body, "__proto__")?.value).toEqual({ client_secret: "[redacted]" });
    });

    it("redacts a secret query parameter in any encoding", async () => {
      await post(`${TOKEN_URL}?a=1&client%5Fsecret=${S("query")}&Access_Token=${S("query-token")}`, "{}", {
        "content-type": "application/json",
      });
      expect(mock.requests[0]?.url).toBe(`${TOKEN_URL}?a=1&client%5Fsecret=[redacted]&Access_Token=[redacted]`);
    });
  });

  it("redacts headers named as secrets, proxy-authorization and cookie, like authorization", async () => {
    const accessToken = await token();
    const basic = `Basic ${btoa(`id:${"S3cr3t-proxy-value"}`)}`;
    await fetch(ESTABLISH_URL, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${accessToken}`,
        access_token: accessToken,
        Client_Secret: "S3cr3t-header-value",
        "proxy-authorization": basic,
        cookie: "session=S3cr3t-cookie-value; theme=dark",
        "x-note": `token ${accessToken}`,
      },
      body: JSON.stringify({ ContactKeys: ["a"] }),
    }).then((r) => r.arrayBuffer());
    const recorded = mock.requests.at(-1);
    expect(recorded?.headers).toMatchObject({
      authorization: "Bearer [redacted]",
      access_token: "[redacted]",
      client_secret: "[redacted]",
      "proxy-authorization": "Basic [redacted]",
      cookie: "[redacted]",
      "x-note": "token [redacted]",
    });
    const everything = JSON.stringify(mock.requests) + inspect(mock.requests, { depth: null });
    expect(everything).not.toContain(accessToken);
    expect(everything).not.toMatch(/S3cr3t/);
    expect(everything).not.toContain(basic.slice(6));
  });

  it("is emptied by reset()", async () => {
    await token();
    mock.reset();
    expect(mock.requests).toEqual([]);
  });
});

describe("store: what was established", () => {
  it("lists contacts in the order first established", async () => {
    await establish({ ContactKeys: ["b", "a", "b"] }, { token: await token() });
    expect(mock.store.all().map((c) => c.contactKey)).toEqual(["b", "a"]);
    expect(mock.store.size).toBe(2);
    expect([...mock.store].map((c) => c.contactKey)).toEqual(["b", "a"]);
  });

  it("refuses an id another contact has", () => {
    mock.store.add("one", { contactID: 111111111 });
    expect(() => mock.store.add("two", { contactID: 111111111 })).toThrow(/already used/);
  });
});

describe("isolation and determinism", () => {
  it("two mocks share nothing", async () => {
    const other = createContactsMock({ seed: 9, baseUrl: "http://127.0.0.1:9/other", auth: false });
    server.use(...other.handlers);
    await establish({ ContactKeys: ["a"] }, { token: await token() });
    expect(other.store.size).toBe(0);
    expect(other.requests).toEqual([]);
  });

  it("the same seed gives the same ids, GUIDs, times and tokens; reset() starts over", async () => {
    const run = async () => {
      const accessToken = await token();
      const answer = await establish({ ContactKeys: ["x", "y"] }, { token: accessToken });
      return { accessToken, body: answer.body };
    };
    const first = await run();
    mock.reset();
    const again = await run();
    expect(again).toEqual(first);

    const twin = createContactsMock({ seed: 9, baseUrl: "http://127.0.0.1:9/twin" });
    server.use(...twin.handlers);
    const twinToken = await token("http://127.0.0.1:9/twin/v2/token");
    const twinAnswer = await establish(
      { ContactKeys: ["x", "y"] },
      { token: twinToken, url: "http://127.0.0.1:9/twin/contacts/v1/establish" },
    );
    expect(twinToken).toBe(first.accessToken);
    expect(twinAnswer.body).toEqual(first.body);
  });

  it("another seed gives other ids", async () => {
    const other = createContactsMock({ seed: 10, baseUrl: "http://127.0.0.1:9/seed10", auth: false });
    server.use(...other.handlers);
    const mine = await establish({ ContactKeys: ["x"] }, { token: await token() });
    const theirs = await establish({ ContactKeys: ["x"] }, { url: "http://127.0.0.1:9/seed10/contacts/v1/establish" });
    const id = (body: unknown) =>
      (body as { items: Array<{ value: { contactReference: { contactID: number } } }> }).items[0]?.value
        .contactReference.contactID;
    expect(id(mine.body)).not.toBe(id(theirs.body));
  });

  it("without a seed, responseDateTime is the current time", async () => {
    const live = createContactsMock({ baseUrl: "http://127.0.0.1:9/live", auth: false });
    server.use(...live.handlers);
    const answer = await establish({ ContactKeys: ["x"] }, { url: "http://127.0.0.1:9/live/contacts/v1/establish" });
    const time = (answer.body as { responseDateTime: string }).responseDateTime;
    expect(Math.abs(Date.parse(time) - Date.now())).toBeLessThan(60_000);
  });
});

describe("latency", () => {
  it("waits the fixed latency before answering", async () => {
    const slow = createContactsMock({ seed: 1, latency: 40, baseUrl: "http://127.0.0.1:9/slow", auth: false });
    server.use(...slow.handlers);
    const started = performance.now();
    await establish({ ContactKeys: ["x"] }, { url: "http://127.0.0.1:9/slow/contacts/v1/establish" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
  });
});

describe("options are checked", () => {
  it.each([
    [{ seed: 1.5 }, /seed must be an integer/],
    [{ latency: -1 }, /latency/],
    [{ latency: [10, 5] as const }, /latency/],
    [{ responseShape: "list" as "array" }, /responseShape/],
    [{ baseUrl: "not a url" }, /baseUrl must be an absolute URL/],
    [{ baseUrl: "https://x.test/api?x=1" }, /without query or fragment/],
    [{ auth: { tokenLifetimeSeconds: 0 } }, /tokenLifetimeSeconds/],
    [{ auth: { staticToken: "" } }, /staticToken/],
  ])("%j is refused with a TypeError that names the option", (options, message) => {
    expect(() => createContactsMock(options)).toThrow(message);
    expect(() => createContactsMock(options)).toThrow(TypeError);
  });
});
