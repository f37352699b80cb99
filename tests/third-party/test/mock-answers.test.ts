/**
 * Invalid requests sent straight through Prism to the mock: the mock refuses each as the spec
 * says, and Prism finds each of the mock's answers valid against the spec (issue 12, point 11).
 * Prism's own opinion of the request is checked too: where the spec makes a request invalid,
 * Prism must flag it, so the catalogue cannot drift into requests the spec allows. Prism runs
 * without --errors, so it forwards an invalid request instead of answering 422 itself: the
 * status asserted is always the mock's, and Prism's verdict is read from `sl-violations`.
 */
import { type ContactsScenarios, createContactsMock } from "@sfmc-contacts/mocks";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Exchange, requestViolations, responseViolations } from "./support/front.js";
import type { Answer } from "./support/relay.js";
import { CREDENTIALS, type Rig, SEED, startRig } from "./support/rig.js";

let rig: Rig;

beforeAll(async () => {
  rig = await startRig({ relay: true });
});
afterAll(async () => {
  await rig?.close();
});
beforeEach(() => rig.reset());
// Every answer of the test, the token requests' included, is valid by the spec.
afterEach(() => {
  expect(responseViolations(rig.exchanges)).toEqual([]);
});

const TOKEN_BODY = {
  grant_type: "client_credentials",
  client_id: CREDENTIALS.clientId,
  client_secret: CREDENTIALS.clientSecret,
  account_id: CREDENTIALS.accountId,
};

interface Sent {
  status: number;
  headers: Headers;
  body: unknown;
  exchange: Exchange;
}

/** Sends one request to `base` (the front door by default) and returns the answer and its exchange. */
async function send(path: string, init: RequestInit, base = rig.url): Promise<Sent> {
  const before = rig.exchanges.length;
  const response = await fetch(`${base}${path}`, { method: "POST", ...init });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  expect(rig.exchanges.length, "exactly one exchange went through Prism").toBe(before + 1);
  return { status: response.status, headers: response.headers, body, exchange: rig.exchanges.at(-1) as Exchange };
}

async function accessToken(): Promise<string> {
  const { status, body } = await send("/v2/token", {
    headers: { "content-type": "application/json" },
    body: JSON.stringify(TOKEN_BODY),
  });
  expect(status).toBe(200);
  return (body as { access_token: string }).access_token;
}

const json = (token?: string): Record<string, string> => ({
  "content-type": "application/json",
  ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
});

/** The one exchange passed the spec on the answer's side; on the request's side, Prism flagged it or not as expected. */
function expectVerdict(sent: Sent, requestFlagged: boolean): void {
  expect(responseViolations([sent.exchange])).toEqual([]);
  if (requestFlagged) expect(requestViolations([sent.exchange])).not.toEqual([]);
  else expect(requestViolations([sent.exchange])).toEqual([]);
}

interface EstablishCase {
  name: string;
  body: string;
  contentType?: string;
  status: number;
  answer: Record<string, unknown>;
  /** Whether the spec makes the request invalid (Prism must flag it). */
  flagged: boolean;
}

