/**
 * The browser entry: msw's `setupWorker` with a contacts mock. Not for Node.js (its export
 * condition is `node: null`). The page must serve msw's worker script: run
 * `npx msw init <your public dir> --save` once.
 *
 * @packageDocumentation
 */
import type { RequestHandler } from "msw";
import { type SetupWorker, setupWorker } from "msw/browser";
import { type ContactsMock, toMock } from "./mock.js";
import type { ContactsMockOptions } from "./options.js";

/**
 * An msw service worker with a contacts mock.
 *
 * @example
 * ```ts
 * const { worker, mock }: ContactsWorker = setupContactsWorker({ seed: 1 });
 * ```
 */
export interface ContactsWorker {
  /** The msw worker: `start`, `use`, `resetHandlers`, `stop`, as usual. */
  readonly worker: SetupWorker;
  /** The mock behind it: `scenarios`, `store`, `requests`, `reset()`. */
  readonly mock: ContactsMock;
}

/**
 * Creates an msw service worker (browser) answering with a contacts mock's happy-path handlers,
 * plus any handlers you add. Call `worker.start()` before the app's first request.
 *
 * @example
 * ```ts
 * import { setupContactsWorker } from "@sfmc-contacts/mocks/browser";
 *
 * const { worker, mock } = setupContactsWorker({ baseUrl: "/api/sfmc", auth: false });
 * await worker.start({ onUnhandledRequest: "bypass", quiet: true });
 * ```
 */
export function setupContactsWorker(
  mockOrOptions?: ContactsMock | ContactsMockOptions,
  ...extraHandlers: RequestHandler[]
): ContactsWorker {
  const mock = toMock(mockOrOptions);
  return { worker: setupWorker(...extraHandlers, ...mock.handlers), mock };
}
