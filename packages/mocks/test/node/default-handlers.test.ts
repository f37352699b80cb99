import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handlers } from "../../src/index.js";
import { establish, token } from "../support/http.js";
import { assertMatchesSpec } from "../support/spec.js";

// The README's shortest recipe: msw's own setupServer with the package's default handlers.
const server = setupServer(...handlers);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

describe("the default handlers", () => {
  it("are the happy path: a token, then establish, stateful", async () => {
    const accessToken = await token();
    const first = await establish({ ContactKeys: ["default-key"] }, { token: accessToken });
    const second = await establish({ ContactKeys: ["default-key"] }, { token: accessToken });
    assertMatchesSpec("establish", first);
    const isNew = (body: unknown) =>
      (body as { items: Array<{ value: { isNewContact: boolean } }> }).items[0]?.value.isNewContact;
    expect([isNew(first.body), isNew(second.body)]).toEqual([true, false]);
    expect(handlers).toHaveLength(2);
  });
});
