// Through the main entry (a cycle, harmless: used only inside functions). The bulk code imports
// this module, so every entry reaches the one graph and bundlers keep core in one shared chunk.
import { ContactsValidationError } from "./index.js";

/**
 * The longest contact key Marketing Cloud accepts (a contact key is a subscriber key), in UTF-16
 * code units: JavaScript's `key.length`, the unit of the .NET service. A character outside the
 * Basic Multilingual Plane (most emoji) counts 2, so 127 of them fit and 128 do not.
 *
 * @example
 * ```ts
 * const fits = (key: string) => key.length > 0 && key.length <= MAX_CONTACT_KEY_LENGTH;
 * ```
 */
export const MAX_CONTACT_KEY_LENGTH = 254;

/** What is wrong with one key, or undefined when it can be sent. @internal */
export function keyProblem(key: unknown): string | undefined {
  if (typeof key !== "string") return `must be a string, got ${key === null ? "null" : typeof key}`;
  if (key.length === 0) return "is empty";
  if (key.length > MAX_CONTACT_KEY_LENGTH) {
    return `is ${key.length} characters; a contact key is at most ${MAX_CONTACT_KEY_LENGTH}`;
  }
  return undefined;
}

/**
 * Throws a {@link ContactsValidationError} naming the first bad key (index and reason) unless
 * `keys` is a non-empty array of strings of 1 to 254 UTF-16 code units. A hole in a sparse array
 * is a bad key too (it would be sent as `null`).
 *
 * @example
 * ```ts
 * assertContactKeys(["Key1", ""]); // throws: keys[1] is empty
 * ```
 */
export function assertContactKeys(keys: unknown): asserts keys is string[] {
  if (!Array.isArray(keys) || keys.length === 0) {
    const reason = "must be a non-empty array of contact keys";
    throw new ContactsValidationError(`keys ${reason}`, { reason });
  }
  // A plain loop, not forEach: forEach skips the holes of a sparse array.
  for (let index = 0; index < keys.length; index++) {
    const reason = keyProblem(keys[index]);
    if (reason) throw new ContactsValidationError(`keys[${index}] ${reason}`, { reason, index });
  }
}
