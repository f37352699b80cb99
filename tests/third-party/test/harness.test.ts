/**
 * The checks of this package can fail. A relay between Prism and the mock changes answers on
 * purpose: a deliberately wrong answer must reach the test as Prism's finding (or the contract
 * tests' "no response violation" would prove nothing), and a 401 without `WWW-Authenticate`, as
 * the mock answered before issue 12, must leave fuel-rest without a new token (or its renewal test
 * would prove nothing about the header).
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { establishBody, expectResults } from "./support/establish.js";
import { conversation, requestViolations, responseViolations } from "./support/front.js";
import { FUEL_REST_INSTANCE_URL, fuelRest } from "./support/fuel-rest-client.js";
import { portOf } from "./support/loopback-agent.js";
import type { Answer, Relay } from "./support/relay.js";
import { CREDENTIALS, type Rig, startRig, tokenRequests } from "./support/rig.js";

let rig: Rig;
let relay: Relay;

beforeAll(async () => {
  rig = await startRig({ relay: true, restInstanceUrl: () => FUEL_REST_INSTANCE_URL });
  if (!rig.relay) throw new Error("the rig has no relay");
  relay = rig.relay;
});
afterAll(async () => {
  await rig?.close();
});
beforeEach(() => rig.reset());

const TOKEN_BODY = JSON.stringify({
  grant_type: "client_credentials",
  client_id: CREDENTIALS.clientId,
  client_secret: CREDENTIALS.clientSecret,
});

async function post(path: string, body: string, token?: string): Promise<Response> {
  const response = await fetch(`${rig.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  await response.arrayBuffer();
  return response;
}

/** Changes the JSON body of one route's answers. */
function onRoute(path: string, change: (answer: Answer) => Answer): void {
  relay.rewrite = (answer, request) => (request.path === path ? change(answer) : answer);
}

const withJson = (answer: Answer, edit: (body: Record<string, unknown>) => void): Answer => {
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  edit(body);
  return { ...answer, body: JSON.stringify(body) };
};

interface Drift {
  name: string;
  path: "/v2/token" | "/contacts/v1/establish";
  change: (answer: Answer) => Answer;
  /** What Prism's findings must say, one pattern per finding. */
  findings: RegExp[];
}

const DRIFTS: Drift[] = [
  {
    name: "contactID as a string",
    path: "/contacts/v1/establish",
    change: (a) =>
      withJson(a, (body) => {
        const [item] = body.items as { value: { contactReference: { contactID: unknown } } }[];
        if (item) item.value.contactReference.contactID = String(item.value.contactReference.contactID);
      }),
    findings: [
      /^POST \/contacts\/v1\/establish 200: response\.body\.items\.0\.value\.contactReference\.contactID: .*integer/,
    ],
  },
  {
    name: "serviceMessageID missing",
    path: "/contacts/v1/establish",
    change: (a) =>
      withJson(a, (body) => {
        delete body.serviceMessageID;
      }),
    findings: [/^POST \/contacts\/v1\/establish 200: response\.body: .*required property 'serviceMessageID'/],
  },
  {
    name: "the page's array-wrapped body",
    path: "/contacts/v1/establish",
    change: (a) => ({ ...a, body: `[${a.body}]` }),
    findings: [/^POST \/contacts\/v1\/establish 200: response\.body: .*object/],
  },
  {
    name: "expires_in as a string",
    path: "/v2/token",
    change: (a) =>
      withJson(a, (body) => {
        body.expires_in = String(body.expires_in);
      }),
    findings: [/^POST \/v2\/token 200: response\.body\.expires_in: .*integer/],
  },
  {
    name: "a JSON body labelled text/plain",
    path: "/v2/token",
    change: (a) => ({ ...a, headers: { ...a.headers, "content-type": "text/plain" } }),
    // Two findings: the media type, and the body, which Prism then reads as a string.
    findings: [
      /^POST \/v2\/token 200: response: .*media type "text\/plain"/,
      /^POST \/v2\/token 200: response\.body: .*object/,
    ],
  },
];

describe("Prism's verdict reaches the test: deliberately wrong answers are flagged", () => {
  it.each(DRIFTS)("$name", async ({ path, change, findings }) => {
    const token = path === "/contacts/v1/establish" ? await tokenFor() : undefined;
    const before = rig.exchanges.length;
    onRoute(path, change);
    const response = await post(path, path === "/v2/token" ? TOKEN_BODY : '{"ContactKeys":["Key1"]}', token);
    const exchanges = rig.exchanges.slice(before);
    expect(responseViolations(exchanges)).toEqual(findings.map((finding) => expect.stringMatching(finding)));
    // The request was fine, and Prism kept the mock's status: the verdict is in the header only.
    expect(requestViolations(exchanges)).toEqual([]);
    expect(response.status).toBe(200);
  });

  it("a 401 without WWW-Authenticate, as the mock answered before issue 12", async () => {
    const token = await tokenFor();
    rig.service.mock.expireTokens();
    onRoute("/contacts/v1/establish", withoutWwwAuthenticate);
    const response = await post("/contacts/v1/establish", '{"ContactKeys":["Key1"]}', token);
    expect(response.status).toBe(401);
    expect(responseViolations(rig.exchanges)).toEqual([
      "POST /contacts/v1/establish 401: response.header: Response header must have required property 'www-authenticate'",
    ]);
  });
});

