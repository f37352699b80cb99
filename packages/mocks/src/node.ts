/**
 * The Node.js entry: msw's `setupServer` with a contacts mock. Not for browsers (its export
 * condition is `browser: null`).
 *
 * @packageDocumentation
 */
import type { RequestHandler } from "msw";
import { type SetupServer, setupServer } from "msw/node";
import { type ContactsMock, toMock } from "./mock.js";
import type { ContactsMockOptions } from "./options.js";

// Also its own entry, `@sfmc-contacts/mocks/http-server`, which never loads msw.
export {
  type ContactsHttpServer,
  type ContactsHttpServerMock,
  type ContactsHttpServerOptions,
  startContactsHttpServer,
} from "./http-server.js";

/**
 * An msw server with a contacts mock.
 *
 * @example
 * ```ts
 * const { server, mock }: ContactsServer = setupContactsServer({ seed: 1 });
 * ```
 */
export interface ContactsServer {
  /** The msw server: `listen`, `use`, `resetHandlers`, `close`, as usual. */
  readonly server: SetupServer;
  /** The mock behind it: `scenarios`, `store`, `requests`, `reset()`. */
  readonly mock: ContactsMock;
}

/**
 * Creates an msw server (Node.js) answering with a contacts mock's happy-path handlers, plus any
 * handlers you add. Pass a mock to share one you made, or options to make a new one.
 *
 * @example
 * ```ts
 * import { setupContactsServer } from "@sfmc-contacts/mocks/node";
 *
 * const { server, mock } = setupContactsServer({ seed: 1 });
 * beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
 * afterEach(() => {
 *   server.resetHandlers();
 *   mock.reset();
 * });
 * afterAll(() => server.close());
 * ```
 */
export function setupContactsServer(
  mockOrOptions?: ContactsMock | ContactsMockOptions,
  ...extraHandlers: RequestHandler[]
): ContactsServer {
  const mock = toMock(mockOrOptions);
  return { server: setupServer(...extraHandlers, ...mock.handlers), mock };
}
