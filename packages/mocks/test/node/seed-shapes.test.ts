/** The product page's example answers, reproduced through the mock. */
import { loadSpec } from "sfmc-contacts-spec/validator";
import { describe, expect, it } from "vitest";
import { establish, token } from "../support/http.js";
import { useContactsServer } from "../support/server.js";

const examples = loadSpec().components?.examples as Record<string, { value: Record<string, unknown> }>;
const seed = (name: string): Record<string, unknown> => {
  const example = examples[name];
  if (!example) throw new Error(`the spec has no example ${name}`);
  return example.value;
};
const envelope = {
  requestServiceMessageID: expect.any(String),
  responseDateTime: expect.any(String),
  serviceMessageID: expect.any(String),
};

const { mock } = useContactsServer({ seed: 2018 });

describe("the seed page's examples, through the mock", () => {
  it("the fire-and-forget request gets exactly the page's fire-and-forget answer (ids and time aside)", async () => {
    const answer = await establish(seed("EstablishFireAndForgetRequest"), { token: await token() });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ...seed("EstablishFireAndForgetResponse"), ...envelope });
    // The page's text, trailing space included.
    expect((answer.body as { resultMessages: Array<{ data: string }> }).resultMessages[0]?.data).toBe(
      "The data operation returned successfully but no results were requested to be returned. ",
    );
  });

  it("the page's request, for contacts that exist, gets exactly the page's answer (ids and time aside)", async () => {
    // The page's answer shows two existing contacts, with lower-case keys and these ids.
    mock.store.add("key1", { contactID: 295863490 });
    mock.store.add("key2", { contactID: 304574890 });
    const answer = await establish({ ContactKeys: ["key1", "key2"] }, { token: await token() });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ...seed("EstablishResponse"), ...envelope });
  });

  it("the page's request for new contacts has the page's shape, with isNewContact true", async () => {
    const answer = await establish(seed("EstablishRequest"), { token: await token() });
    const body = answer.body as { items: Array<{ value: { isNewContact: boolean } }> };
    expect(Object.keys(body).sort()).toEqual(Object.keys(seed("EstablishResponse")).sort());
    expect(body.items.map((item) => item.value.isNewContact)).toEqual([true, true]);
  });
});
