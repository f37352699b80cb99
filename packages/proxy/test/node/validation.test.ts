/**
 * Issue 16 point 2: bodies are validated with the service's own rules (@sfmc-contacts/rules, the
 * code the mocks answer with) before anything is forwarded; 415 when not JSON; limits
 * maxKeysPerRequest (default 50) and maxBodyBytes; only the canonical body is forwarded.
 */
import { isRefusal, parseEstablishRequest } from "@sfmc-contacts/rules";
import { describe, expect, it } from "vitest";
import { declaredTooLarge, isEncoded, readCappedText } from "../../src/read-body.js";
import { post, proxyWithFake, ROUTE } from "../support/fake-upstream.js";

const keys = (n: number) => Array.from({ length: n }, (_, i) => `key-${i}`);

/** A request whose body arrives in chunks, with no Content-Length (chunked). */
function streamed(chunks: Uint8Array[], headers: Record<string, string> = {}): Request {
  let at = 0;
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulled++;
        const chunk = chunks[at++];
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
      // Nothing is pulled until someone reads: `pulled` counts the proxy's reads only.
    },
    { highWaterMark: 0 },
  );
  const request = new Request(ROUTE, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", cookie: "session=ok", ...headers },
    duplex: "half",
  } as RequestInit);
  Object.defineProperty(request, "pulled", { get: () => pulled });
  return request;
}

describe("media type and encoding", () => {
  it.each(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", null])(
    "%s: 415 with the rules' own body, nothing forwarded",
    async (contentType) => {
      const { proxy, upstream } = proxyWithFake();
      const request = post(undefined);
      const headers = new Headers(request.headers);
      if (contentType === null) headers.delete("content-type");
      else headers.set("content-type", contentType);
      const response = await proxy(new Request(request, { headers }));
      expect(response.status).toBe(415);
      const expected = parseEstablishRequest(contentType, "");
      expect(isRefusal(expected) && expected.status).toBe(415);
      expect(await response.json()).toEqual(isRefusal(expected) ? expected.body : undefined);
      expect(upstream.calls).toHaveLength(0);
    },
  );

  it.each(["application/json; charset=utf-8", "application/vnd.api+json", "APPLICATION/JSON"])(
    "%s is JSON",
    async (contentType) => {
      const { proxy, upstream } = proxyWithFake();
      expect((await proxy(post(undefined, { headers: { "content-type": contentType } }))).status).toBe(200);
      expect(upstream.calls).toHaveLength(1);
    },
  );

  it.each(["gzip", "br", "deflate, identity"])("Content-Encoding %s: 415, nothing forwarded", async (encoding) => {
    const { proxy, upstream } = proxyWithFake();
    const response = await proxy(post(undefined, { headers: { "content-encoding": encoding } }));
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ message: "Unsupported Media Type: send the body uncompressed" });
    expect(upstream.calls).toHaveLength(0);
  });

  it("Content-Encoding identity is fine", () => {
    expect(isEncoded(new Headers({ "content-encoding": "identity" }))).toBe(false);
    expect(isEncoded(new Headers())).toBe(false);
  });
});

