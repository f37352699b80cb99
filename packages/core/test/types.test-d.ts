import { assertType, describe, expectTypeOf, test } from "vitest";
import type {
  ContactResult,
  ContactsClient,
  EstablishAcknowledgement,
  EstablishAllRun,
  EstablishAllSummary,
  EstablishResult,
  FailedKey,
} from "../src/index.js";
import { ContactsApiError, ContactsAuthError, ContactsValidationError } from "../src/index.js";

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
  test("takes iterables and async iterables; the run streams results and resolves the summary", async () => {
    async function* keys() {
      yield "a";
    }
    const run = client.establishAll(keys());
    expectTypeOf(run).toEqualTypeOf<EstablishAllRun>();
    expectTypeOf(await run).toEqualTypeOf<EstablishAllSummary>();
    for await (const result of client.establishAll(new Set(["a"]))) expectTypeOf(result).toEqualTypeOf<ContactResult>();
    // @ts-expect-error numbers are not keys
    client.establishAll([1]);
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
