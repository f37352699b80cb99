import { assertType, describe, expectTypeOf, test } from "vitest";
import type { MAX_BATCH_SIZE, MAX_CONCURRENCY } from "../src/establish-all-options.js";
import type {
  AcknowledgedResult,
  ContactResult,
  ContactsClient,
  ContactsEvent,
  EstablishAcknowledgement,
  EstablishAllProgress,
  EstablishAllRun,
  EstablishAllSummary,
  EstablishResult,
  FailedKey,
} from "../src/index.js";
import { ContactsApiError, ContactsAuthError, ContactsThrottledError, ContactsValidationError } from "../src/index.js";

declare const client: ContactsClient;

describe("establish", () => {
  test("returns per-key results by default and the acknowledgement for fire and forget", () => {
    expectTypeOf(client.establish(["a"])).resolves.toEqualTypeOf<EstablishResult>();
    expectTypeOf(client.establish(["a"], { returnResults: true })).resolves.toEqualTypeOf<EstablishResult>();
    expectTypeOf(client.establish(["a"], { returnResults: false })).resolves.toEqualTypeOf<EstablishAcknowledgement>();
  });

  test("results narrow on ok", () => {
    const result = {} as ContactResult;
    if (result.ok) {
      expectTypeOf(result.contactId).toEqualTypeOf<number>();
      expectTypeOf(result.isNew).toEqualTypeOf<boolean | undefined>();
    } else {
      expectTypeOf(result).toEqualTypeOf<FailedKey>();
      expectTypeOf(result.code).toEqualTypeOf<
        "ITEM_ERROR" | "MISSING_ITEM" | "REQUEST_FAILED" | "INVALID_KEY" | "ABORTED" | "NOT_SENT"
      >();
    }
  });

  test("keys are strings", () => {
    // @ts-expect-error keys are strings
    client.establish([1, 2]);
    // @ts-expect-error a single key still goes in an array
    client.establish("Key1");
  });
});

describe("establishAll", () => {
  test("takes iterables and async iterables; the run streams results, and done() resolves the summary", async () => {
    async function* keys() {
      yield "a";
    }
    const run = client.establishAll(keys());
    expectTypeOf(run).toEqualTypeOf<EstablishAllRun>();
    expectTypeOf(run.done()).resolves.toEqualTypeOf<EstablishAllSummary>();
    expectTypeOf(run.stop).toEqualTypeOf<() => void>();
    for await (const result of client.establishAll(new Set(["a"]))) expectTypeOf(result).toEqualTypeOf<ContactResult>();
    // @ts-expect-error numbers are not keys
    client.establishAll([1]);
  });

  test("the run is not a thenable: awaiting it or returning it from an async function gives the run", async () => {
    const run = client.establishAll(["a"]);
    expectTypeOf(run).not.toHaveProperty("then");
    expectTypeOf(await run).toEqualTypeOf<EstablishAllRun>();
    const start = async () => client.establishAll(["a"]);
    expectTypeOf(start()).resolves.toEqualTypeOf<EstablishAllRun>();
  });

  test("fire and forget yields acknowledged or failed keys; the summary counts keys not sent", async () => {
    const run = client.establishAll(["a"], { returnResults: false });
    expectTypeOf(run).toEqualTypeOf<EstablishAllRun<AcknowledgedResult>>();
    expectTypeOf((await run.done()).notSent).toEqualTypeOf<number>();
    expectTypeOf<typeof MAX_CONCURRENCY>().toEqualTypeOf<128>();
    expectTypeOf<typeof MAX_BATCH_SIZE>().toEqualTypeOf<10_000>();
  });
});

describe("errors", () => {
  test("carry typed, stable fields", () => {
    const api = new ContactsApiError("x", { status: 429 });
    expectTypeOf(api.code).toEqualTypeOf<"CONTACTS_API_ERROR">();
    expectTypeOf(api.errorcode).toEqualTypeOf<number | undefined>();
    expectTypeOf(api.retryAfter).toEqualTypeOf<number | undefined>();
    expectTypeOf(new ContactsAuthError("x", { status: 401, error: "invalid_client" }).error).toEqualTypeOf<string>();
    expectTypeOf(new ContactsValidationError("x", { reason: "r", index: 1 }).index).toEqualTypeOf<number | undefined>();
    assertType<Error>(api);
  });
});

describe("throttling (issue 15)", () => {
  test("ContactsEvent narrows on throttle and concurrency", () => {
    const event = {} as ContactsEvent;
    if (event.type === "throttle") {
      expectTypeOf(event.resumeAt).toEqualTypeOf<number>();
      expectTypeOf(event.errorcode).toEqualTypeOf<number | undefined>();
    }
    if (event.type === "concurrency") expectTypeOf(event.ceiling).toEqualTypeOf<number>();
  });

  test("progress and summary carry the new fields; maxPauseMs is a number", () => {
    expectTypeOf<EstablishAllProgress["concurrency"]>().toEqualTypeOf<number>();
    expectTypeOf<EstablishAllProgress["throttled"]>().toEqualTypeOf<number>();
    expectTypeOf<EstablishAllSummary["pausedMs"]>().toEqualTypeOf<number>();
    client.establishAll(["a"], { adaptive: false, maxPauseMs: 1000 });
    // @ts-expect-error maxPauseMs is a number of ms
    client.establishAll(["a"], { maxPauseMs: "5" });
  });

  test("ContactsThrottledError has its code, retryAfter, errorcode and summary", () => {
    const error = new ContactsThrottledError("x", { retryAfter: 1 });
    expectTypeOf(error.code).toEqualTypeOf<"CONTACTS_THROTTLED">();
    expectTypeOf(error.retryAfter).toEqualTypeOf<number | undefined>();
    expectTypeOf(error.errorcode).toEqualTypeOf<number | undefined>();
    expectTypeOf(error.summary).toEqualTypeOf<EstablishAllSummary | undefined>();
  });
});