describe("the service's rules", () => {
  it.each([
    ["not JSON", "{", 10004],
    ["an array", "[]", 10004],
    ["no ContactKeys", "{}", 10002],
    ["ContactKeys not an array", '{"ContactKeys":"a"}', 10001],
    ["an empty key", '{"ContactKeys":[""]}', 10005],
    ["a key of 255 characters", JSON.stringify({ ContactKeys: ["k".repeat(255)] }), 10005],
    ["a bad flag", '{"ContactKeys":["a"],"ReturnResults":"yes"}', 10001],
  ])("%s: 400 %i with the rules' body verbatim, nothing forwarded", async (_, text, errorcode) => {
    const { proxy, upstream, events } = proxyWithFake();
    const response = await proxy(post(text));
    expect(response.status).toBe(400);
    const expected = parseEstablishRequest("application/json", text, { maxKeys: 50 });
    expect(isRefusal(expected)).toBe(true);
    expect(await response.text()).toBe(JSON.stringify(isRefusal(expected) ? expected.body : null));
    expect(JSON.parse(JSON.stringify(isRefusal(expected) ? expected.body : {})).errorcode).toBe(errorcode);
    expect(upstream.calls).toHaveLength(0);
    expect(events.at(-1)).toMatchObject({ type: "response", status: 400, reason: "invalid-body", identity: "user-1" });
  });

  it("50 keys pass by default; 51 give 400 10005 and nothing is forwarded", async () => {
    const { proxy, upstream, events } = proxyWithFake();
    expect((await proxy(post({ ContactKeys: keys(50) }))).status).toBe(200);
    const response = await proxy(post({ ContactKeys: keys(51) }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      errorcode: 10005,
      message: "ContactKeys: invalid value: at most 50 contact keys per request, got 51",
    });
    expect(upstream.calls).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ reason: "too-many-keys" });
  });

  it("maxKeysPerRequest moves the limit", async () => {
    const { proxy, upstream } = proxyWithFake({ maxKeysPerRequest: 2 });
    expect((await proxy(post({ ContactKeys: keys(2) }))).status).toBe(200);
    expect((await proxy(post({ ContactKeys: keys(3) }))).status).toBe(400);
    expect(upstream.calls).toHaveLength(1);
  });

  it("camelCase, string flags and unknown fields: only the canonical PascalCase body is forwarded", async () => {
    const { proxy, upstream, events } = proxyWithFake();
    const response = await proxy(
      post({
        contactKeys: ["Key1", "Key2"],
        returnResults: "false",
        contactType: "Default",
        access_token: "x",
        extra: 1,
      }),
    );
    expect(response.status).toBe(200);
    expect(upstream.calls[0]?.body).toEqual({ ContactKeys: ["Key1", "Key2"], ReturnResults: false, ContactType: 0 });
    expect(events.at(-1)).toMatchObject({ keys: 2 });
  });

  it.each([
    [{ maxKeysPerRequest: 0 }, /maxKeysPerRequest must be a whole number from 1 to 10000, got 0/],
    [{ maxKeysPerRequest: 10_001 }, /maxKeysPerRequest/],
    [{ maxKeysPerRequest: 1.5 }, /maxKeysPerRequest/],
    [{ maxBodyBytes: 255 }, /maxBodyBytes must be a whole number from 256 to 16777216, got 255/],
    [{ maxBodyBytes: 2 ** 24 + 1 }, /maxBodyBytes/],
    [{ maxBodyBytes: "1000" }, /maxBodyBytes/],
  ])("%j is refused at creation", (options, message) => {
    expect(() => proxyWithFake(options as never)).toThrow(message);
  });
});