async function tokenFor(): Promise<string> {
  const response = await fetch(`${rig.url}/v2/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: TOKEN_BODY,
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

function withoutWwwAuthenticate(answer: Answer): Answer {
  const { "www-authenticate": _dropped, ...headers } = answer.headers;
  return { ...answer, headers };
}

describe("fuel-rest needs WWW-Authenticate to renew its token", () => {
  it("without the header it never asks for a new token, and hands its caller the 401", async () => {
    const client = fuelRest(rig);
    const first = await client.post({ uri: "/contacts/v1/establish", json: establishBody("PascalCase", "absent") });
    expect(first.res.statusCode).toBe(200);

    rig.service.mock.expireTokens();
    onRoute("/contacts/v1/establish", (answer) => (answer.status === 401 ? withoutWwwAuthenticate(answer) : answer));
    const second = await client.post({ uri: "/contacts/v1/establish", json: establishBody("PascalCase", "absent") });

    expect(second.res.statusCode).toBe(401);
    expect(second.body).toMatchObject({ errorcode: 0 });
    expect(tokenRequests(rig)).toBe(1);
    expect(conversation(rig.exchanges)).toEqual([
      "POST /v2/token 200",
      "POST /contacts/v1/establish 200",
      "POST /contacts/v1/establish 401",
    ]);
  });

  it("with the header passed through (the same relay, rewriting nothing) it renews and succeeds", async () => {
    const client = fuelRest(rig);
    await client.post({ uri: "/contacts/v1/establish", json: establishBody("PascalCase", "absent") });
    rig.service.mock.expireTokens();
    const second = await client.post({ uri: "/contacts/v1/establish", json: establishBody("PascalCase", "absent") });
    expect(second.res.statusCode).toBe(200);
    expectResults(rig, second.body as Parameters<typeof expectResults>[1], false);
    expect(tokenRequests(rig)).toBe(2);
    expect(responseViolations(rig.exchanges)).toEqual([]);
  });
});

describe("offline under an HTTP proxy environment (review of issue 12, finding 4)", () => {
  it("the test environment clears every proxy variable, in both cases (vitest.config.ts)", () => {
    for (const name of ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]) {
      expect(process.env[name], name).toBe("");
    }
    expect([process.env.NO_PROXY, process.env.no_proxy]).toEqual(["*", "*"]);
  });

  describe("the front door forwards only paths", () => {
    let elsewhere: Server;
    let reached = 0;
    beforeAll(async () => {
      elsewhere = createServer((_, res) => res.end("reached"));
      elsewhere.on("connection", () => reached++);
      await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", resolve));
    });
    afterAll(() => new Promise<void>((resolve) => elsewhere.close(() => resolve())));

    it("an absolute-form target is answered 400, recorded as a finding on both sides, and reaches no host", async () => {
      const target = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/v2/token`;
      const status = await new Promise<number>((resolve, reject) => {
        const request = httpRequest(
          { host: "127.0.0.1", port: portOf(rig.url), method: "POST", path: target, agent: false },
          (response) => {
            response.resume();
            response.on("end", () => resolve(response.statusCode ?? 0));
          },
        );
        request.on("error", reject);
        request.setTimeout(30_000, () => request.destroy(new Error("no answer from the front door")));
        request.end(TOKEN_BODY);
      });
      expect(status).toBe(400);
      expect(reached).toBe(0);
      expect(rig.service.mock.requests).toEqual([]);
      expect(requestViolations(rig.exchanges)).toEqual([expect.stringMatching(/request\.target: .*is not a path/)]);
      expect(responseViolations(rig.exchanges)).toEqual([expect.stringMatching(/nothing was validated/)]);
    });
  });

  it("fuel-rest ignores HTTP_PROXY (proxy: null in its request options)", async () => {
    const saved = { ...process.env };
    // As on a CI runner with a proxy: NO_PROXY does not cover fuel-rest's Marketing Cloud host names.
    Object.assign(process.env, {
      HTTP_PROXY: "http://127.0.0.1:1",
      http_proxy: "http://127.0.0.1:1",
      NO_PROXY: "localhost,127.0.0.1",
      no_proxy: "localhost,127.0.0.1",
    });
    try {
      const client = fuelRest(rig);
      const answer = await client.post({ uri: "/contacts/v1/establish", json: establishBody("PascalCase", "absent") });
      expect(answer.res.statusCode).toBe(200);
      expect(conversation(rig.exchanges)).toEqual(["POST /v2/token 200", "POST /contacts/v1/establish 200"]);
      expect(requestViolations(rig.exchanges)).toEqual([]);
    } finally {
      for (const name of ["HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"]) process.env[name] = saved[name];
    }
  });
});
