/**
 * What the clients report to `onEvent`, for logging and metrics. Events carry no headers, tokens
 * or secrets: only what happened, to which URL, how long it took.
 *
 * @example
 * ```ts
 * createContactsClient({
 *   baseUrl,
 *   onEvent: (event) => {
 *     if (event.type === "retry") console.warn(`retry ${event.attempt} in ${event.delayMs} ms: ${event.reason}`);
 *     if (event.type === "throttle") console.warn(`throttled: paused until ${new Date(event.resumeAt).toISOString()}`);
 *   },
 * });
 * ```
 */
export type ContactsEvent =
  | { type: "request"; attempt: number; url: string; keys: number }
  | { type: "response"; attempt: number; status: number; durationMs: number }
  | {
      type: "retry";
      attempt: number;
      delayMs: number;
      reason: string;
      /** The status of the answer retried; absent after a timeout or a network error (no answer). */
      status?: number | undefined;
      /** The wait that answer asked for (`Retry-After`, or the body's `retryAfter`), in ms. */
      retryAfterMs?: number | undefined;
    }
  | { type: "token"; action: "fetched" | "renewed"; authUrl: string; expiresInSeconds: number }
  | { type: "error"; error: Error }
  | {
      /** A throttling answer (429, or 503 with Retry-After) closed the shared gate until `resumeAt`. */
      type: "throttle";
      status: number;
      errorcode?: number | undefined;
      /** The wait the answer asked for, in ms. */
      retryAfterMs?: number | undefined;
      /** When the gate reopens (like Date.now()). */
      resumeAt: number;
    }
  | {
      /** An adaptive `establishAll` changed how many batches it keeps in flight, or its pace. */
      type: "concurrency";
      concurrency: number;
      previous: number;
      /** The run's `concurrency` option: the most it goes to. */
      ceiling: number;
      /** The learned pace in requests/s, while one applies. */
      perSecond?: number | undefined;
    };

/**
 * A receiver of {@link ContactsEvent}s. It should not throw; if it does (or returns a promise that
 * rejects), the error is ignored and reported once per listener as a warning.
 *
 * @example
 * ```ts
 * const log: ContactsEventListener = (event) => console.log(JSON.stringify(event));
 * ```
 */
export type ContactsEventListener = (event: ContactsEvent) => void;

/**
 * Calls a listener without letting it break the request: a throw, or a rejection of the promise
 * an async listener returns, is contained and reported once per listener (a process warning in
 * Node, `console.warn` elsewhere), never an unhandled rejection. Exported for the clients built
 * on core (the Node token manager, and the proxy's own events); not for apps. Generic so that
 * a package with events of its own shares this containment instead of repeating it.
 *
 * @internal
 * @example
 * ```ts
 * emit(options.onEvent, { type: "retry", attempt: 1, delayMs: 1000, reason: "429" });
 * ```
 */
export function emit<E = ContactsEvent>(listener: ((event: E) => void) | undefined, event: E): void {
  // A logging hook must never change what the client does; its failure is only told, once, by
  // code loaded on first use (failures are rare), and the telling cannot throw either.
  const report = (error: unknown) =>
    void import("./failure.js").then(
      (failure) => failure.listenerFailed(listener, error),
      () => {},
    );
  try {
    (listener?.(event) as PromiseLike<void> | undefined)?.then?.(undefined, report);
  } catch (error) {
    report(error);
  }
}
