/**
 * Issue 13, point 9: which of the client's requests msw sees, for each `transport`. msw's
 * `setupServer` intercepts the global fetch and node:http; undici's own `request` on the client's
 * agent is neither, so msw never sees it. The client-node README's table states these results.
 *
 * The same URLs are served twice: by msw handlers, and by a real server on 127.0.0.1. Whichever
 * records a request is the one that answered it.
 */
import { readFileSync } from "node:fs";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { establishAnswerFor } from "../../../tests/support/loopback.js";
import { clearTokenCache, createContactsClient, type NodeClientOptions } from "../src/index.js";
import {
  establishAnswer,
  json,
  type RecordingServer,
  startRecordingServer,
  tokenBody,
} from "./support/recording-server.js";

type Route = "token" | "establish";

let socket: RecordingServer;
/** The routes msw answered, in order. */
const sawMsw: Route[] = [];
/** The routes the loopback server answered, in order. */
const sawSocket = (): Route[] => socket.requests.map((r) => (r.path === "/v2/token" ? "token" : "establish"));

const server = setupServer(
  http.post(/\/v2\/token$/, () => {
    sawMsw.push("token");
    return HttpResponse.json(tokenBody(socket.url));
  }),
  http.post(/\/contacts\/v1\/establish$/, async ({ request }) => {
    sawMsw.push("establish");
    return new HttpResponse(establishAnswerFor(await request.text()), {
      headers: { "content-type": "application/json" },
    });
  }),
);

beforeAll(async () => {
  socket = await startRecordingServer((request, response) =>
    request.path === "/v2/token" ? json(response, 200, tokenBody(socket.url)) : establishAnswer(request, response),
  );
  // "error": a request msw sees and has no handler for fails the test; what msw never sees goes on.
  server.listen({ onUnhandledRequest: "error" });
});
afterEach(() => {
  sawMsw.length = 0;
  socket.requests.length = 0;
  clearTokenCache();
});
afterAll(async () => {
  server.close();
  await socket.close();
});

/** Runs a token request plus an establish, then a raw call; says who answered each. */
async function whoAnswers(options: Partial<NodeClientOptions>) {
  const client = createContactsClient({
    clientId: "id",
    clientSecret: "secret",
    authBaseUrl: socket.url,
    baseUrl: socket.url,
    retry: false,
    ...options,
  });
  try {
    expect((await client.establish(["Key1"])).contacts).toHaveLength(1);
    const tokenAndEstablish = { msw: [...sawMsw], socket: sawSocket() };
    sawMsw.length = 0;
    socket.requests.length = 0;
    const { response } = await client.raw.POST("/contacts/v1/establish", { body: { ContactKeys: ["Key2"] } });
    expect(response.status).toBe(200);
    return { ...tokenAndEstablish, raw: sawMsw.length ? "msw" : sawSocket().length ? "socket" : "nobody" };
  } finally {
    await client.close();
  }
}

/** What msw sees, per row of the README's table: token request, establish, raw. */
type Seen = { token: boolean; establish: boolean; raw: boolean };
const CASES: Array<[row: string, options: Partial<NodeClientOptions>, seen: Seen]> = [
  ['`"fetch"` (default)', {}, { token: true, establish: true, raw: true }],
  ['`"undici"`', { transport: "undici" }, { token: false, establish: false, raw: false }],
  [
    '`"undici"` with `fetch: (request) => fetch(request)`',
    { transport: "undici", fetch: (request) => fetch(request) },
    { token: true, establish: false, raw: true },
  ],
];

/** The README's "What msw sees" table: row label -> seen. */
function readmeTable(): Map<string, Seen> {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const section = readme.split("### What msw sees")[1] ?? "";
  const rows = section
    .split("\n")
    .filter((line) => line.startsWith("| "))
    .slice(2) // the header and the separator
    .map((line) =>
      line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  return new Map(
    rows.map(([row = "", token, establish, raw]) => [
      row,
      { token: token === "yes", establish: establish === "yes", raw: raw === "yes" },
    ]),
  );
}

describe("what msw sees, per transport", () => {
  it.each(CASES)("%s", async (_row, options, seen) => {
    const answered = await whoAnswers(options);
    // Each request was answered exactly once, by msw or by the socket.
    expect([...answered.msw, ...answered.socket].sort()).toEqual(["establish", "token"]);
    expect({
      token: answered.msw.includes("token"),
      establish: answered.msw.includes("establish"),
      raw: answered.raw === "msw",
    }).toEqual(seen);
    expect(answered.raw).not.toBe("nobody");
  });

  it("the README's table says the same, row for row", () => {
    expect([...readmeTable()]).toEqual(CASES.map(([row, , seen]) => [row, seen]));
  });
});
