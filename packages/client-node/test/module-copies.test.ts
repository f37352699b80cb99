/**
 * Point 16 of issue 10: one token cache per process, not per module copy. An app that reaches this
 * package through both `require` and `import` loads dist/index.cjs and dist/index.mjs side by side
 * (the dual-package hazard); the two copies must still share one token and one token request.
 *
 * This test reads the built package: `turbo run test` builds it first (test -> typecheck -> build);
 * run alone, build it with `pnpm --filter @sfmc-contacts/client-node build`.
 */
import { existsSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as source from "../src/index.js";
import {
  establishAnswer,
  json,
  type Received,
  type RecordingServer,
  startRecordingServer,
  tokenBody,
} from "./support/recording-server.js";

type Package = typeof source;

const cjsPath = fileURLToPath(new URL("../dist/index.cjs", import.meta.url));
const esmPath = fileURLToPath(new URL("../dist/index.mjs", import.meta.url));

let cjs: Package;
let esm: Package;
let service: RecordingServer;
let answerToken: (request: Received, response: ServerResponse) => void;
const issueToken = (_request: Received, response: ServerResponse) => json(response, 200, tokenBody(service.url));

beforeAll(async () => {
  if (!existsSync(cjsPath) || !existsSync(esmPath)) {
    throw new Error("dist/ is missing: run `pnpm --filter @sfmc-contacts/client-node build` first");
  }
  cjs = createRequire(import.meta.url)(cjsPath) as Package;
  esm = (await import(pathToFileURL(esmPath).href)) as Package;
  service = await startRecordingServer((request, response) => {
    if (request.path === "/v2/token") return answerToken(request, response);
    if (request.path === "/contacts/v1/establish") return establishAnswer(request, response);
    response.writeHead(404).end();
  });
});
afterEach(() => {
  answerToken = issueToken;
  service.requests.length = 0;
  source.clearTokenCache();
});
afterAll(() => service.close());
answerToken = issueToken;

const tokenRequests = () => service.on("/v2/token");
const optionsFor = () => ({
  clientId: "the-id",
  clientSecret: "the-secret",
  authBaseUrl: service.url,
  baseUrl: service.url,
  retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
});

describe("point 16: the CommonJS and ESM builds in one process", () => {
  it("are two module copies (otherwise this test would prove nothing)", () => {
    expect(cjs.createContactsClient).not.toBe(esm.createContactsClient);
    expect(cjs.clearTokenCache).not.toBe(esm.clearTokenCache);
  });

  it("share one token: a client of each copy (and of the source) makes one token request", async () => {
    const clients = [cjs, esm, source].map((copy) => copy.createContactsClient(optionsFor()));
    for (const client of clients) expect((await client.establish(["a"])).contacts).toHaveLength(1);
    expect(tokenRequests()).toHaveLength(1);
  });

  it("share one token request in flight (single-flight across copies)", async () => {
    const clients = [cjs, esm, cjs, esm].map((copy) => copy.createContactsClient(optionsFor()));
    const results = await Promise.all(clients.map((client, i) => client.establish([`k${i}`])));
    expect(results.every((r) => r.contacts.length === 1)).toBe(true);
    expect(tokenRequests()).toHaveLength(1);
  });

  it("clearTokenCache of one copy clears the other's", async () => {
    await esm.createContactsClient(optionsFor()).establish(["a"]);
    cjs.clearTokenCache();
    await esm.createContactsClient(optionsFor()).establish(["b"]);
    expect(tokenRequests()).toHaveLength(2);
  });

  it("a token error shared across copies stays typed: instanceof works across copies, and nothing is retried", async () => {
    answerToken = (_request, response) =>
      json(response, 401, { error: "invalid_client", error_description: "Client authentication failed." });
    const [fromCjs, fromEsm] = await Promise.all(
      [cjs, esm].map((copy) =>
        copy
          .createContactsClient(optionsFor())
          .establish(["a"])
          .catch((e: unknown) => e),
      ),
    );
    // One request, shared: the second copy's pipeline must recognise the first copy's error as
    // final, not wrap it as a network error and retry.
    expect(tokenRequests()).toHaveLength(1);
    for (const error of [fromCjs, fromEsm]) {
      expect(error).toMatchObject({ name: "ContactsAuthError", error: "invalid_client" });
      expect(error).toBeInstanceOf(cjs.ContactsAuthError);
      expect(error).toBeInstanceOf(esm.ContactsAuthError);
      expect(error).toBeInstanceOf(source.ContactsError);
      expect(error).not.toBeInstanceOf(esm.ContactsApiError);
    }
  });
});

describe("issue 15: the shared gate and budget across the CommonJS and ESM builds", () => {
  const establishes = () => service.on("/contacts/v1/establish");
  const throttled = (_request: Received, response: ServerResponse) =>
    response
      .writeHead(429, { "content-type": "application/json", "retry-after": "60" })
      .end(JSON.stringify({ message: "Too many requests", errorcode: 50100, documentation: "" }));

  it("a 429 met by a CommonJS client closes the gate for an ESM client of the same identity", async () => {
    const options = { ...optionsFor(), clientId: "copies-gate" };
    const viaCjs = cjs.createContactsClient({ ...options, retry: false });
    const viaEsm = esm.createContactsClient({ ...options, retry: { maxDelayMs: 100 } });
    const original = service.answer;
    service.answer = (request, response) =>
      request.path === "/contacts/v1/establish" ? throttled(request, response) : original(request, response);
    try {
      await expect(viaCjs.establish(["a"])).rejects.toBeInstanceOf(esm.ContactsApiError);
    } finally {
      service.answer = original;
    }
    expect(establishes()).toHaveLength(1);
    const error = await viaEsm.establish(["b"]).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ContactsThrottledError", code: "CONTACTS_THROTTLED" });
    expect(error).toBeInstanceOf(cjs.ContactsThrottledError);
    expect(establishes()).toHaveLength(1); // nothing sent
    // clearTokenCache of either copy reopens it for both.
    cjs.clearTokenCache();
    expect((await viaEsm.establish(["c"])).contacts).toHaveLength(1);
  });

  it("share one maxRequestsPerSecond budget: 4 requests at 5/s (burst 1) take at least 3/5 s", async () => {
    const options = { ...optionsFor(), clientId: "copies-budget", maxRequestsPerSecond: 5 };
    const clients = [cjs, esm, cjs, esm].map((copy) => copy.createContactsClient(options));
    const started = Date.now();
    await Promise.all(clients.map((client, i) => client.establish([`k${i}`])));
    // Two separate budgets would take about 1/5 s (one burst each, then one more each).
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(establishes()).toHaveLength(4);
  });
});
