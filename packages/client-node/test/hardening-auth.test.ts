/**
 * The token route at its edges (issue 10, points 1, 2, 3, 4 and 10), over real sockets on
 * 127.0.0.1: what each server received is the evidence, not what the client says it did.
 */
import type { ServerResponse } from "node:http";
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  ContactsApiError,
  ContactsAuthError,
  type ContactsEvent,
  ContactsTimeoutError,
  ContactsValidationError,
  clearTokenCache,
  createContactsClient,
  type NodeClientOptions,
} from "../src/index.js";
import { agentFetch, createAgent } from "../src/undici-transport.js";
import {
  establishAnswer,
  json,
  type Received,
  type RecordingServer,
  startRecordingServer,
  tokenBody,
} from "./support/recording-server.js";

const SECRET = "client-secret-never-forwarded";
const TRANSPORTS = ["fetch", "undici"] as const;

/** The service: token route and REST route on one loopback host. */
let service: RecordingServer;
/** Where a redirect points: it must never hear from the client. */
let evil: RecordingServer;
/** How the service's token route answers; reset after each test. */
let answerToken: (request: Received, response: ServerResponse) => void;
const issueToken = (_request: Received, response: ServerResponse) => json(response, 200, tokenBody(service.url));

beforeAll(async () => {
  service = await startRecordingServer((request, response) => {
    if (request.path === "/v2/token") return answerToken(request, response);
    if (request.path === "/contacts/v1/establish") return establishAnswer(request, response);
    response.writeHead(404).end();
  });
  evil = await startRecordingServer((request, response) => {
    if (request.path === "/v2/token") return json(response, 200, tokenBody(evil.url, { access_token: "evil-token" }));
    return establishAnswer(request, response);
  });
});
afterEach(() => {
  answerToken = issueToken;
  service.requests.length = 0;
  evil.requests.length = 0;
  clearTokenCache();
});
afterAll(async () => {
  await service.close();
  await evil.close();
});
answerToken = issueToken;

const tokenRequests = () => service.on("/v2/token");
const establishRequests = () => service.on("/contacts/v1/establish");

/** A client of the loopback service. Retries are fast and several: a retried token error shows as extra requests. */
const clientFor = (options: Partial<NodeClientOptions> = {}) =>
  createContactsClient({
    clientId: "the-id",
    clientSecret: SECRET,
    authBaseUrl: service.url,
    baseUrl: service.url,
    retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
    ...options,
  });

/** What a caller could print or ship to a log: message, JSON, inspect, String. */
const texts = (...values: unknown[]) =>
  values.flatMap((value) => [
    JSON.stringify(value) ?? "",
    inspect(value, { depth: 10, showHidden: true }),
    String(value),
    value instanceof Error ? value.message : "",
  ]);

describe("point 2: the host rule holds per client, whatever the cache holds", () => {
  describe.each(TRANSPORTS)("%s transport", (transport) => {
    it("a client without baseUrl refuses a cached token whose rest_instance_url is untrusted, and sends it nowhere", async () => {
      const trusting = clientFor({ transport });
      const first = await trusting.establish(["a"]);
      expect(first.contacts).toHaveLength(1);
      expect(tokenRequests()).toHaveLength(1);
      expect(establishRequests()).toHaveLength(1);

      // Same auth host and credentials, so the same cache entry, but no explicit baseUrl.
      const strict = createContactsClient({
        clientId: "the-id",
        clientSecret: SECRET,
        authBaseUrl: service.url,
        transport,
        retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
      });
      const error = await strict.establish(["b"]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ContactsAuthError);
      expect(error).toMatchObject({ error: "untrusted_rest_instance_url", retryable: false });
      expect((error as Error).message).toContain("Set baseUrl explicitly");
      const rawError = await strict.raw
        .POST("/contacts/v1/establish", { body: { ContactKeys: ["c"] } })
        .catch((e: unknown) => e);
      expect(rawError).toMatchObject({ name: "ContactsAuthError", error: "untrusted_rest_instance_url" });

      // Nothing more reached the host: no establish, no bearer, not even another token request.
      expect(establishRequests()).toHaveLength(1);
      expect(tokenRequests()).toHaveLength(1);
      expect(service.requests).toHaveLength(2);
      await trusting.close();
      await strict.close();
    });
  });

  it("the strict client fetching first does not stop a trusting client from using the same token", async () => {
    const strict = createContactsClient({ clientId: "the-id", clientSecret: SECRET, authBaseUrl: service.url });
    await expect(strict.establish(["a"])).rejects.toMatchObject({ error: "untrusted_rest_instance_url" });
    expect(establishRequests()).toHaveLength(0);
    const result = await clientFor().establish(["b"]);
    expect(result.contacts).toHaveLength(1);
    expect(tokenRequests()).toHaveLength(1);
  });
});

