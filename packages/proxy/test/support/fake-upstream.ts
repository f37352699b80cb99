/**
 * A fake of the forwarder for the handler's tests: it records every body and option it is
 * given, so a test can assert that a refused request sent nothing upstream, and answers with a
 * reply the test chooses (or an error).
 */
import type { NodeClientOptions } from "@sfmc-contacts/client-node";
import type { ContactsEvent, TransportReply } from "@sfmc-contacts/core";
import type { CanonicalEstablishRequest } from "@sfmc-contacts/rules";
import { createProxyWith } from "../../src/create-proxy.js";
import type { ContactsProxyOptions } from "../../src/options.js";
import type { ForwarderFactory } from "../../src/upstream.js";

export interface ForwardCall {
  body: CanonicalEstablishRequest;
  signal: AbortSignal | undefined;
  emit: ((event: ContactsEvent) => void) | undefined;
}

export type FakeAnswer = TransportReply | Error | ((call: ForwardCall) => TransportReply | Promise<TransportReply>);

export interface FakeUpstream {
  factory: ForwarderFactory;
  /** Every forwarder made, with the options it was made from. */
  made: NodeClientOptions[];
  /** Every forward call, in order. */
  calls: ForwardCall[];
  closed: number;
  answer: FakeAnswer;
}

export const UPSTREAM: NodeClientOptions = {
  clientId: "proxy-test",
  clientSecret: "upstream-secret-value",
  baseUrl: "http://127.0.0.1:9",
  authBaseUrl: "http://127.0.0.1:9",
};

/** A reply as the forwarder hands it back. */
export function reply(status: number, body: unknown, headers: Record<string, string> = {}): TransportReply {
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  const text = typeof body === "string" ? body : JSON.stringify(body);
  if (!("content-type" in lower) && typeof body !== "string") lower["content-type"] = "application/json; charset=utf-8";
  return { status, text, header: (name) => lower[name.toLowerCase()] ?? null };
}

export const ESTABLISHED = {
  items: [
    {
      value: {
        requestedContactKey: "Key1",
        isNewContact: true,
        contactReference: { contactID: 1, contactType: "Default", contactKey: "Key1", contactStatus: "Active" },
      },
      requestItemIndex: 0,
      resultMessages: [],
    },
  ],
  requestServiceMessageID: "a",
  responseDateTime: "2026-11-27T12:00:00.0000000-06:00",
  resultMessages: [],
  serviceMessageID: "b",
};

export function fakeUpstream(answer: FakeAnswer = reply(200, ESTABLISHED)): FakeUpstream {
  const fake: FakeUpstream = {
    made: [],
    calls: [],
    closed: 0,
    answer,
    factory: (options) => {
      fake.made.push(options);
      return {
        async forward(body, forwardOptions) {
          const call: ForwardCall = { body, signal: forwardOptions?.signal, emit: forwardOptions?.onEvent };
          fake.calls.push(call);
          const chosen = fake.answer;
          if (chosen instanceof Error) throw chosen;
          return typeof chosen === "function" ? chosen(call) : chosen;
        },
        async close() {
          fake.closed++;
        },
      };
    },
  };
  return fake;
}

/** A proxy over a fake upstream, with every event collected. */
export function proxyWithFake<Identity = string>(
  options: Partial<ContactsProxyOptions<Identity>> = {},
  answer?: FakeAnswer,
) {
  const upstream = fakeUpstream(answer);
  const events: unknown[] = [];
  const proxy = createProxyWith<Identity>(
    {
      authorize: (request) =>
        /(?:^|;\s*)session=ok(?:;|$)/.test(request.headers.get("cookie") ?? "")
          ? { identity: "user-1" as Identity }
          : { status: 401 },
      upstream: UPSTREAM,
      onEvent: (event) => events.push(event),
      ...options,
    } as ContactsProxyOptions<Identity>,
    upstream.factory,
  );
  return { proxy, upstream, events };
}

export const ORIGIN = "https://app.example.com";
export const ROUTE = `${ORIGIN}/api/sfmc/contacts/v1/establish`;

/** A same-origin POST of the establish route with a signed-in session. */
export function post(body: unknown = { ContactKeys: ["Key1"] }, init: RequestInit & { url?: string } = {}): Request {
  const { url = ROUTE, headers, ...rest } = init;
  const merged = new Headers({ "content-type": "application/json", cookie: "session=ok" });
  for (const [name, value] of new Headers(headers)) merged.set(name, value);
  return new Request(url, {
    method: "POST",
    body: typeof body === "string" || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body),
    ...rest,
    headers: merged,
  });
}
