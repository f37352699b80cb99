import type { EstablishContactsItem, EstablishContactsResponse, ResultMessage } from "@sfmc-contacts/types";

/**
 * A key that Marketing Cloud established.
 *
 * @example
 * ```ts
 * for (const contact of result.contacts) console.log(contact.key, contact.contactId, contact.isNew);
 * ```
 */
export interface EstablishedKey {
  ok: true;
  /** The contact key, as requested. */
  key: string;
  /** Its position in the request (in `establishAll`, in the whole input). */
  index: number;
  /** The contact's id. */
  contactId: number;
  /** The contact type by name, e.g. `Default`. */
  contactType: string;
  /** The contact's status, e.g. `Active`. */
  status: string;
  /** Whether this call created the contact (present when new-contact awareness is on, the default). */
  isNew?: boolean;
  /** Any messages about this key (none of them `Error`). */
  messages: ResultMessage[];
}

/**
 * A key Marketing Cloud acknowledged without per-key results (`establishAll` with
 * `returnResults: false`, fire and forget).
 *
 * @example
 * ```ts
 * for await (const r of client.establishAll(keys, { returnResults: false })) if (r.ok) sent++;
 * ```
 */
export interface AcknowledgedKey {
  ok: true;
  acknowledged: true;
  key: string;
  index: number;
  messages: ResultMessage[];
}

/**
 * Why a key failed.
 *
 * @example
 * ```ts
 * if (failure.code === "ITEM_ERROR") retryKeyLater(failure.key);
 * ```
 */
export type FailureCode =
  /** The answer's item for this key carried a `resultClass: "Error"` message. */
  | "ITEM_ERROR"
  /** The answer had no item for this key. */
  | "MISSING_ITEM"
  /** The request for this key's batch failed (see `error`). */
  | "REQUEST_FAILED"
  /** The key cannot be sent (empty, too long, not a string). */
  | "INVALID_KEY"
  /** The run was aborted before this key's batch was answered. */
  | "ABORTED"
  /** Read from the input but never sent: the run ended first (abort, `stop()`, a failing key source). */
  | "NOT_SENT";

/**
 * A key that was not established, and why. A failure is never silently dropped.
 *
 * @example
 * ```ts
 * for (const failure of result.failures) console.error(failure.key, failure.code, failure.reason);
 * ```
 */
export interface FailedKey {
  ok: false;
  /** The contact key, as requested (for a key that is not a string: its text form). */
  key: string;
  /** Its position in the request (in `establishAll`, in the whole input). */
  index: number;
  code: FailureCode;
  /** Why, in words. */
  reason: string;
  /** The messages about this key, when the answer had any. */
  messages: ResultMessage[];
  /** The error of the failed request, for `REQUEST_FAILED` and `ABORTED`. */
  error?: unknown;
}

/**
 * The outcome for one key: established, or failed with a reason.
 *
 * @example
 * ```ts
 * const line = (r: ContactResult) => (r.ok ? `${r.key} -> ${r.contactId}` : `${r.key} failed: ${r.reason}`);
 * ```
 */
export type ContactResult = EstablishedKey | FailedKey;

/**
 * What `establish` returns: one result per requested key, in request order.
 *
 * @example
 * ```ts
 * const result = await client.establish(["Key1", "Key2"]);
 * console.log(result.contacts.length, "established,", result.failures.length, "failed");
 * ```
 */
export interface EstablishResult {
  /** One result per requested key, in request order. */
  results: ContactResult[];
  /** The keys that were established. */
  contacts: EstablishedKey[];
  /** The keys that failed. */
  failures: FailedKey[];
  /** Request-level messages. */
  resultMessages: ResultMessage[];
  requestServiceMessageID: string;
  serviceMessageID: string;
  /** As the service wrote it (7 fractional digits and an offset). */
  responseDateTime: string;
  /** The answer as Marketing Cloud sent it (unwrapped from the product page's array form). */
  raw: EstablishContactsResponse;
}

/**
 * What `establish` returns with `returnResults: false`: the service's acknowledgement.
 *
 * @example
 * ```ts
 * const ack = await client.establish(keys, { returnResults: false });
 * console.log(ack.acknowledged, ack.serviceMessageID);
 * ```
 */
export interface EstablishAcknowledgement {
  acknowledged: true;
  /** How many keys were sent. */
  keys: number;
  resultMessages: ResultMessage[];
  requestServiceMessageID: string;
  serviceMessageID: string;
  responseDateTime: string;
  raw: EstablishContactsResponse;
}

/** Whether a message is a failure (tolerant of a malformed message: it is then no failure). @internal */
export const isError = (message: ResultMessage): boolean => /^error$/i.test(message?.resultClass);

/**
 * Maps an answer to one result per requested key. The usual answer (one item per key, in request
 * order, each echoing its key exactly, each with a contact and no error) is mapped here; any other
 * (an echo in another case, another order, an item error, a missing, duplicate or malformed item)
 * by {@link correlate}, loaded on first use: its code stays out of the browser bundle.
 * @internal
 */
export async function toResults(
  keys: readonly string[],
  items: readonly EstablishContactsItem[],
): Promise<ContactResult[]> {
  return keys.length === items.length &&
    items.every(
      (item, at) =>
        item?.requestItemIndex === at &&
        item.value?.requestedContactKey === keys[at] &&
        typeof item.value.contactReference?.contactID === "number" &&
        Array.isArray(item.resultMessages) &&
        !item.resultMessages.some(isError),
    )
    ? keys.map((key, at) => established(key, at, items[at] as EstablishContactsItem))
    : (await import("./correlate.js")).correlate(keys, items);
}

/** The result of a key whose item carries its contact and no error. @internal */
export function established(key: string, index: number, item: EstablishContactsItem): EstablishedKey {
  const { contactID, contactType, contactStatus } = item.value.contactReference;
  const result: EstablishedKey = {
    ok: true,
    key,
    index,
    contactId: contactID,
    contactType,
    status: contactStatus,
    messages: item.resultMessages ?? [],
  };
  if (item.value.isNewContact !== undefined) result.isNew = item.value.isNewContact;
  return result;
}