describe("point 3: the cache identity includes scope", () => {
  let issued = 0;
  const distinctTokens = (_request: Received, response: ServerResponse) =>
    json(response, 200, tokenBody(service.url, { access_token: `token-${++issued}` }));
  const bearerOf = (request: Received | undefined) => request?.headers.authorization;
  const scopeOf = (request: Received | undefined) => (JSON.parse(request?.body ?? "{}") as { scope?: string }).scope;

  it("a narrow-scope client never gets the broader token another client cached", async () => {
    answerToken = distinctTokens;
    issued = 0;
    await clientFor().establish(["broad"]);
    await clientFor({ scope: "list_and_subscribers_read" }).establish(["narrow"]);
    expect(tokenRequests()).toHaveLength(2);
    expect(scopeOf(tokenRequests()[0])).toBeUndefined();
    expect(scopeOf(tokenRequests()[1])).toBe("list_and_subscribers_read");
    expect(establishRequests().map(bearerOf)).toEqual(["Bearer token-1", "Bearer token-2"]);
  });

  it("nor the other way round; different scopes stay apart, the same scopes in another order share", async () => {
    answerToken = distinctTokens;
    issued = 0;
    await clientFor({ scope: "list_and_subscribers_read" }).establish(["narrow"]);
    await clientFor().establish(["broad"]);
    await clientFor({ scope: "list_and_subscribers_read list_and_subscribers_write" }).establish(["two"]);
    await clientFor({ scope: "list_and_subscribers_write  list_and_subscribers_read" }).establish(["same two"]);
    expect(tokenRequests()).toHaveLength(3);
    expect(establishRequests().map(bearerOf)).toEqual([
      "Bearer token-1",
      "Bearer token-2",
      "Bearer token-3",
      "Bearer token-3",
    ]);
  });

  it("an explicit empty scope is not the same identity as no scope", async () => {
    answerToken = distinctTokens;
    issued = 0;
    await clientFor().establish(["a"]);
    await clientFor({ scope: "" }).establish(["b"]);
    expect(tokenRequests()).toHaveLength(2);
  });
});

describe("point 4: a token is checked before it is used", () => {
  const MARK = "SECRETTOKENMARK";
  it.each([
    ["CR LF (header injection)", { access_token: `${MARK}\r\nX-Injected: 1` }, "invalid_access_token"],
    ["a bare LF", { access_token: `${MARK}\nX-Injected: 1` }, "invalid_access_token"],
    ["a bare CR", { access_token: `${MARK}\rX` }, "invalid_access_token"],
    ["NUL", { access_token: `${MARK}\u0000tail` }, "invalid_access_token"],
    ["a space", { access_token: `${MARK} other` }, "invalid_access_token"],
    ["a tab", { access_token: `${MARK}\tother` }, "invalid_access_token"],
    ["a comma", { access_token: `${MARK},other` }, "invalid_access_token"],
    ["non-ASCII", { access_token: `${MARK}\u00e9` }, "invalid_access_token"],
    ["an empty token", { access_token: "" }, "invalid_access_token"],
    ["no token", { access_token: undefined }, "invalid_response"],
    ["token_type with CR LF", { access_token: MARK, token_type: "Bearer\r\nX-Injected: 1" }, "unsupported_token_type"],
    ["token_type with NUL", { access_token: MARK, token_type: "Bearer\u0000" }, "unsupported_token_type"],
    ["token_type MAC", { access_token: MARK, token_type: "MAC" }, "unsupported_token_type"],
    ["no token_type", { access_token: MARK, token_type: undefined }, "unsupported_token_type"],
  ])("%s: ContactsAuthError, nothing sent, the token never quoted", async (_, overrides, code) => {
    answerToken = (_request, response) => json(response, 200, tokenBody(service.url, overrides));
    for (const transport of TRANSPORTS) {
      clearTokenCache();
      const events: ContactsEvent[] = [];
      const client = clientFor({ transport, onEvent: (event) => events.push(event) });
      const error = await client.establish(["a"]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ContactsAuthError);
      expect(error).toMatchObject({ error: code, status: 200, retryable: false });
      for (const text of texts(error, events)) {
        expect(text).not.toContain(MARK);
        expect(text).not.toContain(SECRET);
      }
      await client.close();
    }
    // One token request per call (not retried), never an establish.
    expect(tokenRequests()).toHaveLength(TRANSPORTS.length);
    expect(establishRequests()).toHaveLength(0);
  });

  it("token_type is matched without regard to case, and the header always says Bearer", async () => {
    answerToken = (_request, response) =>
      json(response, 200, tokenBody(service.url, { access_token: "abc.DEF-ghi_~+/==", token_type: "bEaReR" }));
    await clientFor().establish(["a"]);
    expect(establishRequests()[0]?.headers.authorization).toBe("Bearer abc.DEF-ghi_~+/==");
  });
});

