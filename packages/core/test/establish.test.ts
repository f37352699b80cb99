import { establishItem, establishResponse, resultMessage, specJson } from "@sfmc-contacts/mocks";
import { http } from "msw";
import { describe, expect, it } from "vitest";
import { ContactsApiError, ContactsValidationError, MAX_CONTACT_KEY_LENGTH } from "../src/index.js";
import { establishCalls, makeClient, REST, useMock } from "./support.js";

const { server, mock } = useMock();
const ESTABLISH = `${REST}/contacts/v1/establish`;

describe("input is checked before anything is sent", () => {
  const client = makeClient();
  it.each([
    ["not an array", "Key1", undefined, "must be a non-empty array"],
    ["an empty array", [], undefined, "must be a non-empty array"],
    ["a number", ["a", 42], 1, "must be a string, got number"],
    ["null", ["a", "b", null], 2, "must be a string, got null"],
    ["an empty key", [""], 0, "is empty"],
    ["a key over 254 characters", ["ok", "k".repeat(255)], 1, "is 255 characters; a contact key is at most 254"],
    // biome-ignore lint/suspicious/noSparseArray: a hole is the point (issue 10, point 13): it went out as null
    ["a hole in a sparse array", ["a", , "b"], 1, "must be a string, got undefined"],
    ["a hole at the end", Object.assign(["a"], { length: 2 }), 1, "must be a string, got undefined"],
    ["128 astral characters: 256 UTF-16 code units", ["ok", "😀".repeat(128)], 1, "is 256 characters"],
  ])("%s", async (_, keys, index, reason) => {
    const error = await client.establish(keys as string[]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsValidationError);
    expect(error).toMatchObject({ name: "ContactsValidationError", code: "CONTACTS_VALIDATION_ERROR", index });
    expect((error as ContactsValidationError).reason).toContain(reason);
    expect((error as Error).message).toContain(index === undefined ? "keys" : `keys[${index}]`);
    expect(mock.requests).toEqual([]);
  });

  it("accepts a key of exactly 254 characters", async () => {
    const result = await client.establish(["k".repeat(MAX_CONTACT_KEY_LENGTH)]);
    expect(result.contacts).toHaveLength(1);
  });

  it("counts UTF-16 code units, as the .NET service does: 127 astral characters (254 units) go", async () => {
    const key = "😀".repeat(127);
    expect(key.length).toBe(MAX_CONTACT_KEY_LENGTH);
    const result = await client.establish([key]);
    expect(result.contacts.map((c) => c.key)).toEqual([key]);
  });

  it("refuses a contactType that is not an integer", async () => {
    await expect(client.establish(["a"], { contactType: 1.5 })).rejects.toBeInstanceOf(ContactsValidationError);
    expect(mock.requests).toEqual([]);
  });
});

describe("what is sent", () => {
  const client = makeClient();
  it("sends the spec's PascalCase body with real booleans and new-contact awareness on", async () => {
    await client.establish(["Key1", "Key2"]);
    expect(establishCalls(mock)[0]?.body).toEqual({ ContactKeys: ["Key1", "Key2"], IncludeNewContactAwareness: true });
    expect(establishCalls(mock)[0]?.headers["content-type"]).toBe("application/json");
  });

  it("sends ReturnResults: false and the contact type when asked", async () => {
    await client.establish(["Key1"], { returnResults: false, contactType: 0, includeNewContactAwareness: false });
    expect(establishCalls(mock)[0]?.body).toEqual({
      ContactKeys: ["Key1"],
      ContactType: 0,
      ReturnResults: false,
      IncludeNewContactAwareness: false,
    });
  });
});

describe("what comes back", () => {
  const client = makeClient();
  it("gives one typed result per key, in request order, plus the answer's ids and messages", async () => {
    mock.store.add("Key2", { contactID: 222222222 });
    const result = await client.establish(["Key1", "Key2"]);
    expect(result.results).toEqual([
      {
        ok: true,
        key: "Key1",
        index: 0,
        contactId: mock.store.get("Key1")?.contactID,
        contactType: "Default",
        status: "Active",
        isNew: true,
        messages: [],
      },
      {
        ok: true,
        key: "Key2",
        index: 1,
        contactId: 222222222,
        contactType: "Default",
        status: "Active",
        isNew: false,
        messages: [],
      },
    ]);
    expect(result.contacts).toEqual(result.results);
    expect(result.failures).toEqual([]);
    expect(result.requestServiceMessageID).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.serviceMessageID).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.responseDateTime).toMatch(/\.\d{7}[+-]\d{2}:\d{2}$/);
    expect(result.resultMessages).toEqual([]);
    expect(result.raw.items).toHaveLength(2);
  });

  it("leaves isNew out when awareness is off", async () => {
    const result = await client.establish(["Key1"], { includeNewContactAwareness: false });
    expect(result.contacts[0]).not.toHaveProperty("isNew");
  });

  it("unwraps the product page's array form", async () => {
    server.use(mock.scenarios.arrayWrapped());
    const result = await client.establish(["Key1"]);
    expect(result.contacts.map((c) => c.key)).toEqual(["Key1"]);
    expect(Array.isArray(result.raw)).toBe(false);
  });

  it("maps an answer in any order back to the keys through requestItemIndex", async () => {
    const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
    const body = establishResponse({
      items: keys
        .map((key, i) => establishItem({ contactKey: key, contactID: 1000 + i, requestItemIndex: i }))
        .reverse(),
    });
    server.use(http.post(ESTABLISH, () => specJson("POST /contacts/v1/establish", 200, body)));
    const result = await client.establish(keys);
    expect(result.results.map((r) => (r.ok ? [r.key, r.contactId] : []))).toEqual(keys.map((k, i) => [k, 1000 + i]));
  });

  it("returns the acknowledgement for fire and forget", async () => {
    const ack = await client.establish(["Key1", "Key2"], { returnResults: false });
    expect(ack).toMatchObject({ acknowledged: true, keys: 2, resultMessages: [resultMessage()] });
    expect(ack).not.toHaveProperty("results");
    expect(mock.store.size).toBe(2);
  });

  it("reports a key whose item carries resultClass Error as that key's failure", async () => {
    server.use(mock.scenarios.itemErrors(["bad"]));
    const result = await client.establish(["good", "bad", "also-good"]);
    expect(result.results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(result.failures).toEqual([
      expect.objectContaining({
        ok: false,
        key: "bad",
        index: 1,
        code: "ITEM_ERROR",
        reason: expect.stringContaining("ContactNotEstablished"),
      }),
    ]);
    expect(result.failures[0]?.messages[0]?.resultClass).toBe("Error");
  });

  it("reports a key the answer has no item for, never dropping it", async () => {
    const body = establishResponse({ items: [establishItem({ contactKey: "a", contactID: 1, requestItemIndex: 0 })] });
    server.use(http.post(ESTABLISH, () => specJson("POST /contacts/v1/establish", 200, body)));
    const result = await client.establish(["a", "b"]);
    expect(result.results).toHaveLength(2);
    expect(result.failures).toEqual([expect.objectContaining({ key: "b", index: 1, code: "MISSING_ITEM" })]);
  });

  it("throws, without retrying, when a 200 carries a request-level Error message", async () => {
    const body = establishResponse({
      resultMessages: [resultMessage({ resultClass: "Error", resultCode: "ServiceUnavailable" })],
    });
    server.use(http.post(ESTABLISH, () => specJson("POST /contacts/v1/establish", 200, body)));
    const error = await client.establish(["a"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsApiError);
    expect(error).toMatchObject({ status: 200, message: expect.stringContaining("ServiceUnavailable") });
  });
});
