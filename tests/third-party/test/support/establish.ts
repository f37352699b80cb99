/**
 * The establish bodies the clients send: the product page's two example requests (the spec's
 * `EstablishRequest` and `EstablishFireAndForgetRequest` examples, seed
 * establish-contacts-detail.md), in the page's PascalCase and in the reference schema's camelCase,
 * with the flags as the page's strings and as real booleans.
 */
import type { EstablishContactsResponse } from "@sfmc-contacts/types";
import { expect } from "vitest";
import type { Rig } from "./rig.js";

/** The page's example keys. */
export const PAGE_KEYS = ["Key1", "Key2"] as const;

type Casing = "PascalCase" | "camelCase";
type FlagForm = "absent" | "strings" | "booleans";

const NAMES = {
  PascalCase: ["ContactKeys", "ReturnResults", "CorrelateResponseItem", "IncludeNewContactAwareness"],
  camelCase: ["contactKeys", "returnResults", "correlateResponseItem", "includeNewContactAwareness"],
} as const;

/**
 * An establish body for the page's keys. `results: false` is the page's fire-and-forget request
 * (every flag false); `results: true` asks for results in order with new-contact awareness (every
 * flag true). With `flags: "absent"` only the keys are sent, as in the page's first example.
 */
export function establishBody(casing: Casing, flags: FlagForm, results = true): Record<string, unknown> {
  const [keys, ...flagNames] = NAMES[casing];
  const body: Record<string, unknown> = { [keys]: [...PAGE_KEYS] };
  if (flags !== "absent") {
    for (const name of flagNames) body[name] = flags === "strings" ? String(results) : results;
  }
  return body;
}

/** The body variants that ask for results: keys only (the page's example), flags as strings, flags as booleans. */
export const WITH_RESULTS: readonly FlagForm[] = ["absent", "strings", "booleans"];
/** The fire-and-forget variants: flags as the page's strings, and as booleans. */
export const FIRE_AND_FORGET: readonly FlagForm[] = ["strings", "booleans"];

/**
 * Checks an answer as a client reads it: one item per page key, in request order, each naming the
 * contact the mock stored (same contactID), and `isNewContact` as expected.
 */
export function expectResults(rig: Rig, answer: EstablishContactsResponse, isNewContact: boolean): void {
  expect(answer.items).toHaveLength(PAGE_KEYS.length);
  answer.items.forEach((item, index) => {
    const key = PAGE_KEYS[index] as string;
    const stored = rig.service.mock.store.get(key);
    expect(stored, `the mock stored ${key}`).toBeDefined();
    expect(item.requestItemIndex).toBe(index);
    expect(item.resultMessages).toEqual([]);
    expect(item.value.requestedContactKey).toBe(key);
    expect(item.value.isNewContact).toBe(isNewContact);
    expect(item.value.contactReference).toMatchObject({
      contactID: stored?.contactID,
      contactKey: key,
      contactType: "Default",
      contactStatus: "Active",
    });
  });
  expect(answer.resultMessages).toEqual([]);
}

/** Checks the fire-and-forget acknowledgement: no items, one `ResponseReturnsNotRequested` message, and the keys stored all the same. */
export function expectAcknowledged(rig: Rig, answer: EstablishContactsResponse): void {
  expect(answer.items).toEqual([]);
  expect(answer.resultMessages).toEqual([
    expect.objectContaining({ resultClass: "Information", resultCode: "ResponseReturnsNotRequested" }),
  ]);
  expect(rig.service.mock.store.all().map((c) => c.contactKey)).toEqual([...PAGE_KEYS]);
}
