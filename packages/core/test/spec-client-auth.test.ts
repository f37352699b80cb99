/**
 * createSpecClient's `authorization` option (the browser client's raw requests carry the token
 * this way, so the middleware that sets it loads with openapi-fetch, not in the first download).
 */
import { describe, expect, it } from "vitest";
import { createSpecClient } from "../src/openapi-fetch.js";

const BASE = "https://tenant.rest.marketingcloudapis.com";
const answer = {
  items: [],
  resultMessages: [],
  requestServiceMessageID: "r",
  responseDateTime: "t",
  serviceMessageID: "s",
};

/** A fetch that records the authorization header of each request and answers a valid establish. */
function recording() {
  const seen: Array<string | null> = [];
  const fetch = async (request: Request) => {
    seen.push(request.headers.get("authorization"));
    return Response.json(answer);
  };
  return { seen, fetch };
}

describe("createSpecClient({ authorization })", () => {
  it("sets the header on each request that has none, ahead of the middleware", async () => {
    const { seen, fetch } = recording();
    const tokens = ["Bearer one", "Bearer two"];
    const client = createSpecClient({ baseUrl: BASE, fetch, authorization: async () => tokens.shift() });
    const seenByMiddleware: Array<string | null> = [];
    client.use({ onRequest: ({ request }) => void seenByMiddleware.push(request.headers.get("authorization")) });
    await client.POST("/contacts/v1/establish", { body: { ContactKeys: ["a"] } });
    await client.POST("/contacts/v1/establish", { body: { ContactKeys: ["b"] } });
    expect(seen).toEqual(["Bearer one", "Bearer two"]);
    expect(seenByMiddleware).toEqual(["Bearer one", "Bearer two"]);
  });

  it("leaves a request's own header alone, and sets none when it gives none", async () => {
    const { seen, fetch } = recording();
    let asked = 0;
    const client = createSpecClient({
      baseUrl: BASE,
      fetch,
      authorization: () => {
        asked++;
        return undefined;
      },
    });
    await client.POST("/contacts/v1/establish", {
      body: { ContactKeys: ["a"] },
      headers: { authorization: "Bearer mine" },
    });
    await client.POST("/contacts/v1/establish", { body: { ContactKeys: ["b"] } });
    expect(seen).toEqual(["Bearer mine", null]);
    expect(asked).toBe(1);
  });
});
