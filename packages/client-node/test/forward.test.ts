/**
 * createForwarder (`@sfmc-contacts/client-node/internal`) over real sockets on 127.0.0.1: the
 * mocks' loopback HTTP server for the service's own answers, and a recording server for answers
 * the service gives rarely (429, 401 twice, stalls, redirects).
 */
import { randomUUID } from "node:crypto";
import { type ContactsHttpServer, startContactsHttpServer } from "@sfmc-contacts/mocks/http-server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  ContactsApiError,
  type ContactsEvent,
  ContactsThrottledError,
  ContactsTimeoutError,
  clearTokenCache,
} from "../src/index.js";
import { createForwarder, type Forwarder } from "../src/internal.js";
import { json, type RecordingServer, startRecordingServer, tokenBody } from "./support/recording-server.js";

const body = { ContactKeys: ["fwd-1", "fwd-2"] };
const open: Forwarder[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
  clearTokenCache();
});

/** A fetch that keeps every token it saw issued and every establish answer's exact text. */
function recordingFetch() {
  const tokens: string[] = [];
  const establishTexts: string[] = [];
  const fetchFn = async (request: Request) => {
    const response = await fetch(request);
    const text = await response.clone().text();
    if (request.url.endsWith("/v2/token")) {
      const token = (JSON.parse(text) as { access_token?: string }).access_token;
      if (token) tokens.push(token);
    } else establishTexts.push(text);
    return response;
  };
  return { tokens, establishTexts, fetch: fetchFn };
}

describe("against the mocks' loopback HTTP server", () => {
  let service: ContactsHttpServer;
  const clientId = `fwd-${randomUUID()}`;
  beforeAll(async () => {
    service = await startContactsHttpServer({ seed: 1, auth: { clientId, clientSecret: "fwd-secret" } });
  });
  afterAll(() => service.close());
  afterEach(() => service.mock.reset());

  const forwarderFor = (recording: ReturnType<typeof recordingFetch>) => {
    const forwarder = createForwarder({
      clientId,
      clientSecret: "fwd-secret",
      baseUrl: service.url,
      authBaseUrl: service.url,
      fetch: recording.fetch,
    });
    open.push(forwarder);
    return forwarder;
  };

  it("hands back the service's 200 text byte for byte", async () => {
    const recording = recordingFetch();
    const reply = await forwarderFor(recording).forward(body);
    expect(reply.status).toBe(200);
    expect(recording.establishTexts).toHaveLength(1);
    expect(reply.text).toBe(recording.establishTexts[0]);
    expect(reply.header("content-type")).toMatch(/json/);
  });

  it("renews an expired token once after a 401 and hands back the 200", async () => {
    const recording = recordingFetch();
    const forwarder = forwarderFor(recording);
    expect((await forwarder.forward(body)).status).toBe(200);
    service.mock.expireTokens();
    const before = service.mock.requests.length;
    const reply = await forwarder.forward(body);
    expect(reply.status).toBe(200);
    const later = service.mock.requests.slice(before).map((r) => r.route);
    // 401, then a token request, then the 200: two establish requests and one more token request.
    expect(later.filter((route) => route === "establish")).toHaveLength(2);
    expect(later.filter((route) => route === "token")).toHaveLength(1);
    expect(recording.tokens).toHaveLength(2);
    expect(reply.text).toBe(recording.establishTexts.at(-1));
  });

  it("gives the per-call onEvent request and response events, and the token appears in none", async () => {
    const recording = recordingFetch();
    const forwarder = forwarderFor(recording);
    const events: ContactsEvent[] = [];
    await forwarder.forward(body);
    service.mock.expireTokens();
    await forwarder.forward(body, { onEvent: (event) => events.push(event) });
    expect(events.map((e) => e.type)).toEqual(["request", "response", "request", "response"]);
    expect(events.filter((e) => e.type === "response").map((e) => (e as { status: number }).status)).toEqual([
      401, 200,
    ]);
    expect(recording.tokens).toHaveLength(2);
    const seen = JSON.stringify(events, (_key, value) =>
      value instanceof Error ? { name: value.name, message: value.message } : value,
    );
    for (const token of recording.tokens) expect(seen).not.toContain(token);
  });
});