const ESTABLISH_CASES: EstablishCase[] = [
  { name: "ContactKeys missing", body: "{}", status: 400, answer: { errorcode: 10002 }, flagged: true },
  { name: "ContactKeys empty", body: '{"ContactKeys":[]}', status: 400, answer: { errorcode: 10005 }, flagged: true },
  // camelCase is typed (issue 12 point 1), not waved through: what is invalid in PascalCase is
  // invalid in camelCase too, and Prism still flags it.
  {
    name: "contactKeys empty (camelCase)",
    body: '{"contactKeys":[]}',
    status: 400,
    answer: { errorcode: 10005 },
    flagged: true,
  },
  {
    name: "returnResults: null (camelCase)",
    body: '{"contactKeys":["Key1"],"returnResults":null}',
    status: 400,
    answer: { errorcode: 10001 },
    flagged: true,
  },
  {
    name: "a body that is JSON but not an object",
    body: "[]",
    status: 400,
    answer: { errorcode: 10004 },
    flagged: true,
  },
  ...["ContactType", "ReturnResults", "CorrelateResponseItem", "IncludeNewContactAwareness"].map((field) => ({
    name: `${field}: null`,
    body: JSON.stringify({ ContactKeys: ["Key1"], [field]: null }),
    status: 400,
    answer: { errorcode: 10001, message: expect.stringContaining(`${field}: null`) },
    flagged: true,
  })),
  {
    name: 'a flag that is neither a boolean nor "true"/"false"',
    body: '{"ContactKeys":["Key1"],"ReturnResults":"maybe"}',
    status: 400,
    answer: { errorcode: 10001 },
    flagged: true,
  },
  {
    name: "a ContactType the mock does not know",
    body: '{"ContactKeys":["Key1"],"ContactType":5}',
    status: 400,
    answer: { errorcode: 10005 },
    flagged: false,
  },
  {
    name: "a body sent as text/plain",
    body: '{"ContactKeys":["Key1"]}',
    contentType: "text/plain",
    status: 415,
    answer: { errorcode: 0 },
    flagged: true,
  },
];

describe("the mock's answers to invalid establish requests validate against the spec (Prism proxy)", () => {
  it.each(ESTABLISH_CASES)("$name: $status", async ({ body, contentType, status, answer, flagged }) => {
    const token = await accessToken();
    const sent = await send("/contacts/v1/establish", {
      headers: { ...json(token), ...(contentType ? { "content-type": contentType } : {}) },
      body,
    });
    expect(sent.status).toBe(status);
    expect(sent.body).toMatchObject(answer);
    expectVerdict(sent, flagged);
    expect(rig.service.mock.store.size, "nothing was established").toBe(0);
  });

  describe("401s, each with WWW-Authenticate as the spec requires", () => {
    const bearerInvalid = /^Bearer\s.*error="invalid_token"/;
    // RFC 6750 section 3.1: a token outside the header is an invalid request, not an invalid token
    // (a new token would not help; fuel-rest renews only on invalid_token).
    const bearerInvalidRequest = /^Bearer\s.*error="invalid_request"/;

    it("an expired token", async () => {
      const token = await accessToken();
      rig.service.mock.expireTokens();
      const sent = await send("/contacts/v1/establish", { headers: json(token), body: '{"ContactKeys":["Key1"]}' });
      expect(sent.status).toBe(401);
      expect(sent.body).toMatchObject({ errorcode: 0 });
      expect(sent.headers.get("www-authenticate")).toMatch(bearerInvalid);
      expectVerdict(sent, false);
    });

    it("no token at all (Prism flags the missing credentials, and still forwards)", async () => {
      const sent = await send("/contacts/v1/establish", { headers: json(), body: '{"ContactKeys":["Key1"]}' });
      expect(sent.status).toBe(401);
      expect(sent.body).toMatchObject({ errorcode: 0 });
      expect(sent.headers.get("www-authenticate")).toMatch(bearerInvalid);
      expectVerdict(sent, true);
    });

    it("a token in the URL, beside a valid Authorization header: 40004", async () => {
      const token = await accessToken();
      const sent = await send(`/contacts/v1/establish?access_token=${token}`, {
        headers: json(token),
        body: '{"ContactKeys":["Key1"]}',
      });
      expect(sent.status).toBe(401);
      expect(sent.body).toMatchObject({ errorcode: 40004 });
      expect(sent.headers.get("www-authenticate")).toMatch(bearerInvalidRequest);
      expectVerdict(sent, false);
    });

    it("a token in the body: 40004", async () => {
      const token = await accessToken();
      const sent = await send("/contacts/v1/establish", {
        headers: json(token),
        body: JSON.stringify({ ContactKeys: ["Key1"], access_token: token }),
      });
      expect(sent.status).toBe(401);
      expect(sent.body).toMatchObject({ errorcode: 40004 });
      expect(sent.headers.get("www-authenticate")).toMatch(bearerInvalidRequest);
      expectVerdict(sent, false);
    });

    it('a token in the body under a JSON-escaped name ("access\\u005ftoken"): 40004 too', async () => {
      const token = await accessToken();
      const sent = await send("/contacts/v1/establish", {
        headers: json(token),
        body: `{"ContactKeys":["Key1"],"access\\u005ftoken":"${token}"}`,
      });
      expect(sent.status).toBe(401);
      expect(sent.body).toMatchObject({ errorcode: 40004 });
      expect(sent.headers.get("www-authenticate")).toMatch(bearerInvalidRequest);
      expectVerdict(sent, false);
    });
  });
});

