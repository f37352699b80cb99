/**
 * A global `Blob` like jsdom's, for tests of what the clients do under Vitest's jsdom environment
 * without depending on jsdom: jsdom's Blob has no `stream()`, so the runtime's `Response` cannot
 * read one (`TypeError: object.stream is not a function`).
 */

/** The runtime's own Blob, taken before any test swaps the global one. */
const NativeBlob = globalThis.Blob;

/** A Blob as jsdom makes one: tagged "Blob", with `text()` and `arrayBuffer()`, but no `stream()`. */
export class BlobWithoutStream {
  readonly #blob: Blob;
  constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
    this.#blob = new NativeBlob(parts, options);
  }
  get size() {
    return this.#blob.size;
  }
  get type() {
    return this.#blob.type;
  }
  text() {
    return this.#blob.text();
  }
  arrayBuffer() {
    return this.#blob.arrayBuffer();
  }
  get [Symbol.toStringTag]() {
    return "Blob";
  }
}

/**
 * Puts `replacement` (by default {@link BlobWithoutStream}) in place of the global `Blob` and returns
 * the function that puts the previous one back: call it in `afterEach`, so a failing test cannot
 * leave the next one with a foreign Blob.
 */
export function replaceGlobalBlob(replacement: unknown = BlobWithoutStream): () => void {
  const previous = Object.getOwnPropertyDescriptor(globalThis, "Blob");
  Object.defineProperty(globalThis, "Blob", { value: replacement, writable: true, configurable: true });
  return () => {
    if (previous) Object.defineProperty(globalThis, "Blob", previous);
    else Reflect.deleteProperty(globalThis, "Blob");
  };
}
