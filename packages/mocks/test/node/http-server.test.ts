import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ContactsHttpServer, startContactsHttpServer } from "../../src/node.js";
import { establish, requestToken } from "../support/http.js";
import { assertMatchesSpec } from "../support/spec.js";

let service: ContactsHttpServer;
beforeAll(async () => {
  service = await startContactsHttpServer({ seed: 12 });
});
afterAll(() => service.close());

describe("startContactsHttpServer: the fake on a real socket", () => {
  it("listens on 127.0.0.1 and answers the token and establish routes like the msw handlers", async () => {
    expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const token = await requestToken(undefined, `${service.url}/v2/token`);
    assertMatchesSpec("token", token);
    expect(token.body).toMatchObject({ rest_instance_url: `${service.url}/` });
    const accessToken = (token.body as { access_token: string }).access_token;
    const first = await establish(
      { ContactKeys: ["a"] },
      { token: accessToken, url: `${service.url}/contacts/v1/establish` },
    );
    const again = await establish(
      { ContactKeys: ["a"] },
      { token: accessToken, url: `${service.url}/contacts/v1/establish` },
    );
    assertMatchesSpec("establish", first);
    expect((again.body as { items: Array<{ value: { isNewContact: boolean } }> }).items[0]?.value.isNewContact).toBe(
      false,
    );
    expect(service.mock.store.has("a")).toBe(true);
    expect(service.mock.requests.map((r) => r.route)).toEqual(["token", "establish", "establish"]);
  });

  it("validates like the service", async () => {
    const unauthorized = await establish({ ContactKeys: ["a"] }, { url: `${service.url}/contacts/v1/establish` });
    expect(unauthorized.status).toBe(401);
    const notFound = await fetch(`${service.url}/nope`, { method: "POST" });
    expect(notFound.status).toBe(404);
  });

  it("refuses a host that is not loopback", async () => {
    await expect(startContactsHttpServer({ host: "0.0.0.0" as "127.0.0.1" })).rejects.toThrow(/loopback/);
  });
});
