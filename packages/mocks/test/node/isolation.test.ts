/**
 * Test isolation (issue 13 point 7). A default `handlers` export, backed by one mock nobody could
 * reset, leaked contacts from test to test (`isNewContact` stayed false in the next test). State
 * now lives only in mocks you create, and setupContactsServer's resetHandlers() resets its mock.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as entry from "../../src/index.js";
import { createContactsMock } from "../../src/index.js";
import { setupContactsServer } from "../../src/node.js";
import { establish, token } from "../support/http.js";

const { server, mock } = setupContactsServer({ seed: 7 });
beforeAll(() => server.listen());
// The only cleanup: msw's own resetHandlers(), as msw's docs have it. No mock.reset().
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function isNew(key: string): Promise<boolean | undefined> {
  const answer = await establish({ ContactKeys: [key] }, { token: await token() });
  expect(answer.status).toBe(200);
  return (answer.body as { items: Array<{ value: { isNewContact?: boolean } }> }).items[0]?.value.isNewContact;
}

describe("server.resetHandlers() resets the mock", () => {
  it("a first test establishes a key", async () => {
    expect(await isNew("shared-key")).toBe(true);
    expect(await isNew("shared-key")).toBe(false);
  });

  it("the next test starts from an empty store: the same key is new again", async () => {
    expect(mock.store.size).toBe(0);
    expect(mock.requests).toEqual([]);
    expect(await isNew("shared-key")).toBe(true);
  });

  it("within a test too: contacts, requests and issued tokens are forgotten", async () => {
    const before = await token();
    await establish({ ContactKeys: ["k"] }, { token: before });
    server.resetHandlers();
    expect([mock.store.size, mock.requests.length]).toEqual([0, 0]);
    expect((await establish({ ContactKeys: ["k"] }, { token: before })).status).toBe(401);
  });

  it("and still drops server.use() handlers, as msw's does", async () => {
    server.use(mock.scenarios.serverError());
    server.resetHandlers();
    expect(await isNew("after-reset")).toBe(true);
  });
});

describe("no shared default mock", () => {
  it("the entry exports no stateful `handlers`: each createContactsMock() is its own state", async () => {
    expect("handlers" in entry).toBe(false);
    const [one, two] = [createContactsMock({ seed: 1 }), createContactsMock({ seed: 1 })];
    one.store.add("only-in-one");
    expect([one.store.has("only-in-one"), two.store.has("only-in-one")]).toEqual([true, false]);
  });
});