interface TokenCase {
  name: string;
  body: string;
  contentType?: string;
  status: number;
  answer: Record<string, unknown>;
  flagged: boolean;
}

const TOKEN_CASES: TokenCase[] = [
  {
    name: "scope that is not a string",
    body: JSON.stringify({ ...TOKEN_BODY, scope: {} }),
    status: 400,
    answer: { error: "invalid_request" },
    flagged: true,
  },
  {
    name: "a grant other than client_credentials",
    body: JSON.stringify({ ...TOKEN_BODY, grant_type: "password" }),
    status: 400,
    answer: { error: "unsupported_grant_type" },
    flagged: true,
  },
  {
    name: "a client_id that is not a string",
    body: JSON.stringify({ ...TOKEN_BODY, client_id: 42 }),
    status: 400,
    answer: { error: "invalid_request" },
    flagged: true,
  },
  {
    name: "an account_id that is not a MID",
    body: JSON.stringify({ ...TOKEN_BODY, account_id: "abc" }),
    status: 400,
    answer: { error: "invalid_request" },
    flagged: true,
  },
  {
    name: "a negative account_id",
    body: JSON.stringify({ ...TOKEN_BODY, account_id: -1 }),
    status: 400,
    answer: { error: "invalid_request" },
    flagged: true,
  },
  {
    name: "a body that is neither JSON nor a form",
    body: JSON.stringify(TOKEN_BODY),
    contentType: "text/plain",
    status: 400,
    answer: { error: "invalid_request" },
    flagged: true,
  },
  {
    name: "a secret the mock does not accept",
    body: JSON.stringify({ ...TOKEN_BODY, client_secret: "wrong" }),
    status: 401,
    answer: { error: "invalid_client" },
    flagged: false,
  },
  {
    name: "a form-encoded request (accepted)",
    body: new URLSearchParams({ ...TOKEN_BODY, account_id: String(TOKEN_BODY.account_id) }).toString(),
    contentType: "application/x-www-form-urlencoded",
    status: 200,
    answer: { token_type: "Bearer", rest_instance_url: expect.any(String) },
    flagged: false,
  },
];

describe("the mock's answers to token requests validate against the spec (Prism proxy)", () => {
  it.each(TOKEN_CASES)("$name: $status", async ({ body, contentType, status, answer, flagged }) => {
    const sent = await send("/v2/token", { headers: { "content-type": contentType ?? "application/json" }, body });
    expect(sent.status).toBe(status);
    expect(sent.body).toMatchObject(answer);
    expectVerdict(sent, flagged);
  });
});

