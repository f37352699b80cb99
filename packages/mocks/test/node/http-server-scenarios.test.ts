/**
 * The loopback HTTP server's status scenarios (`service.mock.scenarios`): the same answers as the
 * msw scenarios of the same name, applied on the socket, once or until reset.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RetryAfterOptions } from "../../src/index.js";
import { type ContactsHttpServer, setupContactsServer, startContactsHttpServer } from "../../src/node.js";
import { type Answer, establish, token } from "../support/http.js";
import { assertMatchesSpec } from "../support/spec.js";

type Kind = "unauthorized" | "forbidden" | "rateLimited" | "blocked" | "serverError" | "unavailable";
const KINDS: readonly Kind[] = ["unauthorized", "forbidden", "rateLimited", "blocked", "serverError", "unavailable"];

// Both kinds of mock with the same non-default retryAfter, so the default is seen to come from it.
const msw = setupContactsServer({ seed: 5, retryAfter: 3 });
let service: ContactsHttpServer;
let plain: ContactsHttpServer;
beforeAll(async () => {
  // Bypass: the loopback server's own requests go through msw's interceptor to the real socket.
  msw.server.listen({ onUnhandledRequest: "bypass" });
  service = await startContactsHttpServer({ seed: 5, retryAfter: 3 });
  plain = await startContactsHttpServer({ seed: 5 });
});
afterEach(() => {
  msw.server.resetHandlers();
  msw.mock.reset();
  service.mock.reset();
  plain.mock.reset();
});
afterAll(async () => {
  msw.server.close();
  await service.close();
  await plain.close();
});

const viaSocket = (server: ContactsHttpServer = service, accessToken?: string): Promise<Answer> =>
  establish({ ContactKeys: ["Key1"] }, { url: `${server.url}/contacts/v1/establish`, token: accessToken });
const viaMsw = (): Promise<Answer> => establish({ ContactKeys: ["Key1"] });
const socketToken = (server: ContactsHttpServer = service) => token(`${server.url}/v2/token`);

/** Status, body and headers, less what only a socket adds (framing, date, keep-alive). */
function shape(answer: Answer) {
  const headers: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    if (!["content-length", "date", "connection", "keep-alive", "transfer-encoding"].includes(name)) {
      headers[name] = value;
    }
  });
  return { status: answer.status, text: answer.text, headers };
}

describe("each scenario answers what the msw scenario of the same name answers", () => {
  const cases: Array<[Kind, RetryAfterOptions]> = KINDS.flatMap(
    (kind): Array<[Kind, RetryAfterOptions]> => [
      [kind, {}],
      [kind, { once: true }],
      ...(kind === "rateLimited" || kind === "unavailable"
        ? [[kind, { retryAfter: 7 }] as [Kind, RetryAfterOptions]]
        : []),
    ],
  );
  it.each(cases)("%s %j", async (kind, options) => {
    msw.server.use(msw.mock.scenarios[kind](options));
    service.mock.scenarios[kind](options);
    const expected = await viaMsw();
    const actual = await viaSocket();
    expect(shape(actual)).toEqual(shape(expected));
    expect(actual.status).not.toBe(200);
    assertMatchesSpec("establish", actual);
  });

  it("a 429 carries Retry-After in the header and the body; the default is the server's retryAfter option", async () => {
    service.mock.scenarios.rateLimited();
    const answer = await viaSocket();
    expect(answer.status).toBe(429);
    expect(answer.headers.get("retry-after")).toBe("3");
    expect(answer.body).toMatchObject({ errorcode: 50100, retryAfter: 3 });
    plain.mock.scenarios.unavailable();
    const unavailable = await viaSocket(plain);
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get("retry-after")).toBe("1");
    service.mock.scenarios.rateLimited({ retryAfter: 0 });
    expect((await viaSocket()).headers.get("retry-after")).toBe("0");
  });

  it("a retryAfter that is not whole seconds >= 0 throws where the scenario is set, like msw's", () => {
    expect(() => service.mock.scenarios.rateLimited({ retryAfter: 1.5 })).toThrow(
      /scenarios\.rateLimited: retryAfter must be a whole number/,
    );
    expect(() => service.mock.scenarios.unavailable({ retryAfter: -1 })).toThrow(TypeError);
    expect(() => msw.mock.scenarios.unavailable({ retryAfter: -1 })).toThrow(TypeError);
  });
});

describe("once, persistent, and reset", () => {
  it("once answers the next establish request only, then the happy path answers", async () => {
    const accessToken = await socketToken();
    service.mock.scenarios.rateLimited({ once: true });
    expect((await viaSocket(service, accessToken)).status).toBe(429);
    expect((await viaSocket(service, accessToken)).status).toBe(200);
    // The request that got the scenario's answer is recorded, as msw's scenario records it.
    expect(service.mock.requests.map((r) => r.route)).toEqual(["token", "establish", "establish"]);
    expect(service.mock.store.size).toBe(1);
  });

  it("without once, it answers every later establish request; the token route is untouched", async () => {
    service.mock.scenarios.serverError();
    for (let i = 0; i < 3; i++) expect((await viaSocket()).status).toBe(500);
    const accessToken = await socketToken();
    expect((await viaSocket(service, accessToken)).status).toBe(500);
    expect(service.mock.store.size).toBe(0);
  });

  it("the scenario set last wins, and a once one set over a persistent one gives way to it", async () => {
    service.mock.scenarios.forbidden();
    service.mock.scenarios.unavailable({ once: true });
    expect((await viaSocket()).status).toBe(503);
    expect((await viaSocket()).status).toBe(403);
    expect((await viaSocket()).status).toBe(403);
  });

  it("resetScenarios drops every scenario, persistent and once, and keeps the store", async () => {
    const accessToken = await socketToken();
    expect((await viaSocket(service, accessToken)).status).toBe(200);
    service.mock.scenarios.blocked();
    service.mock.scenarios.unauthorized({ once: true });
    service.mock.resetScenarios();
    expect((await viaSocket(service, accessToken)).status).toBe(200);
    expect(service.mock.store.size).toBe(1);
  });

  it("reset drops the scenarios too", async () => {
    service.mock.scenarios.blocked();
    service.mock.scenarios.rateLimited({ once: true });
    service.mock.reset();
    expect((await viaSocket(service, await socketToken())).status).toBe(200);
  });

  it("a request that never reaches the establish route does not use up a once scenario", async () => {
    service.mock.scenarios.rateLimited({ once: true });
    await socketToken();
    const wrongMethod = await fetch(`${service.url}/contacts/v1/establish`, { method: "GET" });
    expect(wrongMethod.status).toBe(405);
    expect((await viaSocket()).status).toBe(429);
  });
});
