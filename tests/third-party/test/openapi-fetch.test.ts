/**
 * openapi-fetch's generic `createClient<paths>()`, typed only from `@sfmc-contacts/types`, against
 * the mocks' HTTP server with Prism in front: the generated types describe what the mock answers,
 * at compile time (expectTypeOf, checked by `tsc`) and at run time (Prism).
 */
import type {
  EstablishContactsResponse,
  MarketingCloudError,
  OAuthError,
  paths,
  TokenResponse,
} from "@sfmc-contacts/types";
import createClient from "openapi-fetch";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import { expectResults, PAGE_KEYS } from "./support/establish.js";
import { conversation, requestViolations, responseViolations } from "./support/front.js";
import { CREDENTIALS, type Rig, startRig, tokenRequests } from "./support/rig.js";

let rig: Rig;

beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});
beforeEach(() => rig.reset());
afterEach(() => {
  expect(responseViolations(rig.exchanges)).toEqual([]);
  expect(requestViolations(rig.exchanges)).toEqual([]);
  expect(rig.exchanges.length).toBeGreaterThan(0);
  expect(rig.exchanges.length).toBe(rig.service.mock.requests.length);
});

const client = () => createClient<paths>({ baseUrl: rig.url });

async function token(api: ReturnType<typeof client>): Promise<TokenResponse> {
  const { data, error, response } = await api.POST("/v2/token", {
    body: {
      grant_type: "client_credentials",
      client_id: CREDENTIALS.clientId,
      client_secret: CREDENTIALS.clientSecret,
      account_id: CREDENTIALS.accountId,
    },
  });
  expectTypeOf(data).toEqualTypeOf<TokenResponse | undefined>();
  expectTypeOf(error).toEqualTypeOf<OAuthError | undefined>();
  expect(response.status).toBe(200);
  if (!data) throw new Error(`no token: ${JSON.stringify(error)}`);
  return data;
}

describe("openapi-fetch createClient<paths> typed from @sfmc-contacts/types, through Prism", () => {
  it("gets a token, then establishes the page's keys at the token's rest_instance_url", async () => {
    const api = client();
    const session = await token(api);
    expect(session.rest_instance_url).toBe(`${rig.url}/`);

    const { data, error, response } = await api.POST("/contacts/v1/establish", {
      baseUrl: session.rest_instance_url,
      headers: { Authorization: `Bearer ${session.access_token}` },
      body: { ContactKeys: [...PAGE_KEYS], ReturnResults: true, IncludeNewContactAwareness: true },
    });
    expectTypeOf(data).toEqualTypeOf<EstablishContactsResponse | undefined>();
    expectTypeOf(error).toEqualTypeOf<MarketingCloudError | undefined>();
    expect(response.status).toBe(200);
    expect(error).toBeUndefined();
    if (!data) throw new Error("no answer");
    expectResults(rig, data, true);
    // Typed all the way down: the id is a number, and the generated type says so.
    expectTypeOf(data.items[0]?.value.contactReference.contactID).toEqualTypeOf<number | undefined>();
    expect(conversation(rig.exchanges)).toEqual(["POST /v2/token 200", "POST /contacts/v1/establish 200"]);

    // Never called: a body the spec refuses does not compile.
    const _withoutKeys = () =>
      // @ts-expect-error ContactKeys is required by the spec
      api.POST("/contacts/v1/establish", { body: { ReturnResults: true } });
    const _nullFlag = () =>
      // @ts-expect-error null is no BooleanFlag (issue 12, point 4)
      api.POST("/contacts/v1/establish", { body: { ContactKeys: ["Key1"], ReturnResults: null } });
  });

  it("sends the reference schema's camelCase body, which the types and the spec accept", async () => {
    const api = client();
    const session = await token(api);
    const { data, response } = await api.POST("/contacts/v1/establish", {
      baseUrl: session.rest_instance_url,
      headers: { Authorization: `Bearer ${session.access_token}` },
      body: { contactKeys: [...PAGE_KEYS], returnResults: true, includeNewContactAwareness: true },
    });
    expect(response.status).toBe(200);
    if (!data) throw new Error("no answer");
    expectResults(rig, data, true);
    // Prism found nothing in the request (afterEach); a camelCase body the spec refuses still does not compile.
    const _nullFlag = () =>
      // @ts-expect-error null is no BooleanFlag, in camelCase too
      api.POST("/contacts/v1/establish", { body: { contactKeys: ["Key1"], returnResults: null } });
  });

  it("reads the mock's 401 after expireTokens() as the typed MarketingCloudError", async () => {
    const api = client();
    const session = await token(api);
    rig.service.mock.expireTokens();
    const { data, error, response } = await api.POST("/contacts/v1/establish", {
      baseUrl: session.rest_instance_url,
      headers: { Authorization: `Bearer ${session.access_token}` },
      body: { ContactKeys: ["Key1"] },
    });
    expect(data).toBeUndefined();
    expect(response.status).toBe(401);
    expect(error).toMatchObject({ errorcode: 0, message: expect.any(String) });
    expectTypeOf(error).toEqualTypeOf<MarketingCloudError | undefined>();
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer\s.*error="invalid_token"/);
    expect(tokenRequests(rig)).toBe(1);
    expect(conversation(rig.exchanges)).toEqual(["POST /v2/token 200", "POST /contacts/v1/establish 401"]);
  });
});
