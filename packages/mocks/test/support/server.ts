import { afterAll, afterEach, beforeAll } from "vitest";
import type { ContactsMockOptions } from "../../src/index.js";
import { setupContactsServer } from "../../src/node.js";

/**
 * An msw server with a contacts mock for one test file, with msw's recommended lifecycle: listen
 * with unhandled requests as errors, reset handlers and the mock's state after each test, close.
 */
export function useContactsServer(options: ContactsMockOptions) {
  const contacts = setupContactsServer(options);
  beforeAll(() => contacts.server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => {
    contacts.server.resetHandlers();
    contacts.mock.reset();
  });
  afterAll(() => contacts.server.close());
  return contacts;
}
