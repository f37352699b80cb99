/**
 * The browser entry: msw's `setupWorker` with a contacts mock. Not for Node.js (its export
 * condition is `node: null`). The page must serve msw's worker script: run
 * `npx msw init <your public dir> --save` once.
 *
 * @packageDocumentation
 */
import type { RequestHandler } from "msw";
import { type SetupWorker, setupWorker } from "msw/browser";
import { type ContactsMock, fakeOf, toMock } from "./mock.js";
import type { ContactsMockOptions } from "./options.js";
import { type EitherUnhandledOption, failUnhandled, isUnderBases, withUnhandledOption } from "./unhandled-requests.js";

export type { EitherUnhandledOption, UnhandledStrategy } from "./unhandled-requests.js";

/**
 * Options of {@link ContactsSetupWorker.start}: msw's own `start()` options, where
 * `onUnhandledRequest` (msw 2's name) and `onUnhandledFrame` (msw 3's) both take a named strategy,
 * whichever msw is installed.
 *
 * @example
 * ```ts
 * const options: ContactsStartOptions = { quiet: true, onUnhandledRequest: "bypass" };
 * await worker.start(options);
 * ```
 */
export type ContactsStartOptions = EitherUnhandledOption<NonNullable<Parameters<SetupWorker["start"]>[0]>>;

/**
 * msw's `SetupWorker`, with two test-friendly defaults: `start()` without an unhandled-request
 * option fails requests to the mock's own routes that no handler answers (any
 * `*.marketingcloudapis.com` host, and anything under the mock's `baseUrl`) and lets every other
 * request through silently (the page's modules and assets, Vitest's own); `resetHandlers()` also
 * resets the mock it was made with.
 *
 * @example
 * ```ts
 * const { worker }: { worker: ContactsSetupWorker } = setupContactsWorker({ baseUrl: "/api/sfmc", auth: false });
 * await worker.start({ quiet: true });
 * ```
 */
export interface ContactsSetupWorker extends Omit<SetupWorker, "start"> {
  /**
   * Registers the service worker. `onUnhandledRequest` and `onUnhandledFrame` both take a named
   * strategy under msw 2 and msw 3; without either, see {@link ContactsSetupWorker}.
   */
  start(options?: ContactsStartOptions): ReturnType<SetupWorker["start"]>;
}

/**
 * An msw service worker with a contacts mock.
 *
 * @example
 * ```ts
 * const { worker, mock }: ContactsWorker = setupContactsWorker({ seed: 1 });
 * ```
 */
export interface ContactsWorker {
  /**
   * The msw worker: `start`, `use`, `resetHandlers`, `stop`, as usual, except that `start()` fails
   * unhandled requests to the mock's routes by default and `resetHandlers()` also resets `mock`.
   */
  readonly worker: ContactsSetupWorker;
  /** The mock behind it: `scenarios`, `store`, `requests`, `reset()`. */
  readonly mock: ContactsMock;
}

/**
 * Creates an msw service worker (browser) answering with a contacts mock's happy-path handlers,
 * plus any handlers you add. Call `worker.start()` before the app's first request.
 *
 * `worker.start()` fails requests to the mock's own routes that no handler answers and lets the
 * page's other requests through; `worker.resetHandlers()` also resets the mock. Either option name,
 * `onUnhandledRequest` (msw 2) or `onUnhandledFrame` (msw 3), takes a named strategy.
 *
 * @example
 * ```ts
 * import { setupContactsWorker } from "@sfmc-contacts/mocks/browser";
 *
 * const { worker, mock } = setupContactsWorker({ baseUrl: "/api/sfmc", auth: false });
 * await worker.start({ quiet: true });
 * ```
 */
export function setupContactsWorker(
  mockOrOptions?: ContactsMock | ContactsMockOptions,
  ...extraHandlers: RequestHandler[]
): ContactsWorker {
  const mock = toMock(mockOrOptions);
  const worker = setupWorker(...extraHandlers, ...mock.handlers);
  const { rest, auth } = fakeOf(mock).options;
  const start = worker.start.bind(worker);
  const resetHandlers = worker.resetHandlers.bind(worker);
  const contactsWorker: ContactsSetupWorker = Object.assign(worker, {
    start: (options?: ContactsStartOptions) => {
      // Read when starting: a `/path` base is on the page's origin.
      const mustBeMocked = isUnderBases([rest, auth], globalThis.location?.origin);
      return start(withUnhandledOption(options, failUnhandled(mustBeMocked)) as never);
    },
    resetHandlers: (...next: Parameters<SetupWorker["resetHandlers"]>) => {
      resetHandlers(...next);
      mock.reset();
    },
  });
  return { worker: contactsWorker, mock };
}
