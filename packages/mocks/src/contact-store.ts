import type { Random } from "./random.js";

/**
 * A contact the mock has established.
 *
 * @example
 * ```ts
 * const contact: StoredContact | undefined = mock.store.get("Key1");
 * expect(contact).toMatchObject({ contactKey: "Key1", contactStatus: "Active" });
 * ```
 */
export interface StoredContact {
  /** The contact key, exactly as first requested (keys are opaque and case-preserving). */
  readonly contactKey: string;
  /** The contact's id: deterministic from the mock's seed and the order keys were first seen. */
  readonly contactID: number;
  /** The contact type by name. */
  readonly contactType: string;
  /** The contact's status. */
  readonly contactStatus: string;
}

const MIN_ID = 100_000_000;
const MAX_ID = 999_999_999;

/**
 * The contacts a mock has established, keyed by contact key. Tests read it to assert what was
 * established, and call `add` to start from contacts that already exist.
 *
 * @example
 * ```ts
 * const mock = createContactsMock({ seed: 1 });
 * mock.store.add("existing-key");          // establish will answer isNewContact: false
 * // ... run the app ...
 * expect(mock.store.has("Key1")).toBe(true);
 * expect(mock.store.get("Key1")?.contactID).toBeTypeOf("number");
 * ```
 */
export class ContactStore implements Iterable<StoredContact> {
  readonly #contacts = new Map<string, StoredContact>();
  readonly #ids = new Set<number>();
  readonly #random: () => Random;
  #idRandom: Random;

  /** @internal The mock creates its store; `random` gives a fresh id stream after `clear()`. */
  constructor(random: () => Random) {
    this.#random = random;
    this.#idRandom = random();
  }

  /** How many contacts are stored. */
  get size(): number {
    return this.#contacts.size;
  }

  /** The contact for a key, if it was established. Keys are compared exactly (case-sensitive). */
  get(contactKey: string): StoredContact | undefined {
    return this.#contacts.get(contactKey);
  }

  /** Whether a key was established. */
  has(contactKey: string): boolean {
    return this.#contacts.has(contactKey);
  }

  /** Every stored contact, in the order they were first established. */
  all(): StoredContact[] {
    return [...this.#contacts.values()];
  }

  [Symbol.iterator](): Iterator<StoredContact> {
    return this.#contacts.values();
  }

  /**
   * Stores a contact as if it already existed, so establishing its key answers `isNewContact: false`.
   * Returns the stored contact (the existing one if the key is already stored).
   */
  add(contactKey: string, init: { contactID?: number } = {}): StoredContact {
    return this.establish(contactKey, init).contact;
  }

  /**
   * Returns the contact for a key, creating it on first sight.
   * @internal Used by the establish handler.
   */
  establish(contactKey: string, init: { contactID?: number } = {}): { contact: StoredContact; isNew: boolean } {
    const existing = this.#contacts.get(contactKey);
    if (existing) return { contact: existing, isNew: false };
    const contactID = init.contactID ?? this.#nextId();
    if (this.#ids.has(contactID)) throw new Error(`contactID ${contactID} is already used by another contact`);
    const contact: StoredContact = { contactKey, contactID, contactType: "Default", contactStatus: "Active" };
    this.#contacts.set(contactKey, contact);
    this.#ids.add(contactID);
    return { contact, isNew: true };
  }

  /** Forgets every contact and restarts the id sequence, so the same seed gives the same ids again. */
  clear(): void {
    this.#contacts.clear();
    this.#ids.clear();
    this.#idRandom = this.#random();
  }

  #nextId(): number {
    // 900 million ids: a collision is rare, and each retry is a fresh draw, so this ends quickly.
    for (let attempt = 0; attempt < 1000; attempt++) {
      const id = this.#idRandom.int(MIN_ID, MAX_ID);
      if (!this.#ids.has(id)) return id;
    }
    throw new Error("the mock ran out of contact ids");
  }
}