describe("point 10: expires_in must be a finite number of seconds above 0", () => {
  const raw = (text: string) => (_request: Received, response: ServerResponse) =>
    response.writeHead(200, { "content-type": "application/json" }).end(text);
  const withExpiry = (expiresIn: string) =>
    raw(JSON.stringify(tokenBody(service.url)).replace('"expires_in":1079', `"expires_in":${expiresIn}`));

  it.each([
    ["0", "invalid_expires_in"],
    ["-5", "invalid_expires_in"],
    ["-0.5", "invalid_expires_in"],
    ['"1079"', "invalid_expires_in"],
    ['"soon"', "invalid_expires_in"],
    ["null", "invalid_expires_in"],
    ["true", "invalid_expires_in"],
    ["1e999", "invalid_expires_in"], // JSON.parse reads it as Infinity
    ["-1e999", "invalid_expires_in"],
    ["NaN", "invalid_response"], // not JSON at all
  ])("expires_in %s: a ContactsAuthError, one token request per call, no loop", async (expiresIn, code) => {
    answerToken = withExpiry(expiresIn);
    for (const transport of TRANSPORTS) {
      const client = clientFor({ transport });
      for (let call = 0; call < 2; call++) {
        const error = await client.establish(["a"]).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ContactsAuthError);
        expect(error).toMatchObject({ error: code, retryable: false });
      }
      await client.close();
    }
    expect(tokenRequests()).toHaveLength(2 * TRANSPORTS.length);
    expect(establishRequests()).toHaveLength(0);
  });

  it("a missing expires_in is the same error", async () => {
    answerToken = (_request, response) => json(response, 200, tokenBody(service.url, { expires_in: undefined }));
    await expect(clientFor().establish(["a"])).rejects.toMatchObject({ error: "invalid_expires_in" });
    expect(tokenRequests()).toHaveLength(1);
  });

  it("a tiny positive expires_in is used for its one call: one token request per call, never more", async () => {
    answerToken = withExpiry("0.001");
    const client = clientFor();
    for (let call = 0; call < 3; call++) expect((await client.establish([`k${call}`])).contacts).toHaveLength(1);
    expect(tokenRequests()).toHaveLength(3);
    expect(establishRequests()).toHaveLength(3);
  });
});

