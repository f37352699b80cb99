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
 *   },
 * });
 * ```
 */
export type ContactsEvent =
  | { type: "request"; attempt: number; url: string; keys: number }
  | { type: "response"; attempt: number; status: number; durationMs: number }
  | { type: "retry"; attempt: number; delayMs: number; reason: string }
  | { type: "token"; action: "fetched" | "renewed"; authUrl: string; expiresInSeconds: number }
  | { type: "error"; error: Error };

/**
 * A receiver of {@link ContactsEvent}s. It must not throw; if it does, the error is ignored.
 *
 * @example
 * ```ts
 * const log: ContactsEventListener = (event) => console.log(JSON.stringify(event));
 * ```
 */
export type ContactsEventListener = (event: ContactsEvent) => void;

/**
 * Calls a listener without letting it break the request. Exported for the clients built on core
 * (the Node token manager); not for apps.
 *
 * @internal
 * @example
 * ```ts
 * emit(options.onEvent, { type: "retry", attempt: 1, delayMs: 1000, reason: "429" });
 * ```
 */
export function emit(listener: ContactsEventListener | undefined, event: ContactsEvent): void {
  try {
    listener?.(event);
  } catch {
    // A logging hook must never change what the client does.
  }
}
