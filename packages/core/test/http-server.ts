/** A real HTTP server on 127.0.0.1 for what msw cannot fake honestly: redirects, trickles, huge bodies. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { establishItem, establishResponse } from "@sfmc-contacts/mocks";
import { listen } from "../../../tests/support/loopback.js";

export type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

export interface TestServer {
  url: string;
  /** Requests received so far (method and path). */
  requests: string[];
  handle: Handler;
  close(): Promise<void>;
}

/** Answers a valid establish body for whatever keys were sent. */
export const answerEstablish: Handler = (_request, body, response) => {
  const keys = (JSON.parse(body) as { ContactKeys: string[] }).ContactKeys;
  const answer = establishResponse({
    items: keys.map((key, i) => establishItem({ contactKey: key, contactID: 1000 + i, requestItemIndex: i })),
  });
  response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
};

export async function startServer(handle: Handler = answerEstablish): Promise<TestServer> {
  const server = await listen((request, body, response) => {
    state.requests.push(`${request.method} ${request.url}`);
    state.handle(request, body, response);
  });
  const state: TestServer = { url: server.url, requests: [], handle, close: server.close };
  return state;
}

/** A handler that redirects every request to `target` (same path) with `status`. */
export const redirectTo =
  (status: number, target: () => string): Handler =>
  (request, _body, response) => {
    response.writeHead(status, { location: `${target()}${request.url}` }).end();
  };
