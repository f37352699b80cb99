/**
 * The seam between the proxy and `toNodeListener`: a proxy made by `createContactsProxy` carries,
 * under a non-enumerable symbol, the same steps as its Fetch handler but with the body read by the
 * caller's own reader and the answer handed back as an {@link Answer}, not a `Response`. Under
 * `node:http` that spares a web stream for the request body, a `Response` with its stream, and
 * reading that stream back: most of what the proxy cost above a hand-written pass-through.
 * Not part of the public API.
 */
import type { Answer } from "./answers.js";
import type { BodyRead } from "./read-body.js";
import { RAW_TARGET } from "./route.js";

/** The key of a proxy's Node entry point. */
export const NODE_ENTRY: unique symbol = Symbol("@sfmc-contacts/proxy.node-entry");

/** Reads the request's body, at most `maxBytes` of it, within `timeoutMs`, as UTF-8 text. */
export type BodyReader = (maxBytes: number, timeoutMs: number) => Promise<BodyRead>;

/**
 * A proxy's Node entry: `request` carries the method, URL, headers, raw target and signal (its own
 * body is not read: it has none), `readBody` reads the real body. Never rejects.
 */
export type NodeEntry = (request: Request, readBody: BodyReader) => Promise<Answer>;

/** The Node entry of `handler`, when it is a proxy of this package. */
export function nodeEntryOf(handler: unknown): NodeEntry | undefined {
  const entry = (handler as { [NODE_ENTRY]?: unknown } | null | undefined)?.[NODE_ENTRY];
  return typeof entry === "function" ? (entry as NodeEntry) : undefined;
}

/** How many requests went through a Node entry: for the tests, which prove the fast path is taken. */
export const fastPathStats = { requests: 0 };

/**
 * The fast path's body-less Request, refusing to be read as the Fetch path's would be refused: its
 * body methods reject and mark it, so an `authorize` that reads the body is a 500 on both paths
 * (it would otherwise read "" here, and sign or check an empty body). A class, so that guarding
 * costs nothing per request beyond the Request itself.
 *
 * Its `signal` (in the init) aborts when the caller hangs up, and so do copies of it
 * (`new Request(request)`, `fetch(request)`). Its raw target (the path as the client sent it) is
 * a field, read through {@link RAW_TARGET}.
 */
export class BodylessRequest extends Request {
  #touched = false;
  readonly #target: string;

  constructor(url: string, init: RequestInit, target: string) {
    super(url, init);
    this.#target = target;
  }

  /** The raw request target, as {@link RAW_TARGET} gives it. */
  get rawTarget(): string {
    return this.#target;
  }

  /** Whether a body method was called. */
  get touched(): boolean {
    return this.#touched;
  }

  #refuse(name: string): Promise<never> {
    this.#touched = true;
    return Promise.reject(new TypeError(`authorize must not read the request body (request.${name}())`));
  }

  override arrayBuffer(): Promise<never> {
    return this.#refuse("arrayBuffer");
  }
  override blob(): Promise<never> {
    return this.#refuse("blob");
  }
  override bytes(): Promise<never> {
    return this.#refuse("bytes");
  }
  /** Synchronous, as on a Request: it throws where the body methods reject. */
  override clone(): Request {
    this.#touched = true;
    throw new TypeError("authorize must not read the request body (request.clone())");
  }
  override formData(): Promise<never> {
    return this.#refuse("formData");
  }
  override json(): Promise<never> {
    return this.#refuse("json");
  }
  override text(): Promise<never> {
    return this.#refuse("text");
  }
}

// On the prototype, once: a symbol key (not forgeable from the network), as the Fetch path's
// adapter-made Request carries it as an own property.
Object.defineProperty(BodylessRequest.prototype, RAW_TARGET, {
  get(this: BodylessRequest) {
    return this.rawTarget;
  },
});

/** Whether `authorize` read, or tried to read, the body. */
export function bodyTouched(request: Request): boolean {
  return request.bodyUsed || (request instanceof BodylessRequest && request.touched);
}