describe.each(["fetch", "undici"] as const)("against a recording server (%s transport)", (transport) => {
  let server: RecordingServer;
  let establishes: number;
  beforeAll(async () => {
    server = await startRecordingServer();
  });
  afterAll(() => server.close());

  /** The token route answers a token per request; establish answers with `answer(n)` (n from 1). */
  const serve = (answer: (n: number, response: Parameters<RecordingServer["answer"]>[1]) => void) => {
    establishes = 0;
    let issued = 0;
    server.requests.length = 0;
    server.answer = (request, response) => {
      if (request.path === "/v2/token")
        return json(response, 200, tokenBody(server.url, { access_token: `rec-token-${++issued}-abcdef` }));
      if (request.path === "/contacts/v1/establish") return answer(++establishes, response);
      response.writeHead(404).end();
    };
  };
  const forwarderFor = (options: Parameters<typeof createForwarder>[0] extends infer O ? Partial<O> : never = {}) => {
    const forwarder = createForwarder({
      clientId: `fwd-${randomUUID()}`,
      clientSecret: "fwd-secret",
      baseUrl: server.url,
      authBaseUrl: server.url,
      transport,
      ...options,
    });
    open.push(forwarder);
    return forwarder;
  };
  const tooMany = (response: Parameters<RecordingServer["answer"]>[1]) =>
    response
      .writeHead(429, { "content-type": "application/json", "retry-after": "2" })
      .end('{"message":"Too Many Requests","errorcode":50100}');
  const ok = (response: Parameters<RecordingServer["answer"]>[1]) =>
    response
      .writeHead(200, { "content-type": "application/json" })
      .end('{"items":[],"resultMessages":[],"operationStatus":"OK","requestServiceMessageID":"x"}');

  it("hands back a 429 with its Retry-After after one request, without retrying", async () => {
    serve((_n, response) => tooMany(response));
    const events: ContactsEvent[] = [];
    const reply = await forwarderFor().forward(body, { onEvent: (event) => events.push(event) });
    expect(reply.status).toBe(429);
    expect(reply.header("retry-after")).toBe("2");
    expect(reply.text).toBe('{"message":"Too Many Requests","errorcode":50100}');
    expect(establishes).toBe(1);
    expect(events.some((e) => e.type === "retry")).toBe(false);
  });

  it("after a 429, refuses at the closed gate with ContactsThrottledError and sends nothing", async () => {
    serve((_n, response) => tooMany(response));
    const clientId = `fwd-${randomUUID()}`;
    const first = forwarderFor({ clientId });
    expect((await first.forward(body)).status).toBe(429);
    // Another forwarder (or client) with the same credentials shares the gate.
    const second = forwarderFor({ clientId });
    const error = await second.forward(body).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ContactsThrottledError);
    expect((error as ContactsThrottledError).stoppedBy).toBe("gate");
    expect((error as ContactsThrottledError).retryAfter).toBeGreaterThanOrEqual(1);
    expect((error as ContactsThrottledError).retryAfter).toBeLessThanOrEqual(2);
    expect((error as Error).message).toMatch(/nothing was sent/);
    expect(establishes).toBe(1);
    // Other credentials have a gate of their own.
    serve((_n, response) => ok(response));
    expect((await forwarderFor().forward(body)).status).toBe(200);
  });

  it("with retry configured, hands back the second answer", async () => {
    serve((n, response) =>
      n === 1
        ? response
            .writeHead(429, { "content-type": "application/json", "retry-after": "0" })
            .end('{"message":"Too Many Requests","errorcode":50100}')
        : ok(response),
    );
    const reply = await forwarderFor({ retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5_000 } }).forward(body);
    expect(reply.status).toBe(200);
    expect(establishes).toBe(2);
  });

  it("a 401 that stays after one renewal is handed back", async () => {
    serve((_n, response) =>
      response
        .writeHead(401, { "content-type": "application/json", "www-authenticate": 'Bearer error="invalid_token"' })
        .end('{"message":"Not Authorized","errorcode":0}'),
    );
    const reply = await forwarderFor().forward(body);
    expect(reply.status).toBe(401);
    expect(reply.text).toBe('{"message":"Not Authorized","errorcode":0}');
    expect(establishes).toBe(2);
    expect(server.on("/v2/token")).toHaveLength(2);
  });

  it("a stalled server is a ContactsTimeoutError", async () => {
    serve((_n, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write('{"items":[');
    });
    const error = await forwarderFor({ timeoutMs: 1_000 })
      .forward(body)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ContactsTimeoutError);
    expect(establishes).toBe(1);
  }, 30_000);

  it("a 307 is a ContactsApiError and nothing is sent to its Location", async () => {
    serve((_n, response) => response.writeHead(307, { location: `${server.url}/elsewhere` }).end());
    const error = await forwarderFor()
      .forward(body)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ContactsApiError);
    expect(server.on("/elsewhere")).toHaveLength(0);
    expect(establishes).toBe(1);
  });

  it("a closed forwarder refuses with nothing sent", async () => {
    serve((_n, response) => ok(response));
    const forwarder = forwarderFor();
    await forwarder.close();
    await expect(forwarder.forward(body)).rejects.toMatchObject({ name: "ContactsValidationError" });
    expect(server.requests).toHaveLength(0);
  });

  it("refuses bad options at creation", () => {
    expect(() => createForwarder({ clientId: "", clientSecret: "s" })).toThrow(/clientId/);
    expect(() =>
      createForwarder({
        clientId: "a",
        clientSecret: "s",
        baseUrl: server.url,
        authBaseUrl: server.url,
        timeoutMs: -1,
      }),
    ).toThrow(/timeoutMs/);
  });
});
