/**
 * The HTTP server's own answers, on a raw socket: what node:http would answer by itself (a
 * bodiless 400, 431 or 417) is JSON, and a request target in absolute form is served when it
 * names this server and refused, never forwarded, when it names another host (review of issue 12,
 * finding 7). And the requests log redacts secrets on this mock kind as on msw's (finding 1).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ContactsHttpServer, startContactsHttpServer } from "../../src/http-server.js";

let service: ContactsHttpServer;
let port: number;
beforeAll(async () => {
  service = await startContactsHttpServer({ seed: 7, restInstanceUrl: "http://tenant.rest.example.test/" });
  port = Number(new URL(service.url).port);
});
afterAll(() => service.close());

interface RawExchange {
  /** Everything the server wrote, as latin1 text. */
  text: string;
  /** Whether the server closed the connection. */
  closed: boolean;
  /** The last answer in `text`: status, headers (lower-case names), body. */
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes bytes on a fresh connection and reads until the server closes it. A hang guard ends the
 * wait (the connection is then destroyed and `closed` is false); the tests send `Connection: close`
 * or expect the server to close.
 */
function exchange(bytes: string, hangGuardMs = 20_000): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let closed = false;
    const finish = () => {
      clearTimeout(guard);
      const text = Buffer.concat(chunks).toString("latin1");
      // The final answer: past any interim (1xx) ones.
      let start = 0;
      while (/^HTTP\/1\.1 1\d\d /.test(text.slice(start)) && text.indexOf("\r\n\r\n", start) >= 0) {
        start = text.indexOf("\r\n\r\n", start) + 4;
      }
      const head = text.slice(start, text.indexOf("\r\n\r\n", start));
      const [statusLine = "", ...lines] = head.split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const at = line.indexOf(":");
        headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
      }
      resolve({
        text,
        closed,
        status: Number(statusLine.split(" ")[1] ?? 0),
        headers,
        body: text.slice(text.indexOf("\r\n\r\n", start) + 4),
      });
    };
    const guard = setTimeout(() => {
      socket.destroy();
      finish();
    }, hangGuardMs);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      if (!guard) return;
      closed = true;
      finish();
    });
    socket.write(Buffer.from(bytes, "latin1"));
  });
}

const TOKEN_BODY = '{"grant_type":"client_credentials","client_id":"id","client_secret":"secret-of-7"}';
const post = (target: string, extra = "", body = TOKEN_BODY) =>
  `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n${extra}Connection: close\r\n\r\n${body}`;

const serverError = { errorcode: 0, message: expect.any(String), documentation: expect.stringMatching(/^https:/) };

