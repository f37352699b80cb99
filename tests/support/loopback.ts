/** A real HTTP server on 127.0.0.1 for what a mock cannot fake honestly: sockets, stalls, resets. */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { establishItem, establishResponse } from "@sfmc-contacts/mocks";

/** How one route answers: write the response (or do not, to stall). */
export type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void | Promise<void>;

export interface Loopback {
  url: string;
  /** Sockets opened so far. */
  connections: number;
  /** Requests received so far, per path. */
  hits: Record<string, number>;
  /** Replace how /contacts/v1/establish answers. */
  onEstablish: Handler;
  /** Replace how /v2/token answers. */
  onToken: Handler;
  close(): Promise<void>;
}

/** A valid establish answer (JSON text) for whatever keys `requestBody` sent: every key new. */
export function establishAnswerFor(requestBody: string): string {
  const keys = (JSON.parse(requestBody) as { ContactKeys: string[] }).ContactKeys;
  return JSON.stringify(
    establishResponse({
      items: keys.map((key, i) =>
        establishItem({ contactKey: key, contactID: 1000 + i, requestItemIndex: i, isNewContact: true }),
      ),
    }),
  );
}

/** Answers a valid establish body for whatever keys were sent. */
export const answerEstablish: Handler = (_request, body, response) => {
  response.writeHead(200, { "content-type": "application/json" }).end(establishAnswerFor(body));
};

/** Issues a token whose REST host is this server. */
const answerToken =
  (url: () => string): Handler =>
  (_request, _body, response) => {
    response.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        access_token: "loopback-token-0123456789",
        token_type: "Bearer",
        expires_in: 1079,
        scope: "list_and_subscribers_write",
        soap_instance_url: `${url()}/soap/`,
        rest_instance_url: `${url()}/`,
      }),
    );
  };

/** What {@link listen} hands each request: its body already read. */
export type OnRequest = (request: IncomingMessage, body: string, response: ServerResponse) => void | Promise<void>;

/** A listening server: its URL, how many sockets it has seen, and close() (which ends them). */
export interface Listening {
  url: string;
  connections(): number;
  close(): Promise<void>;
}

/**
 * A node:http server on 127.0.0.1, on a free port, that reads each request's body and hands it
 * to `onRequest`. close() destroys open sockets first, so a stalled answer never holds a test.
 * The one skeleton under every loopback server of the test suites.
 */
export async function listen(onRequest: OnRequest): Promise<Listening> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    await onRequest(request, Buffer.concat(chunks).toString("utf8"), response);
  });
  server.on("connection", (socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function startLoopback(): Promise<Loopback> {
  const server = await listen(async (request, body, response) => {
    const path = request.url ?? "";
    state.hits[path] = (state.hits[path] ?? 0) + 1;
    if (path === "/v2/token") return state.onToken(request, body, response);
    if (path === "/contacts/v1/establish") return state.onEstablish(request, body, response);
    response.writeHead(404).end();
  });
  const state: Loopback = {
    url: server.url,
    get connections() {
      return server.connections();
    },
    hits: {},
    onEstablish: answerEstablish,
    onToken: answerToken(() => state.url),
    close: server.close,
  };
  return state;
}
