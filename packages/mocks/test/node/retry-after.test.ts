/**
 * The scenarios' Retry-After (issue 13 point 6): `rateLimited({ once: true })` took 30 s under a
 * client's default retry options (its Retry-After of 30 equalled the client's `maxDelayMs`). The
 * default is now 1 s, and a mock's `retryAfter` option sets it for every scenario of that mock.
 */
import { describe, expect, it } from "vitest";
import { createContactsMock } from "../../src/index.js";
import { establish, token } from "../support/http.js";
import { useContactsServer } from "../support/server.js";
import { assertMatchesSpec } from "../support/spec.js";

const { server } = useContactsServer({ seed: 3 });
const instant = createContactsMock({ seed: 3, retryAfter: 0 });
const patient = createContactsMock({ seed: 3, retryAfter: 120 });

async function retryAfterOf(handler: Parameters<typeof server.use>[0]) {
  server.use(handler);
  const answer = await establish({ ContactKeys: ["k"] }, { token: await token() });
  assertMatchesSpec("establish", answer);
  return { header: answer.headers.get("retry-after"), body: (answer.body as { retryAfter?: number }).retryAfter };
}

describe("Retry-After of the scenarios", () => {
  it("is 1 s by default, for 429 and 503, in the header and (429) the body", async () => {
    const mock = createContactsMock({ seed: 3 });
    server.use(...mock.handlers);
    expect(await retryAfterOf(mock.scenarios.rateLimited({ once: true }))).toEqual({ header: "1", body: 1 });
    expect(await retryAfterOf(mock.scenarios.unavailable({ once: true }))).toEqual({ header: "1", body: undefined });
  });

  it("follows the mock's retryAfter option, and a scenario's own retryAfter wins", async () => {
    server.use(...instant.handlers);
    expect(await retryAfterOf(instant.scenarios.rateLimited({ once: true }))).toEqual({ header: "0", body: 0 });
    expect(await retryAfterOf(instant.scenarios.unavailable({ once: true }))).toMatchObject({ header: "0" });
    server.resetHandlers();
    server.use(...patient.handlers);
    expect(await retryAfterOf(patient.scenarios.rateLimited({ once: true }))).toEqual({ header: "120", body: 120 });
    expect(await retryAfterOf(patient.scenarios.rateLimited({ retryAfter: 5, once: true }))).toEqual({
      header: "5",
      body: 5,
    });
  });

  it("refuses a retryAfter option that is not whole seconds >= 0", () => {
    expect(() => createContactsMock({ retryAfter: 1.5 })).toThrow(/retryAfter must be a whole number of seconds/);
    expect(() => createContactsMock({ retryAfter: -1 })).toThrow(TypeError);
  });
});