describe("point 1: the token route never follows a redirect", () => {
  const redirectTo = (status: number) => (_request: Received, response: ServerResponse) =>
    response.writeHead(status, { location: `${evil.url}/v2/token` }).end();
  const expectRefusedRedirect = (error: unknown, status: number) => {
    expect(error).toBeInstanceOf(ContactsApiError);
    expect(error).toMatchObject({ status, retryable: false });
    expect((error as Error).message).toMatch(/redirect/i);
    expect((error as Error).message).toContain("manual");
    for (const text of texts(error)) expect(text).not.toContain(SECRET);
  };

  describe.each(TRANSPORTS)("%s transport", (transport) => {
    it.each([301, 302, 303, 307, 308])("%i: a typed error, nothing sent to the Location", async (status) => {
      answerToken = redirectTo(status);
      const client = clientFor({ transport });
      const error = await client.establish(["a"]).catch((e: unknown) => e);
      expectRefusedRedirect(error, status);
      const rawError = await client.raw
        .POST("/contacts/v1/establish", { body: { ContactKeys: ["b"] } })
        .catch((e: unknown) => e);
      expectRefusedRedirect(rawError, status);
      expect(evil.requests).toHaveLength(0);
      // Not retried: one token request per call.
      expect(tokenRequests()).toHaveLength(2);
      expect(establishRequests()).toHaveLength(0);
      await client.close();
    });
  });

  it.each(TRANSPORTS)("%s transport: raw never follows a redirect of the REST host either", async (transport) => {
    const client = clientFor({ transport });
    const original = service.answer;
    service.answer = (request, response) => {
      if (request.path === "/contacts/v1/establish")
        return void response.writeHead(307, { location: `${evil.url}/contacts/v1/establish` }).end();
      original(request, response);
    };
    try {
      const result = await client.raw
        .POST("/contacts/v1/establish", { body: { ContactKeys: ["b"] } })
        .catch((e: unknown) => e);
      expect(evil.requests).toHaveLength(0);
      expectRefusedRedirect(result, 307);
    } finally {
      service.answer = original;
      await client.close();
    }
  });

  it.each([301, 302, 303, 307, 308])("agentFetch (the undici path's fetch) hands back %i as it is", async (status) => {
    answerToken = redirectTo(status);
    const agent = createAgent();
    try {
      const response = await agentFetch(agent)(
        new Request(`${service.url}/v2/token`, { method: "POST", body: JSON.stringify({ client_secret: SECRET }) }),
      );
      expect(response.status).toBe(status);
      expect(evil.requests).toHaveLength(0);
    } finally {
      await agent.close();
    }
  });
});

describe("the token request's time limit is the client's validated timeoutMs", () => {
  it("a value core refuses fails at creation, before any token request", () => {
    for (const timeoutMs of [2 ** 31, Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(() => clientFor({ timeoutMs })).toThrow(ContactsValidationError);
    }
    expect(service.requests).toHaveLength(0);
  });

  it("the default (30 s) and an explicit value reach the token request", async () => {
    const limits: number[] = [];
    const timeout = AbortSignal.timeout.bind(AbortSignal);
    const spy = vi.spyOn(AbortSignal, "timeout").mockImplementation((ms) => {
      limits.push(ms);
      return timeout(ms);
    });
    try {
      await clientFor().establish(["a"]);
      expect(limits.length).toBeGreaterThan(0);
      expect(limits.every((ms) => ms === 30_000)).toBe(true);
      limits.length = 0;
      clearTokenCache();
      await clientFor({ timeoutMs: 12_345 }).establish(["b"]);
      expect(limits.length).toBeGreaterThan(0);
      expect(limits.every((ms) => ms === 12_345)).toBe(true);
    } finally {
      spy.mockRestore();
    }
    expect(tokenRequests()).toHaveLength(2);
  });

  it("a stalled token route ends in ContactsTimeoutError after timeoutMs", async () => {
    answerToken = () => {
      // Never answers.
    };
    // Long enough that the token request surely reaches the server on a loaded machine.
    const error = await clientFor({ timeoutMs: 2_000, retry: { attempts: 1 } })
      .establish(["a"])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 2_000 });
    expect(tokenRequests()).toHaveLength(1);
  });
});

describe("maxResponseBytes holds for the token route and raw, not only for establish", () => {
  const padded = (body: Record<string, unknown>) => ({ ...body, padding: "x".repeat(4096) });

  it.each(TRANSPORTS)("%s transport: a token answer over the cap is a typed error", async (transport) => {
    answerToken = (_request, response) => json(response, 200, padded(tokenBody(service.url)));
    const client = clientFor({ transport, maxResponseBytes: 1024 });
    const error = await client.establish(["a"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsApiError);
    expect((error as Error).message).toContain("maxResponseBytes");
    expect(establishRequests()).toHaveLength(0);
    await client.close();
  });

  it.each(TRANSPORTS)("%s transport: a raw answer over the cap is a typed error", async (transport) => {
    const client = clientFor({ transport, maxResponseBytes: 1024 });
    const original = service.answer;
    service.answer = (request, response) => {
      if (request.path === "/contacts/v1/establish") return json(response, 200, padded({ items: [] }));
      original(request, response);
    };
    try {
      const error = await client.raw
        .POST("/contacts/v1/establish", { body: { ContactKeys: ["a"] } })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ContactsApiError);
      expect((error as Error).message).toContain("maxResponseBytes");
    } finally {
      service.answer = original;
      await client.close();
    }
  });
});
