/**
 * Issue 10, point 12: results follow `requestItemIndex` when the echoed key matches the sent one
 * ignoring case (the product page answers `key1` for `Key1`); an item that is malformed, for a
 * key never sent, or a duplicate is a typed ContactsApiError, never a TypeError, never retried.
 */
import { establishItem, establishResponse, itemErrorMessage } from "@sfmc-contacts/mocks";
import type { EstablishContactsItem } from "@sfmc-contacts/types";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { ContactsApiError, type ContactsEvent } from "../src/index.js";
import { makeClient, REST, useMock } from "./support.js";

const { server } = useMock();
const ESTABLISH = `${REST}/contacts/v1/establish`;

/** Answers every establish with these items; counts the requests. */
function answerWith(items: unknown[]) {
  const state = { hits: 0 };
  server.use(
    http.post(ESTABLISH, () => {
      state.hits++;
      return HttpResponse.json(establishResponse({ items: items as EstablishContactsItem[] }));
    }),
  );
  return state;
}

const item = (contactKey: string, requestItemIndex: number, contactID = 100 + requestItemIndex) =>
  establishItem({ contactKey, contactID, requestItemIndex });

describe("matching items to keys", () => {
  it("the product page's own example: Key1 answered as key1 is Key1's contact", async () => {
    answerWith([item("key1", 0, 295863490)]);
    const result = await makeClient().establish(["Key1"]);
    expect(result.failures).toEqual([]);
    expect(result.contacts).toEqual([expect.objectContaining({ key: "Key1", index: 0, contactId: 295863490 })]);
  });

  it("keys that differ only in case are told apart by requestItemIndex", async () => {
    answerWith([item("A", 1, 2), item("a", 0, 1)]);
    const result = await makeClient().establish(["a", "A"]);
    expect(result.contacts.map((c) => [c.key, c.contactId])).toEqual([
      ["a", 1],
      ["A", 2],
    ]);
  });

  it("an index that does not match falls back to the first unanswered key with that name", async () => {
    answerWith([item("KEY2", 7, 2), item("key1", 9, 1)]);
    const result = await makeClient().establish(["Key1", "Key2"]);
    expect(result.contacts.map((c) => [c.key, c.contactId])).toEqual([
      ["Key1", 1],
      ["Key2", 2],
    ]);
  });

  it("a key the answer leaves out is MISSING_ITEM; an item error stays ITEM_ERROR", async () => {
    answerWith([
      establishItem({
        contactKey: "bad",
        contactID: 0,
        requestItemIndex: 1,
        resultMessages: [itemErrorMessage("bad")],
      }),
    ]);
    const result = await makeClient().establish(["gone", "bad"]);
    expect(result.failures.map((f) => [f.key, f.code])).toEqual([
      ["gone", "MISSING_ITEM"],
      ["bad", "ITEM_ERROR"],
    ]);
  });
});

describe("an answer that cannot be matched is a typed error, sent once, never retried", () => {
  const malformed: Array<[string, unknown]> = [
    ["null", null],
    ["no value", { requestItemIndex: 0, resultMessages: [] }],
    ["no contactReference", { value: { requestedContactKey: "Key1" }, requestItemIndex: 0, resultMessages: [] }],
    [
      "a number as the key",
      { value: { requestedContactKey: 1, contactReference: {} }, requestItemIndex: 0, resultMessages: [] },
    ],
    [
      "a string contactID",
      {
        value: {
          requestedContactKey: "Key1",
          contactReference: { contactID: "1", contactType: "Default", contactStatus: "Active", contactKey: "Key1" },
        },
        requestItemIndex: 0,
        resultMessages: [],
      },
    ],
    ["resultMessages not an array", { ...item("Key1", 0), resultMessages: "none" }],
  ];

  it.each(malformed)("a malformed item (%s)", async (_, bad) => {
    const state = answerWith([bad]);
    const events: ContactsEvent[] = [];
    const error = await makeClient({ onEvent: (e) => events.push(e) })
      .establish(["Key1"])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsApiError);
    expect(error).not.toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ status: 200, retryable: false });
    expect((error as Error).message).toMatch(/items\[0\].*malformed/);
    expect(state.hits).toBe(1);
    expect(events.filter((e) => e.type === "retry")).toEqual([]);
  });

  it("an item for a key never sent", async () => {
    const state = answerWith([item("Key1", 0), item("stranger", 1)]);
    const error = await makeClient()
      .establish(["Key1"])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsApiError);
    expect(error).toMatchObject({ status: 200, retryable: false });
    expect((error as Error).message).toContain('items[1]: it answers "stranger"');
    expect(state.hits).toBe(1);
  });

  it("a duplicate item", async () => {
    const state = answerWith([item("Key1", 0, 1), item("Key1", 0, 2)]);
    const error = await makeClient()
      .establish(["Key1"])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsApiError);
    expect(error).toMatchObject({ status: 200, retryable: false });
    expect((error as Error).message).toContain("answered twice");
    expect(state.hits).toBe(1);
  });
});
