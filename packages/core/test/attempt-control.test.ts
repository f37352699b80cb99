/**
 * Issue 14, point 4: a client built on core may make each attempt's controller itself
 * (`attemptControl`, internal): the Node client's undici transport uses one without an
 * AbortSignal, which costs more in Node 20 than the rest of an attempt. The pipeline must use that
 * controller for everything an attempt's AbortController did: the signal handed to the auth source
 * and the transport, the time limit, the caller's abort, and telling a timeout from a failure.
 */
import { describe, expect, it } from "vitest";
import {
  type AuthSource,
  ContactsTimeoutError,
  type CoreConfig,
  createContactsCore,
  type EstablishTransport,
} from "../src/index.js";
import type { AttemptControl } from "../src/internal.js";

const REST = "https://tenant-1.rest.marketingcloudapis.com";
const answer = (keys: string[]) =>
  JSON.stringify({
    items: keys.map((key, i) => ({
      value: {
        requestedContactKey: key,
        contactReference: { contactID: i, contactType: "Default", contactStatus: "Active" },
      },
      requestItemIndex: i,
      resultMessages: [],
    })),
    resultMessages: [],
    requestServiceMessageID: "a",
    serviceMessageID: "b",
    responseDateTime: "c",
  });

/** A controller that records what the pipeline does with it. */
class Recorder extends AbortController {
  static made: Recorder[] = [];
  aborts: unknown[] = [];
  constructor() {
    super();
    Recorder.made.push(this);
  }
  override abort(reason?: unknown): void {
    this.aborts.push(reason);
    super.abort(reason);
  }
}

const clientWith = (
  transport: EstablishTransport,
  auth: Partial<AuthSource> = {},
  options: Partial<CoreConfig> = {},
) => {
  const config: CoreConfig & AttemptControl = {
    auth: { credentials: () => ({ baseUrl: REST }), ...auth },
    transport,
    raw: {} as CoreConfig["raw"],
    retry: false,
    attemptControl: () => new Recorder(),
    ...options,
  };
  return createContactsCore(config);
};

describe("attemptControl", () => {
  it("makes each attempt's controller: its signal reaches the auth source and the transport", async () => {
    Recorder.made = [];
    const signals: Array<AbortSignal | undefined> = [];
    const client = clientWith(
      async ({ body, signal }) => {
        signals.push(signal);
        return { status: 200, header: () => null, text: answer(body.ContactKeys) };
      },
      {
        credentials: (signal) => {
          signals.push(signal);
          return { baseUrl: REST };
        },
      },
    );
    await client.establish(["Key1"]);
    await client.establish(["Key2"]);
    expect(Recorder.made).toHaveLength(2);
    expect(signals).toEqual([
      Recorder.made[0]?.signal,
      Recorder.made[0]?.signal,
      Recorder.made[1]?.signal,
      Recorder.made[1]?.signal,
    ]);
  });

  it("is aborted with the attempt's ContactsTimeoutError at its time limit, which the call then throws", async () => {
    Recorder.made = [];
    const client = clientWith(
      ({ signal }) => new Promise((_, reject) => signal?.addEventListener("abort", () => reject(new Error("aborted")))),
      {},
      { timeoutMs: 20 },
    );
    const error = await client.establish(["Key1"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsTimeoutError);
    expect(Recorder.made[0]?.aborts).toHaveLength(1);
    expect(Recorder.made[0]?.aborts[0]).toBeInstanceOf(ContactsTimeoutError);
  });

  it("is aborted with the caller's reason when the call's signal aborts", async () => {
    Recorder.made = [];
    const caller = new AbortController();
    const client = clientWith(({ signal }) => {
      // Aborted once the request is under way.
      queueMicrotask(() => caller.abort(new Error("the caller gave up")));
      return new Promise((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason)));
    });
    const error = await client.establish(["Key1"], { signal: caller.signal }).catch((e: unknown) => e);
    expect(error).toEqual(new Error("the caller gave up"));
    expect(Recorder.made[0]?.aborts).toEqual([new Error("the caller gave up")]);
  });
});