describe("the byte cap", () => {
  it("the default cap is 1024 × maxKeysPerRequest + 4096: 50 keys of 254 UTF-16 units in emoji fit", async () => {
    const { proxy, upstream } = proxyWithFake();
    // 127 emoji are 254 UTF-16 units and 508 UTF-8 bytes; JSON.stringify keeps them as they are.
    const big = Array.from({ length: 50 }, (_, i) => `${i}`.padEnd(2, "x") + "😀".repeat(126));
    const text = JSON.stringify({ ContactKeys: big });
    expect(new TextEncoder().encode(text).byteLength).toBeLessThanOrEqual(55_296);
    expect((await proxy(post(text))).status).toBe(200);
    expect(upstream.calls).toHaveLength(1);
  });

  it("a declared Content-Length over the cap: 413 before authorize and before reading", async () => {
    let authorized = 0;
    const { proxy, upstream } = proxyWithFake({
      maxBodyBytes: 300,
      authorize: () => {
        authorized++;
        return { identity: "u" };
      },
    });
    const request = streamed([new Uint8Array(10)], { "content-length": "301" });
    const response = await proxy(request);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ message: "Payload Too Large: the body is over 300 bytes" });
    expect(authorized).toBe(0);
    expect((request as unknown as { pulled: number }).pulled).toBe(0);
    expect(upstream.calls).toHaveLength(0);
  });

  it("a chunked body over the cap: 413, and reading stops at the first chunk past it", async () => {
    const { proxy, upstream, events } = proxyWithFake({ maxBodyBytes: 300 });
    const chunk = new Uint8Array(200).fill(0x20);
    const request = streamed(Array.from({ length: 100 }, () => chunk));
    const response = await proxy(request);
    expect(response.status).toBe(413);
    expect((request as unknown as { pulled: number }).pulled).toBeLessThanOrEqual(3);
    expect(upstream.calls).toHaveLength(0);
    expect(events.at(-1)).toMatchObject({ reason: "too-large" });
  });

  it("a Content-Length that lies (smaller than the body) does not lift the cap", async () => {
    const result = await readCappedText(
      streamed([new Uint8Array(200), new Uint8Array(200)], { "content-length": "10" }),
      300,
      60_000,
    );
    expect(result).toEqual({ ok: false, reason: "too-large" });
  });

  it("a body of many small chunks, past the first buffer: read whole into one growing buffer", async () => {
    // No Content-Length: the buffer starts at 16 KiB and doubles. 40,000 one-byte chunks.
    const text = `{"ContactKeys":["${"k".repeat(39_982)}"]}`;
    const bytes = new TextEncoder().encode(text);
    const chunks = Array.from(bytes, (byte) => Uint8Array.of(byte));
    expect(await readCappedText(streamed(chunks), 50_000, 60_000)).toEqual({ ok: true, text });
    // A declared length smaller than the body grows too, up to the cap exactly.
    expect(await readCappedText(streamed(chunks, { "content-length": "5" }), bytes.byteLength, 60_000)).toEqual({
      ok: true,
      text,
    });
    expect(await readCappedText(streamed(chunks), bytes.byteLength - 1, 60_000)).toEqual({
      ok: false,
      reason: "too-large",
    });
  });

  it("a body that never ends: 408 after bodyTimeoutMs, nothing forwarded", async () => {
    const { proxy, upstream, events } = proxyWithFake({ bodyTimeoutMs: 100 });
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"ContactKeys":['));
      },
      cancel() {
        cancelled = true;
      },
    });
    const request = new Request(ROUTE, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", cookie: "session=ok" },
      duplex: "half",
    } as RequestInit);
    const response = await proxy(request);
    expect(response.status).toBe(408);
    expect(await response.json()).toMatchObject({
      errorcode: 0,
      message: "Request Timeout: the body did not arrive within 100 ms",
    });
    expect(cancelled).toBe(true);
    expect(upstream.calls).toHaveLength(0);
    expect(events.at(-1)).toMatchObject({ type: "response", status: 408, reason: "body-timeout" });
  });

  it("bodyTimeoutMs is checked at creation", () => {
    for (const bodyTimeoutMs of [99, 600_001, 1.5, Number.NaN]) {
      expect(() => proxyWithFake({ bodyTimeoutMs })).toThrow(/bodyTimeoutMs/);
    }
  });

  it("declaredTooLarge reads only a plain number", () => {
    expect(declaredTooLarge(new Headers({ "content-length": "301" }), 300)).toBe(true);
    expect(declaredTooLarge(new Headers({ "content-length": "300" }), 300)).toBe(false);
    expect(declaredTooLarge(new Headers({ "content-length": "abc" }), 300)).toBe(false);
    expect(declaredTooLarge(new Headers(), 300)).toBe(false);
  });
});

describe("UTF-8", () => {
  it("a body that is not valid UTF-8: 400 10004, nothing forwarded", async () => {
    const { proxy, upstream } = proxyWithFake();
    const bytes = new TextEncoder().encode('{"ContactKeys":["Key?"]}');
    bytes[19] = 0xff;
    const response = await proxy(post(bytes));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      errorcode: 10004,
      message: "Invalid message format: the body is not valid UTF-8",
    });
    expect(upstream.calls).toHaveLength(0);
  });

  it("a multi-byte character split across chunks is read whole", async () => {
    const bytes = new TextEncoder().encode('{"ContactKeys":["é"]}');
    const result = await readCappedText(streamed([bytes.slice(0, 18), bytes.slice(18)]), 1000, 60_000);
    expect(result).toEqual({ ok: true, text: '{"ContactKeys":["é"]}' });
  });

  it("a stream that errors: 400, nothing forwarded", async () => {
    const { proxy, upstream } = proxyWithFake();
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error("socket reset"));
      },
    });
    const response = await proxy(
      new Request(ROUTE, {
        method: "POST",
        body,
        headers: { "content-type": "application/json", cookie: "session=ok" },
        duplex: "half",
      } as RequestInit),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      errorcode: 10004,
      message: "Invalid message format: the body could not be read to its end",
    });
    expect(upstream.calls).toHaveLength(0);
  });
});
