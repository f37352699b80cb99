/**
 * Every answer any handler or scenario of the mock can give is checked against the spec's schema
 * for its status. The catalogue below must name every scenario: adding one without covering it
 * here fails the first test.
 */
import { type HttpHandler, HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { type ContactsScenarios, createContactsMock, establishResponse } from "../../src/index.js";
import { type Answer, ESTABLISH_URL, establish, requestToken, token } from "../support/http.js";
import { useContactsServer } from "../support/server.js";
import { assertMatchesSpec } from "../support/spec.js";

const { server, mock } = useContactsServer({ seed: 5 });

const keys = { ContactKeys: ["Key1", "Key2", "Key3"] };
const callEstablish = async (body: unknown = keys): Promise<Answer> => establish(body, { token: await token() });

/** How each scenario is exercised; `null` marks the ones that by design send no spec body. */
const scenarioCases: Record<
  keyof ContactsScenarios,
  { handler: () => HttpHandler; route: "establish" | "token" } | null
> = {
  unauthorized: { handler: () => mock.scenarios.unauthorized(), route: "establish" },
  forbidden: { handler: () => mock.scenarios.forbidden(), route: "establish" },
  rateLimited: { handler: () => mock.scenarios.rateLimited(), route: "establish" },
  blocked: { handler: () => mock.scenarios.blocked(), route: "establish" },
  serverError: { handler: () => mock.scenarios.serverError(), route: "establish" },
  unavailable: { handler: () => mock.scenarios.unavailable(), route: "establish" },
  slow: { handler: () => mock.scenarios.slow(1), route: "establish" },
  arrayWrapped: { handler: () => mock.scenarios.arrayWrapped(), route: "establish" },
  itemErrors: { handler: () => mock.scenarios.itemErrors(["Key2"]), route: "establish" },
  invalidClient: { handler: () => mock.scenarios.invalidClient(), route: "token" },
  // A body cut off mid-way and a dropped connection are transport faults: there is no body to check.
  malformedJson: null,
  networkError: null,
};

describe("every answer the mock can give matches the spec", () => {
  it("the catalogue covers every scenario", () => {
    expect(Object.keys(scenarioCases).sort()).toEqual(Object.keys(mock.scenarios).sort());
  });

  const answering = Object.entries(scenarioCases).flatMap(([name, c]) => (c ? [[name, c] as const] : []));
  it.each(answering)("scenario %s", async (_, { handler, route }) => {
    server.use(handler());
    const answer = route === "establish" ? await callEstablish() : await requestToken();
    assertMatchesSpec(route, answer);
  });

  const happyPath: Array<[string, () => Promise<["establish" | "token", Answer]>]> = [
    ["token 200", async () => ["token", await requestToken()]],
    [
      "token 400",
      async () => ["token", await requestToken({ grant_type: "password", client_id: "a", client_secret: "b" })],
    ],
    ["token 401", async () => ["token", await requestToken({ grant_type: "client_credentials", client_id: "a" })]],
    ["establish 200", async () => ["establish", await callEstablish()]],
    [
      "establish 200, existing keys",
      async () => {
        await callEstablish();
        return ["establish", await callEstablish()];
      },
    ],
    [
      "establish 200, fire and forget",
      async () => ["establish", await callEstablish({ ...keys, ReturnResults: "false" })],
    ],
    [
      "establish 200, no awareness",
      async () => ["establish", await callEstablish({ ...keys, IncludeNewContactAwareness: false })],
    ],
    [
      "establish 200, uncorrelated",
      async () => ["establish", await callEstablish({ ...keys, CorrelateResponseItem: false })],
    ],
    [
      "establish 200, camelCase",
      async () => ["establish", await callEstablish({ contactKeys: ["a"], contactType: 0 })],
    ],
    ["establish 401", async () => ["establish", await establish(keys)]],
    ["establish 400 (10004)", async () => ["establish", await establish(null, { token: await token(), raw: "{" })]],
    ["establish 400 (10002)", async () => ["establish", await callEstablish({})]],
    ["establish 400 (10001)", async () => ["establish", await callEstablish({ ContactKeys: [1] })]],
    ["establish 400 (10005)", async () => ["establish", await callEstablish({ ContactKeys: [] })]],
    [
      "establish 415",
      async () => ["establish", await establish(keys, { token: await token(), contentType: "text/plain" })],
    ],
  ];

  it.each(happyPath)("%s", async (_, run) => {
    const [route, answer] = await run();
    assertMatchesSpec(route, answer);
  });

  it("the array shape option answers the documented object inside an array", async () => {
    const arrays = createContactsMock({ seed: 1, responseShape: "array" });
    server.use(...arrays.handlers);
    const answer = await callEstablish();
    expect(Array.isArray(answer.body)).toBe(true);
    assertMatchesSpec("establish", answer);
  });
});

describe("the check itself", () => {
  it("fails a deliberately wrong mock body", async () => {
    const wrong = {
      ...establishResponse(),
      items: [{ value: { requestedContactKey: "a" }, requestItemIndex: 0, resultMessages: [] }],
    };
    server.use(http.post(ESTABLISH_URL, () => HttpResponse.json(wrong)));
    const answer = await callEstablish();
    expect(() => assertMatchesSpec("establish", answer)).toThrow(/must have required property 'contactReference'/);
  });

  it("fails a status the spec does not document", async () => {
    expect(() =>
      assertMatchesSpec("establish", {
        status: 201,
        headers: new Headers({ "content-type": "application/json" }),
        body: {},
      }),
    ).toThrow(/documents no 201/);
  });

  it("fails a Retry-After that is not whole seconds", () => {
    const body = { message: "x", errorcode: 50100, documentation: "" };
    const headers = new Headers({ "content-type": "application/json", "retry-after": "soon" });
    expect(() => assertMatchesSpec("establish", { status: 429, headers, body })).toThrow(/Retry-After/);
  });
});
