/**
 * The Node.js entry: msw's `setupServer` with a contacts mock. Not for browsers (its export
 * condition is `browser: null`).
 *
 * @packageDocumentation
 */
import type { RequestHandler } from "msw";
import { type SetupServer, setupServer } from "msw/node";
import { type ContactsMock, toMock } from "./mock.js";
import { assertMswRuntime } from "./msw-runtime.js";
import type { ContactsMockOptions } from "./options.js";
import { type EitherUnhandledOption, withUnhandledOption } from "./unhandled-requests.js";

// Also its own entry, `@sfmc-contacts/mocks/http-server`, which never loads msw.
export {
  type ContactsHttpServer,
  type ContactsHttpServerMock,
  type ContactsHttpServerOptions,
  type ContactsHttpServerScenarios,
  startContactsHttpServer,
} from "./http-server.js";

export type { EitherUnhandledOption, UnhandledStrategy } from "./unhandled-requests.js";

/**
 * Options of {@link ContactsSetupServer.listen}: msw's own `listen()` options, where
 * `onUnhandledRequest` (msw 2's name) and `onUnhandledFrame` (msw 3's) both take a named strategy,
 * whichever msw is installed.
 *
 * @example
 * ```ts
 * const options: ContactsListenOptions = { onUnhandledRequest: "error" };
 * server.listen(options);
 * ```
 */
export type ContactsListenOptions = EitherUnhandledOption<NonNullable<Parameters<SetupServer["listen"]>[0]>>;

/**
 * msw's `SetupServer`, with two test-friendly defaults: `listen()` fails any request no handler
 * answers (msw's own default only warns, and lets it reach the network), and `resetHandlers()`
 * also resets the mock it was made with (contacts, requests, issued tokens), so each test starts
 * from the same state.
 *
 * @example
 * ```ts
 * const { server }: { server: ContactsSetupServer } = setupContactsServer({ seed: 1 });
 * server.listen(); // unhandled requests are errors, under msw 2 and msw 3
 * ```
 */
export interface ContactsSetupServer extends Omit<SetupServer, "listen"> {
  /**
   * Starts intercepting. Unhandled requests fail unless you choose otherwise, under either option
   * name: `listen({ onUnhandledRequest: "warn" })` and `listen({ onUnhandledFrame: "warn" })` do
   * the same under msw 2 and msw 3.
   */
  listen(options?: ContactsListenOptions): void;
}

/**
 * An msw server with a contacts mock.
 *
 * @example
 * ```ts
 * const { server, mock }: ContactsServer = setupContactsServer({ seed: 1 });
 * ```
 */
export interface ContactsServer {
  /**
   * The msw server: `listen`, `use`, `resetHandlers`, `close`, as usual, except that `listen()`
   * fails unhandled requests by default and `resetHandlers()` also resets `mock`.
   */
  readonly server: ContactsSetupServer;
  /** The mock behind it: `scenarios`, `store`, `requests`, `reset()`. */
  readonly mock: ContactsMock;
}

/**
 * Creates an msw server (Node.js) answering with a contacts mock's happy-path handlers, plus any
 * handlers you add. Pass a mock to share one you made, or options to make a new one.
 *
 * `server.listen()` fails requests no handler answers (under msw 2 and msw 3, whichever option
 * name you pass), and `server.resetHandlers()` also resets the mock. Throws an `Error` when msw 3
 * runs on Node 20, which it does not support ("msw 3 needs Node 22+; use msw 2 on Node 20").
 *
 * @example
 * ```ts
 * import { setupContactsServer } from "@sfmc-contacts/mocks/node";
 *
 * const { server, mock } = setupContactsServer({ seed: 1 });
 * beforeAll(() => server.listen());
 * afterEach(() => server.resetHandlers()); // also resets the mock
 * afterAll(() => server.close());
 * ```
 */
export function setupContactsServer(
  mockOrOptions?: ContactsMock | ContactsMockOptions,
  ...extraHandlers: RequestHandler[]
): ContactsServer {
  assertMswRuntime();
  const mock = toMock(mockOrOptions);
  const server = setupServer(...extraHandlers, ...mock.handlers);
  const listen = server.listen.bind(server);
  const resetHandlers = server.resetHandlers.bind(server);
  const contactsServer: ContactsSetupServer = Object.assign(server, {
    listen: (options?: ContactsListenOptions) =>
      listen(withUnhandledOption(options, { onUnhandledRequest: "error", onUnhandledFrame: "error" }) as never),
    resetHandlers: (...next: Parameters<SetupServer["resetHandlers"]>) => {
      resetHandlers(...next);
      mock.reset();
    },
  });
  return { server: contactsServer, mock };
}
