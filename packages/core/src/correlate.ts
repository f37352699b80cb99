/**
 * Correlation of an answer that is not in the usual shape (see `toResults`): loaded on first use
 * by `establish`, statically by the bulk code.
 */
import type { EstablishContactsItem } from "@sfmc-contacts/types";
// Through the main entry, so bundlers keep core's shared code in one chunk (see keys.ts).
import { type ContactResult, ContactsApiError, type FailureCode } from "./index.js";
import { established, isError } from "./results.js";

/**
 * Maps an answer to one result per requested key. An item belongs to the key at its
 * `requestItemIndex` when that key matches ignoring case (the service may echo `key1` for
 * `Key1`); otherwise to the first unanswered key that matches ignoring case. An item that is
 * malformed, answers a key never sent, or answers a key twice is a {@link ContactsApiError}, not
 * retried: guessing could give a key another key's contact. `positions` are the keys' indexes in
 * the whole input (`establishAll`); by default their indexes in `keys`.
 * @internal
 */
export function correlate(
  keys: readonly string[],
  items: readonly EstablishContactsItem[],
  positions?: readonly number[],
): ContactResult[] {
  const byIndex: Array<EstablishContactsItem | undefined> = [];
  items.forEach((item, n) => {
    const key = item?.value?.requestedContactKey;
    const messages = item?.resultMessages ?? [];
    // Well formed: a string key, an array of messages, and a contact unless the item failed.
    const wellFormed =
      typeof key === "string" &&
      Array.isArray(messages) &&
      (messages.some(isError) || typeof item.value.contactReference?.contactID === "number");
    // The exact echo first: lower-casing both (two new strings) only when it differs.
    const same = (k: unknown) => k === key || (typeof k === "string" && k.toLowerCase() === key?.toLowerCase());
    const at = !wellFormed
      ? -2
      : same(keys[item.requestItemIndex])
        ? item.requestItemIndex
        : keys.findIndex((k, i) => !byIndex[i] && same(k));
    if (at < 0 || byIndex[at]) {
      throw new ContactsApiError(
        `Marketing Cloud answered 200 with an unusable items[${n}]: ${at < -1 ? "malformed" : `it answers ${JSON.stringify(key)}, not sent or answered twice`}`,
        { status: 200, retryable: false },
      );
    }
    byIndex[at] = item;
  });
  return keys.map((key, at): ContactResult => {
    const index = positions ? (positions[at] as number) : at;
    const item = byIndex[at];
    const messages = item?.resultMessages ?? [];
    const failure = messages.find(isError);
    if (!item || failure) {
      const [code, reason]: [FailureCode, string] = failure
        ? ["ITEM_ERROR", [failure.resultCode, failure.message, failure.data].filter(Boolean).join(": ")]
        : ["MISSING_ITEM", "the answer has no item for this key"];
      return { ok: false, key, index, code, reason, messages };
    }
    return established(key, index, item);
  });
}
