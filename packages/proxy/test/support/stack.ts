/**
 * The real chain for the node tests: the mocks' loopback HTTP server as Marketing Cloud, the
 * proxy with client-node's forwarder in front of it, and node:http with toNodeListener in front of
 * that. `recordingFetch` keeps every token the service issued and the headers of every establish
 * request that left the proxy, so a test can show what was (and was not) forwarded and that no
 * token leaked.
 */
import { randomUUID } from "node:crypto";
import { type ContactsHttpServer, startContactsHttpServer } from "@sfmc-contacts/mocks/http-server";
import { type ContactsProxy, createContactsProxy } from "../../src/create-proxy.js";
import type { ProxyEvent } from "../../src/events.js";
import { toNodeListener } from "../../src/node-listener.js";
import type { ContactsProxyOptions } from "../../src/options.js";
import { type Served, serve } from "./node-server.js";

export interface Stack {
  service: ContactsHttpServer;
  proxy: ContactsProxy;
  port: number;
  events: ProxyEvent<string>[];
  tokens: string[];
  sent: Array<Record<string, string>>;
  /** Requests the service received, both routes. */
  upstreamCount(): number;
  close(): Promise<void>;
}

export async function startStack(options: Partial<ContactsProxyOptions<string>> = {}): Promise<Stack> {
  // A client id per stack: the token cache is process-wide, and another stack's token would add a renewal.
  const clientId = `proxy-${randomUUID()}`;
  const clientSecret = `secret-${randomUUID()}`;
  const service = await startContactsHttpServer({ seed: 1, auth: { clientId, clientSecret } });
  const tokens: string[] = [];
  const sent: Array<Record<string, string>> = [];
  const recordingFetch = async (request: Request): Promise<Response> => {
    if (request.url.endsWith("/contacts/v1/establish")) sent.push(Object.fromEntries(request.headers));
    const response = await fetch(request);
    if (request.url.endsWith("/v2/token") && response.ok) {
      const body = (await response.clone().json()) as { access_token?: string };
      if (body.access_token) tokens.push(body.access_token);
    }
    return response;
  };
  const events: ProxyEvent<string>[] = [];
  const proxy = createContactsProxy<string>({
    authorize: (request) =>
      /(?:^|;\s*)session=ok(?:;|$)/.test(request.headers.get("cookie") ?? "")
        ? { identity: "user-1" }
        : { status: 401 },
    upstream: { clientId, clientSecret, baseUrl: service.url, authBaseUrl: service.url, fetch: recordingFetch },
    onEvent: (event) => events.push(event),
    ...options,
  });
  const served: Served = await serve(toNodeListener(proxy));
  return {
    service,
    proxy,
    port: served.port,
    events,
    tokens,
    sent,
    upstreamCount: () => service.mock.requests.length,
    close: async () => {
      await served.close();
      await proxy.close();
      await service.close();
    },
  };
}