function expectJsonError(answer: RawExchange, status: number): void {
  expect(answer.status, answer.text.slice(0, 300)).toBe(status);
  expect(answer.headers["content-type"]).toMatch(/^application\/json/);
  expect(Number(answer.headers["content-length"])).toBe(Buffer.byteLength(answer.body, "latin1"));
  expect(JSON.parse(answer.body)).toMatchObject(serverError);
  expect(answer.body).not.toMatch(/Parse Error|HPE_|TypeError|at \S+ \(/);
}

describe("what node:http would answer without a body is JSON", () => {
  it("a method that is not HTTP's: 400 JSON, connection closed", async () => {
    const answer = await exchange("BREW /v2/token HTTP/1.1\r\nHost: x\r\n\r\n");
    expectJsonError(answer, 400);
    expect(answer.headers.connection).toBe("close");
    expect(answer.closed).toBe(true);
  });

  it("headers over node:http's limit: 431 JSON, connection closed", async () => {
    const answer = await exchange(`POST /v2/token HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
    expectJsonError(answer, 431);
    expect(answer.headers.connection).toBe("close");
    expect(answer.closed).toBe(true);
  });

  it("a malformed chunked body: 400 JSON, connection closed", async () => {
    const answer = await exchange(
      'POST /v2/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n5\r\n{"a":\r\nZZ\r\n',
    );
    expectJsonError(answer, 400);
    expect(answer.closed).toBe(true);
  });

  it("an Expect other than 100-continue: 417 JSON", async () => {
    const answer = await exchange(post("/v2/token", "Expect: foo\r\n"));
    expectJsonError(answer, 417);
    expect(JSON.parse(answer.body).message).toContain('"foo"');
  });

  it("Expect: 100-continue still gets 100, then the route's answer", async () => {
    const answer = await exchange(post("/v2/token", "Expect: 100-continue\r\n"));
    expect(answer.text).toMatch(/^HTTP\/1\.1 100 Continue\r\n/);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ token_type: "Bearer" });
  });

  it("the server keeps serving after each of them", async () => {
    const answer = await exchange(post("/v2/token"));
    expect(answer.status).toBe(200);
  });
});

describe("a request target in absolute form (RFC 9112 section 3.2.2)", () => {
  it("naming this server: served like the origin form", async () => {
    service.mock.reset();
    const answer = await exchange(post(`http://127.0.0.1:${port}/v2/token?x=1`));
    expect(answer.status, answer.text.slice(0, 300)).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ token_type: "Bearer" });
    expect(service.mock.requests.map((r) => r.url)).toEqual([`${service.url}/v2/token?x=1`]);
  });

  it("naming its restInstanceUrl (a proxy in front of it): served", async () => {
    service.mock.reset();
    const answer = await exchange(post("HTTP://Tenant.Rest.Example.Test:80/v2/token"));
    expect(answer.status, answer.text.slice(0, 300)).toBe(200);
    expect(service.mock.requests).toHaveLength(1);
  });

  describe("naming another host: 404 JSON, and nothing is forwarded", () => {
    let elsewhere: Server;
    let reached = 0;
    beforeAll(async () => {
      elsewhere = createServer((_, res) => {
        reached++;
        res.end("forwarded");
      });
      elsewhere.on("connection", () => reached++);
      await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", resolve));
    });
    afterAll(() => new Promise<void>((resolve) => elsewhere.close(() => resolve())));

    it.each([
      ["another port of 127.0.0.1", () => `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/v2/token`],
      ["another host", () => "http://evil.example/v2/token"],
      ["this server with credentials", () => `http://user:pw@127.0.0.1:${port}/v2/token`],
      ["this server over https", () => `https://127.0.0.1:${port}/v2/token`],
    ])("%s", async (_, target) => {
      service.mock.reset();
      const answer = await exchange(post(target()));
      expectJsonError(answer, 404);
      expect(answer.body).not.toContain("forwarded");
      expect(service.mock.requests).toEqual([]);
      expect(reached).toBe(0);
    });
  });
});

describe("the requests log redacts on this mock kind too (both kinds record through one module)", () => {
  it("a FormData token request, a header named access_token, proxy-authorization", async () => {
    service.mock.reset();
    const data = new FormData();
    data.set("grant_type", "client_credentials");
    data.set("client_secret", "S3cr3t-over-http");
    await fetch(`${service.url}/v2/token`, { method: "POST", body: data }).then((r) => r.arrayBuffer());
    const token = await fetch(`${service.url}/v2/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: TOKEN_BODY,
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    await fetch(`${service.url}/contacts/v1/establish`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${token.access_token}`,
        access_token: token.access_token,
        "proxy-authorization": `Basic ${btoa("id:S3cr3t-proxy")}`,
      },
      body: '{"ContactKeys":["a"]}',
    }).then((r) => r.arrayBuffer());
    const recorded = JSON.stringify(service.mock.requests);
    expect(service.mock.requests).toHaveLength(3);
    expect(recorded).not.toMatch(/S3cr3t|secret-of-7/);
    expect(recorded).not.toContain(token.access_token);
    expect(recorded).not.toContain(btoa("id:S3cr3t-proxy"));
    expect(service.mock.requests[2]?.headers).toMatchObject({
      access_token: "[redacted]",
      "proxy-authorization": "Basic [redacted]",
    });
  });
});
