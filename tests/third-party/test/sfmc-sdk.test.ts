/**
 * sfmc-sdk 2.x, the most used Node client of Marketing Cloud, against the mocks' HTTP server with
 * Prism in front: what the SDK sends must be accepted (by the mock and by the spec), and what the
 * mock answers must be read correctly by the SDK (and be valid by the spec).
 */
import type { EstablishContactsResponse } from "@sfmc-contacts/types";
import SDK from "sfmc-sdk";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  establishBody,
  expectAcknowledged,
  expectResults,
  FIRE_AND_FORGET,
  PAGE_KEYS,
  WITH_RESULTS,
} from "./support/establish.js";
import { conversation, requestViolations, responseViolations } from "./support/front.js";
import { CREDENTIALS, type Rig, startRig, tokenRequests } from "./support/rig.js";

// 28 characters of [a-z0-9-], the length sfmc-sdk demands of a tenant subdomain.
const TENANT = "mcthirdpartycontracttest0001";

let rig: Rig;
let refreshes = 0;

beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});
beforeEach(() => {
  rig.reset();
  refreshes = 0;
});
afterEach(() => {
  // Both directions, for every exchange of the test: the mock's answers are valid by the spec, and
  // so is everything the SDK sent (P2: its numeric account_id included; P1: its camelCase bodies
  // too, since the spec types the reference schema's camelCase names beside the page's PascalCase).
  expect(responseViolations(rig.exchanges)).toEqual([]);
  expect(requestViolations(rig.exchanges)).toEqual([]);
  // Every request the mock answered went through Prism, and nothing reached it another way.
  expect(rig.exchanges.length).toBeGreaterThan(0);
  expect(rig.exchanges.length).toBe(rig.service.mock.requests.length);
});

function sdk(): SDK {
  return new SDK(
    {
      client_id: CREDENTIALS.clientId,
      client_secret: CREDENTIALS.clientSecret,
      // sfmc-sdk accepts only auth_url values that match
      // /https:\/\/[\da-z-]{28}\.auth\.marketingcloudapis\.com\//, a regex without anchors: the
      // tenant URL may sit anywhere in the string. axios then joins this base and the SDK's
      // "/v2/token" by plain concatenation (one trailing slash dropped), giving
      // <front>/v2/token?tenant=https://<tenant>.auth.marketingcloudapis.com/v2/token: the path is
      // the token route's, and the tenant URL rides in a query parameter that the spec does not
      // declare and the mock does not read. The SDK itself is used as published, unpatched.
      auth_url: `${rig.url}/v2/token?tenant=https://${TENANT}.auth.marketingcloudapis.com/`,
      // A number, as the SDK's README writes it.
      account_id: CREDENTIALS.accountId,
    },
    {
      // With the default of 1, the one attempt is spent before the SDK looks at a 401, and it
      // throws; with 2 it renews its token once on a 401 and retries the call.
      requestAttempts: 2,
      eventHandlers: { onRefresh: () => refreshes++ },
    },
  );
}

const establish = (client: SDK, body: object): Promise<EstablishContactsResponse> =>
  client.rest.post("/contacts/v1/establish", body);

describe("sfmc-sdk 2.1.2 against the mock, through Prism", () => {
  it("authenticates with account_id as a number, which the spec and the mock accept", async () => {
    const session = await sdk().auth.getAccessToken();
    expect(session).toMatchObject({ token_type: "Bearer", expires_in: 1079, rest_instance_url: `${rig.url}/` });
    expect(conversation(rig.exchanges)).toEqual(["POST /v2/token 200"]);
    // The SDK sent the number as such; the mock took it for the MID it knows as a string.
    expect(rig.service.mock.requests[0]?.body).toMatchObject({ account_id: CREDENTIALS.accountId });
    expect(rig.exchanges[0]?.target).toBe(`/v2/token?tenant=https://${TENANT}.auth.marketingcloudapis.com/v2/token`);
  });

  it.each(WITH_RESULTS)("establishes the page's keys in PascalCase (flags %s) and reads the results", async (flags) => {
    const client = sdk();
    expectResults(rig, await establish(client, establishBody("PascalCase", flags)), true);
    // Again: the same contacts, no longer new.
    expectResults(rig, await establish(client, establishBody("PascalCase", flags)), false);
    expect(rig.service.mock.store.size).toBe(PAGE_KEYS.length);
    expect(conversation(rig.exchanges)).toEqual([
      "POST /v2/token 200",
      "POST /contacts/v1/establish 200",
      "POST /contacts/v1/establish 200",
    ]);
  });

  it.each(FIRE_AND_FORGET)("sends the page's fire-and-forget request in PascalCase (flags %s)", async (flags) => {
    expectAcknowledged(rig, await establish(sdk(), establishBody("PascalCase", flags, false)));
  });

  it.each(WITH_RESULTS)("establishes the page's keys in camelCase (flags %s) and reads the results", async (flags) => {
    const client = sdk();
    expectResults(rig, await establish(client, establishBody("camelCase", flags)), true);
    expectResults(rig, await establish(client, establishBody("camelCase", flags)), false);
    expect(conversation(rig.exchanges)).toEqual([
      "POST /v2/token 200",
      "POST /contacts/v1/establish 200",
      "POST /contacts/v1/establish 200",
    ]);
  });

  it.each(FIRE_AND_FORGET)("sends the fire-and-forget request in camelCase (flags %s)", async (flags) => {
    expectAcknowledged(rig, await establish(sdk(), establishBody("camelCase", flags, false)));
  });

  it("recovers after the mock expires its token, with exactly one more token request", async () => {
    const client = sdk();
    expectResults(rig, await establish(client, establishBody("PascalCase", "absent")), true);
    expect(tokenRequests(rig)).toBe(1);

    rig.service.mock.expireTokens();
    expectResults(rig, await establish(client, establishBody("PascalCase", "absent")), false);

    expect(tokenRequests(rig)).toBe(2);
    expect(refreshes).toBe(2);
    expect(conversation(rig.exchanges)).toEqual([
      "POST /v2/token 200",
      "POST /contacts/v1/establish 200",
      "POST /contacts/v1/establish 401",
      "POST /v2/token 200",
      "POST /contacts/v1/establish 200",
    ]);
    // The 401 is the one the spec describes, header included; Prism checked it (afterEach).
    expect(rig.exchanges[2]?.headers["www-authenticate"]).toMatch(/^Bearer\s.*error="invalid_token"/);
  });
});
