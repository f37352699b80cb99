import { createContactsMock } from "@sfmc-contacts/mocks";
import { setupContactsServer } from "@sfmc-contacts/mocks/node";
import type { paths } from "@sfmc-contacts/types";
import createClient from "openapi-fetch";
import { afterAll, afterEach, beforeAll } from "vitest";
import { type AuthSource, type CoreConfig, createContactsCore } from "../src/index.js";
import { openapiFetchTransport } from "../src/openapi-fetch.js";

export const REST = "https://tenant-1.rest.marketingcloudapis.com";
export const STATIC_TOKEN = "static-token-for-core-tests-0123456789";

/** An msw server with a mock that accepts the static token; reset after each test. */
export function useMock(seed = 1) {
  const mock = createContactsMock({ seed, auth: { staticToken: STATIC_TOKEN } });
  const { server } = setupContactsServer(mock);
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => {
    server.resetHandlers();
    mock.reset();
  });
  afterAll(() => server.close());
  return { server, mock };
}

/** A core client on openapi-fetch with the static token (fast retries unless told otherwise). */
export function makeClient(options: Partial<CoreConfig> = {}, token = STATIC_TOKEN) {
  const raw = createClient<paths>({ baseUrl: REST, fetch: (request) => fetch(request) });
  const auth: AuthSource = { credentials: () => ({ baseUrl: REST, authorization: `Bearer ${token}` }) };
  return createContactsCore({
    auth,
    raw,
    transport: openapiFetchTransport(raw),
    retry: { baseDelayMs: 1, maxDelayMs: 50 },
    ...options,
  });
}

/** The establish requests the mock received. */
export const establishCalls = (mock: ReturnType<typeof useMock>["mock"]) =>
  mock.requests.filter((r) => r.route === "establish");
