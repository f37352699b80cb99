/**
 * A plain node:http server on 127.0.0.1 that records every request it receives, for tests that
 * must prove what reached a host (and what did not): token routes, redirect targets.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { establishItem, establishResponse } from "@sfmc-contacts/mocks";

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
  const sockets = new Set<Socket>();
  const state: RecordingServer = {
    url: "",
    requests: [],
    answer: answer ?? ((_request, response) => void response.writeHead(404).end()),
    on: (path) => state.requests.filter((r) => r.path === path),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const received: Received = {
      method: request.method ?? "",
      path: request.url ?? "",
      headers: request.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    };
    state.requests.push(received);
    state.answer(received, response);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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

/** Answers a valid establish body for whatever keys were sent. */
export function establishAnswer(request: Received, response: ServerResponse): void {
  const keys = (JSON.parse(request.body) as { ContactKeys: string[] }).ContactKeys;
  json(
    response,
    200,
    establishResponse({
      items: keys.map((key, i) =>
        establishItem({ contactKey: key, contactID: 1000 + i, requestItemIndex: i, isNewContact: true }),
      ),
    }),
  );
}
