/**
 * fuel-rest 3.2.2, Salesforce's own Node REST library (the REST half of FuelSDK-Node), against the
 * mocks' HTTP server with Prism in front. It renews its token on a 401 only when the answer carries
 * `WWW-Authenticate: Bearer ... invalid_token` (issue 12, point 3).
 */
import type { EstablishContactsResponse } from "@sfmc-contacts/types";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { establishBody, expectAcknowledged, expectResults, WITH_RESULTS } from "./support/establish.js";
import { conversation, requestViolations, responseViolations } from "./support/front.js";
import { FUEL_REST_INSTANCE_URL, fuelRest } from "./support/fuel-rest-client.js";
import { CREDENTIALS, type Rig, startRig, tokenRequests } from "./support/rig.js";

let rig: Rig;

beforeAll(async () => {
  rig = await startRig({ restInstanceUrl: () => FUEL_REST_INSTANCE_URL });
});
afterAll(async () => {
  await rig?.close();
});
beforeEach(() => rig.reset());
afterEach(() => {
  expect(responseViolations(rig.exchanges)).toEqual([]);
  // Nothing fuel-rest sends is flagged, its camelCase body included.
  expect(requestViolations(rig.exchanges)).toEqual([]);
  expect(rig.exchanges.length).toBeGreaterThan(0);
  expect(rig.exchanges.length).toBe(rig.service.mock.requests.length);
});

async function establish(client: ReturnType<typeof fuelRest>, body: object): Promise<EstablishContactsResponse> {
  const { res, body: answer } = await client.post({ uri: "/contacts/v1/establish", json: body });
  expect(res.statusCode).toBe(200);
  return answer as EstablishContactsResponse;
}

describe("fuel-rest 3.2.2 (FuelSDK-Node's REST client) against the mock, through Prism", () => {
  it.each(WITH_RESULTS)(
    "authenticates (OAuth 2, accountId a number) and establishes the page's keys (flags %s)",
    async (flags) => {
      const client = fuelRest(rig);
      expectResults(rig, await establish(client, establishBody("PascalCase", flags)), true);
      expectResults(rig, await establish(client, establishBody("PascalCase", flags)), false);
      expect(conversation(rig.exchanges)).toEqual([
        "POST /v2/token 200",
        "POST /contacts/v1/establish 200",
        "POST /contacts/v1/establish 200",
      ]);
      expect(rig.service.mock.requests[0]?.body).toMatchObject({
        grant_type: "client_credentials",
        account_id: CREDENTIALS.accountId,
      });
    },
  );

  it("sends the fire-and-forget request, and a camelCase body", async () => {
    const client = fuelRest(rig);
    expectAcknowledged(rig, await establish(client, establishBody("PascalCase", "strings", false)));
    expectResults(rig, await establish(client, establishBody("camelCase", "booleans")), false);
  });

  it("renews its token on the mock's 401 after expireTokens(), and the call succeeds", async () => {
    const client = fuelRest(rig);
    expectResults(rig, await establish(client, establishBody("PascalCase", "absent")), true);

    rig.service.mock.expireTokens();
    expectResults(rig, await establish(client, establishBody("PascalCase", "absent")), false);

    expect(tokenRequests(rig)).toBe(2);
    expect(conversation(rig.exchanges)).toEqual([
      "POST /v2/token 200",
      "POST /contacts/v1/establish 200",
      "POST /contacts/v1/establish 401",
      "POST /v2/token 200",
      "POST /contacts/v1/establish 200",
    ]);
    // What fuel-rest's helpers.isValid401 reads.
    expect(rig.exchanges[2]?.headers["www-authenticate"]).toMatch(/^Bearer\s.+?invalid_token/);
  });
});

describe("a 40004 (token outside the Authorization header) says invalid_request: fuel-rest keeps its valid token", () => {
  it("hands the 401 to its caller once, without a new token, and its next call works with the same token", async () => {
    const client = fuelRest(rig);
    expectResults(rig, await establish(client, establishBody("PascalCase", "absent")), true);

    // fuel-rest lower-cases the URI; the mock compares the parameter's name case-insensitively anyway.
    const refused = await client.post({
      uri: "/contacts/v1/establish?access_token=sent-in-the-url",
      json: establishBody("PascalCase", "absent"),
    });
    expect(refused.res.statusCode).toBe(401);
    expect(refused.body).toMatchObject({ errorcode: 40004 });
    expect(refused.res.headers["www-authenticate"]).toMatch(/^Bearer error="invalid_request"/);

    expectResults(rig, await establish(client, establishBody("PascalCase", "absent")), false);
    // With invalid_token (as before), fuel-rest would have thrown its token away, asked for a new
    // one and sent the same refused request again.
    expect(tokenRequests(rig)).toBe(1);
    expect(conversation(rig.exchanges)).toEqual([
      "POST /v2/token 200",
      "POST /contacts/v1/establish 200",
      "POST /contacts/v1/establish 401",
      "POST /contacts/v1/establish 200",
    ]);
  });
});
