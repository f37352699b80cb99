import { ContactsValidationError } from "./errors.js";

/**
 * The longest contact key Marketing Cloud accepts (a contact key is a subscriber key).
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
 * `keys` is a non-empty array of strings of 1 to 254 characters.
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
  keys.forEach((key, index) => {
    const reason = keyProblem(key);
    if (reason) throw new ContactsValidationError(`keys[${index}] ${reason}`, { reason, index });
  });
}
