/**
 * Review defect 6, browser side: `raw` requests carry the client's `timeoutMs` (they had only the
 * spec client's 30 s default, whatever the client was given). A fetch that never answers until
 * its signal aborts shows which limit the request got.
 */
import { describe, expect, it } from "vitest";
import { ContactsTimeoutError, createContactsClient } from "../../src/index.js";

/** Requests in flight: a real fetch holds its request (and so the signal that ends it) until it settles. */
const inFlight = new Set<Request>();

/** A fetch that answers only by rejecting when the request's signal aborts. */
const silentFetch = (request: Request) =>
  new Promise<Response>((_, reject) => {
    inFlight.add(request);
    request.signal.addEventListener(
      "abort",
      () => {
        inFlight.delete(request);
        reject(request.signal.reason);
      },
      { once: true },
    );
  });

describe("the browser client's raw requests", () => {
  it("end at the client's timeoutMs with a ContactsTimeoutError naming it", async () => {
    const client = createContactsClient({
      baseUrl: "https://api.example.test/sfmc",
      fetch: silentFetch,
      timeoutMs: 200,
    });
    const error = await client.raw
      .POST("/contacts/v1/establish", { body: { ContactKeys: ["Key1"] } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 200 });
  });
});
