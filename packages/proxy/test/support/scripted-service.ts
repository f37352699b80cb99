/**
 * A loopback stand-in for Marketing Cloud whose establish answers each test scripts (a 429 with
 * Retry-After, a 401 that stays, an HTML 503, a stall), with a real token route, so the proxy's
 * forwarder runs its whole pipeline against it.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type Served, serve } from "./node-server.js";

export type Script = (request: IncomingMessage, response: ServerResponse, attempt: number) => void;

export interface ScriptedService {
  url: string;
  clientId: string;
  clientSecret: string;
  /** Establish requests received. */
  establish: number;
  /** Token requests received. */
  tokens: number;
  /** Establish requests whose connection closed before an answer. */
  abandoned: number;
  script: Script;
  close(): Promise<void>;
}

export async function startScriptedService(script: Script): Promise<ScriptedService> {
  const service = {
    clientId: `proxy-${randomUUID()}`,
    clientSecret: `secret-${randomUUID()}`,
    establish: 0,
    tokens: 0,
    abandoned: 0,
    script,
  } as ScriptedService;
  const served: Served = await serve(async (request, response) => {
    for await (const _ of request) {
      // read the body
    }
    if (request.url === "/v2/token") {
      service.tokens++;
      response.setHeader("content-type", "application/json");
      response.end(
        JSON.stringify({
          access_token: `token${service.tokens}${randomUUID().replaceAll("-", "")}`,
          token_type: "Bearer",
          expires_in: 1079,
          rest_instance_url: `${service.url}/`,
        }),
      );
      return;
    }
    service.establish++;
    response.on("close", () => {
      if (!response.writableFinished) service.abandoned++;
    });
    service.script(request, response, service.establish);
  });
  service.url = `http://127.0.0.1:${served.port}`;
  service.close = () => served.close();
  return service;
}

/** Answers JSON with a status and headers. */
export function answerJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  response.statusCode = status;
  response.setHeader("content-type", "application/json; charset=utf-8");
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.end(JSON.stringify(body));
}
