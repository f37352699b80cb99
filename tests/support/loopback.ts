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

/** Answers a valid establish body for whatever keys were sent. */
export const answerEstablish: Handler = (_request, body, response) => {
  const keys = (JSON.parse(body) as { ContactKeys: string[] }).ContactKeys;
  const answer = establishResponse({
    items: keys.map((key, i) =>
      establishItem({ contactKey: key, contactID: 1000 + i, requestItemIndex: i, isNewContact: true }),
    ),
  });
  response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
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

export async function startLoopback(): Promise<Loopback> {
  const sockets = new Set<Socket>();
  const state: Loopback = {
    url: "",
    connections: 0,
    hits: {},
    onEstablish: answerEstablish,
    onToken: answerToken(() => state.url),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const path = request.url ?? "";
    state.hits[path] = (state.hits[path] ?? 0) + 1;
    if (path === "/v2/token") {
      await state.onToken(request, body, response);
      return;
    }
    if (path === "/contacts/v1/establish") {
      await state.onEstablish(request, body, response);
      return;
    }
    response.writeHead(404).end();
  });
  server.on("connection", (socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