describe("a body that is not JSON at all", () => {
  // Prism 5.16 never answers a request whose JSON body it cannot parse: its server drains the
  // request after the parse fails and waits for an `end` the stream has already emitted (seen
  // here; stoplightio/prism#2664 describes the same path). So the mock is asked directly, and its
  // answer is handed to Prism by the relay as the answer to a valid request on the same route:
  // Prism validates the mock's real answer, status, headers and body.
  const REPLAYED = ["content-type", "www-authenticate", "retry-after"];

  /** The mock's own answer, asked directly (not through Prism). */
  async function askDirectly(path: string, init: RequestInit): Promise<Answer> {
    const response = await fetch(`${rig.service.url}${path}`, { method: "POST", ...init });
    const headers: Record<string, string> = {};
    for (const name of REPLAYED) {
      const value = response.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    return { status: response.status, headers, body: await response.text() };
  }

  it.each([
    { path: "/contacts/v1/establish", status: 400, answer: { errorcode: 10004 } },
    { path: "/v2/token", status: 400, answer: { error: "invalid_request" } },
  ])("$path: $status, and the answer is valid by the spec", async ({ path, status, answer }) => {
    const isToken = path === "/v2/token";
    const headers = json(isToken ? undefined : await accessToken());
    const direct = await askDirectly(path, { headers, body: '{"ContactKeys": ["Key1"' });
    expect(direct.status).toBe(status);
    expect(JSON.parse(direct.body)).toMatchObject(answer);

    const relay = rig.relay;
    if (!relay) throw new Error("the rig has no relay");
    relay.rewrite = (upstream, request) => (request.path === path ? direct : upstream);
    const sent = await send(path, { headers, body: isToken ? JSON.stringify(TOKEN_BODY) : '{"ContactKeys":["Key1"]}' });
    expect(sent.status).toBe(status);
    expect(sent.body).toEqual(JSON.parse(direct.body));
    expectVerdict(sent, false);
  });
});

describe("every scenario's answer validates against the spec (Prism proxy)", () => {
  // The scenarios are msw handlers: they act inside a process, never on the HTTP server's socket.
  // Each one is run here on a request to a tenant host, and its Response is handed to Prism by
  // the relay as the answer to a valid request on the same route, like the bad-JSON answers above:
  // Prism validates the scenario's real status, headers and body.
  const scenarioMock = createContactsMock({ seed: SEED, auth: false });
  const { scenarios } = scenarioMock;
  const TENANT = "https://mcscenariocatalogue0001";
  const URLS = {
    "/contacts/v1/establish": `${TENANT}.rest.marketingcloudapis.com/contacts/v1/establish`,
    "/v2/token": `${TENANT}.auth.marketingcloudapis.com/v2/token`,
  } as const;

  interface ScenarioCase {
    name: keyof ContactsScenarios;
    handler: () => ReturnType<ContactsScenarios["forbidden"]>;
    path: keyof typeof URLS;
    status: number;
    answer?: Record<string, unknown>;
    /** The headers the answer must carry. */
    headers?: Record<string, RegExp>;
    /** Prism must flag the answer: the scenario breaks the spec on purpose. */
    flagged?: RegExp[];
    /** The status the client gets through Prism, when Prism answers by itself. Default `status`. */
    throughPrism?: number;
  }

  const CASES: ScenarioCase[] = [
    {
      name: "unauthorized",
      handler: () => scenarios.unauthorized(),
      path: "/contacts/v1/establish",
      status: 401,
      answer: { errorcode: 0 },
      headers: { "www-authenticate": /^Bearer\s.*error="invalid_token"/ },
    },
    {
      name: "forbidden",
      handler: () => scenarios.forbidden(),
      path: "/contacts/v1/establish",
      status: 403,
      answer: { errorcode: 20002 },
    },
    {
      name: "rateLimited",
      handler: () => scenarios.rateLimited(),
      path: "/contacts/v1/establish",
      status: 429,
      answer: { errorcode: 50100, retryAfter: expect.any(Number) },
      headers: { "retry-after": /^\d+$/ },
    },
    {
      name: "blocked",
      handler: () => scenarios.blocked(),
      path: "/contacts/v1/establish",
      status: 429,
      answer: { errorcode: 50200 },
    },
    {
      name: "serverError",
      handler: () => scenarios.serverError(),
      path: "/contacts/v1/establish",
      status: 500,
      answer: { errorcode: 0 },
    },
    {
      name: "unavailable",
      handler: () => scenarios.unavailable(),
      path: "/contacts/v1/establish",
      status: 503,
      answer: { errorcode: 50300 },
      headers: { "retry-after": /^\d+$/ },
    },
    {
      name: "itemErrors",
      handler: () => scenarios.itemErrors(["Key2"]),
      path: "/contacts/v1/establish",
      status: 200,
      answer: {
        items: [
          expect.objectContaining({ resultMessages: [] }),
          expect.objectContaining({ resultMessages: [expect.objectContaining({ resultClass: "Error" })] }),
        ],
      },
    },
    {
      name: "invalidClient",
      handler: () => scenarios.invalidClient(),
      path: "/v2/token",
      status: 401,
      answer: { error: "invalid_client" },
    },
    // Deliberate breaks, for testing an app's tolerance: Prism must see them as what they are.
    {
      name: "arrayWrapped",
      handler: () => scenarios.arrayWrapped(),
      path: "/contacts/v1/establish",
      status: 200,
      flagged: [/^POST \/contacts\/v1\/establish 200: response\.body: .*object/],
    },
    {
      // Prism cannot read a body cut off mid-way, so it answers 500 problem+json by itself: that
      // is its verdict on this answer.
      name: "malformedJson",
      handler: () => scenarios.malformedJson(),
      path: "/contacts/v1/establish",
      status: 200,
      throughPrism: 500,
      flagged: [/^POST \/contacts\/v1\/establish 500: response: Prism answered by itself/],
    },
  ];
  /** Scenarios with no answer of their own for Prism to see. */
  const WITHOUT_AN_ANSWER: Record<string, string> = {
    networkError: "the fetch rejects: there is no HTTP answer",
    slow: "it waits, then the happy path answers, which every client suite validates",
  };

  it("covers every scenario of the catalogue", () => {
    expect([...CASES.map((c) => c.name), ...Object.keys(WITHOUT_AN_ANSWER)].sort()).toEqual(
      Object.keys(scenarios).sort(),
    );
  });

  /** The scenario's own Response to a valid request, run by its msw handler. */
  async function scenarioAnswer(scenario: ScenarioCase): Promise<Answer> {
    const body = scenario.path === "/v2/token" ? JSON.stringify(TOKEN_BODY) : '{"ContactKeys":["Key1","Key2"]}';
    const request = new Request(URLS[scenario.path], { method: "POST", headers: json(), body });
    const result = await scenario.handler().run({ request, requestId: `scenario-${scenario.name}` });
    if (!result?.response) throw new Error(`${scenario.name}: the scenario's handler did not answer ${request.url}`);
    const headers: Record<string, string> = {};
    result.response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return { status: result.response.status, headers, body: await result.response.text() };
  }

  it.each(CASES)("$name: $status", async (scenario) => {
    const answer = await scenarioAnswer(scenario);
    expect(answer.status).toBe(scenario.status);
    for (const [name, value] of Object.entries(scenario.headers ?? {})) expect(answer.headers[name]).toMatch(value);
    if (scenario.answer) expect(JSON.parse(answer.body)).toMatchObject(scenario.answer);

    const relay = rig.relay;
    if (!relay) throw new Error("the rig has no relay");
    relay.rewrite = (upstream, request) => (request.path === scenario.path ? answer : upstream);
    const isToken = scenario.path === "/v2/token";
    const sent = await send(scenario.path, {
      headers: json(isToken ? undefined : await accessToken()),
      body: isToken ? JSON.stringify(TOKEN_BODY) : '{"ContactKeys":["Key1","Key2"]}',
    });
    expect(sent.status).toBe(scenario.throughPrism ?? scenario.status);
    expect(requestViolations([sent.exchange])).toEqual([]);
    if (scenario.flagged) {
      expect(responseViolations([sent.exchange])).toEqual(scenario.flagged.map((f) => expect.stringMatching(f)));
      // The afterEach check is for the mock's honest answers: this one is broken on purpose.
      rig.exchanges.splice(rig.exchanges.indexOf(sent.exchange), 1);
    } else {
      expect(responseViolations([sent.exchange])).toEqual([]);
    }
  });
});
