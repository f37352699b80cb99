/** A real HTTP server on 127.0.0.1 for what msw cannot fake honestly: redirects, trickles, huge bodies. */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { establishItem, establishResponse } from "@sfmc-contacts/mocks";

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
  const sockets = new Set<Socket>();
  const state: TestServer = {
    url: "",
    requests: [],
    handle,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    state.requests.push(`${request.method} ${request.url}`);
    state.handle(request, Buffer.concat(chunks).toString("utf8"), response);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

/** A handler that redirects every request to `target` (same path) with `status`. */
export const redirectTo =
  (status: number, target: () => string): Handler =>
  (request, _body, response) => {
    response.writeHead(status, { location: `${target()}${request.url}` }).end();
  };
