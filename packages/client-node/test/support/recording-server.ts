/**
 * A plain node:http server on 127.0.0.1 that records every request it receives, for tests that
 * must prove what reached a host (and what did not): token routes, redirect targets.
 */
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { establishAnswerFor, listen } from "../../../../tests/support/loopback.js";

/** One request as the server saw it. */
export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Answer = (request: Received, response: ServerResponse) => void;

export interface RecordingServer {
  url: string;
  /** Every request received, in order. */
  requests: Received[];
  /** How the next requests are answered (default: 404). */
  answer: Answer;
  /** Requests received on one path. */
  on(path: string): Received[];
  close(): Promise<void>;
}

export async function startRecordingServer(answer?: Answer): Promise<RecordingServer> {
  const server = await listen((request, body, response) => {
    const received: Received = {
      method: request.method ?? "",
      path: request.url ?? "",
      headers: request.headers,
      body,
    };
    state.requests.push(received);
    state.answer(received, response);
  });
  const state: RecordingServer = {
    url: server.url,
    requests: [],
    answer: answer ?? ((_request, response) => void response.writeHead(404).end()),
    on: (path) => state.requests.filter((r) => r.path === path),
    close: server.close,
  };
  return state;
}

/** Writes a JSON answer. */
export function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

/** A token route's 200 body, with the fields overridden (a field set to `undefined` is left out). */
export function tokenBody(restUrl: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    access_token: "recorded-token-0123456789",
    token_type: "Bearer",
    expires_in: 1079,
    scope: "list_and_subscribers_write",
    soap_instance_url: `${restUrl}/soap/`,
    rest_instance_url: `${restUrl}/`,
    ...overrides,
  };
}

/** Answers a valid establish body for whatever keys were sent (the shared loopback answer). */
export const establishAnswer: Answer = (request, response) =>
  void response.writeHead(200, { "content-type": "application/json" }).end(establishAnswerFor(request.body));
