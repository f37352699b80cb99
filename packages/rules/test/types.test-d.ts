import type {
  EstablishContactsRequest,
  EstablishContactsRequestPascalCase,
  MarketingCloudError,
} from "@sfmc-contacts/types";
import { assertType, describe, expectTypeOf, test } from "vitest";
import {
  type CanonicalEstablishRequest,
  type ESTABLISH_PATH,
  type EstablishCall,
  type EstablishRefusal,
  isJsonContentType,
  isRefusal,
  type MAX_CONTACT_KEY_LENGTH,
  marketingCloudError,
  mediaType,
  type ParseEstablishOptions,
  parseEstablishRequest,
} from "../src/index.js";

describe("parseEstablishRequest", () => {
  test("takes a content type (or null), the text and optional limits", () => {
    expectTypeOf(parseEstablishRequest).parameter(0).toEqualTypeOf<string | null>();
    expectTypeOf(parseEstablishRequest).parameter(2).toEqualTypeOf<ParseEstablishOptions | undefined>();
    expectTypeOf(parseEstablishRequest).toBeCallableWith(null, "{}");
    expectTypeOf(parseEstablishRequest).returns.toEqualTypeOf<EstablishCall | EstablishRefusal>();
    assertType(parseEstablishRequest(null, "{}", { maxKeys: 50 }));
    // @ts-expect-error maxKeys is a number
    parseEstablishRequest(null, "{}", { maxKeys: "50" });
    // @ts-expect-error exactOptionalPropertyTypes: leave maxKeys out rather than pass undefined
    parseEstablishRequest(null, "{}", { maxKeys: undefined });
  });

  test("isRefusal narrows the result both ways", () => {
    const result = parseEstablishRequest("application/json", "{}");
    if (isRefusal(result)) {
      expectTypeOf(result).toEqualTypeOf<EstablishRefusal>();
      expectTypeOf(result.status).toEqualTypeOf<400 | 415>();
      expectTypeOf(result.body).toEqualTypeOf<MarketingCloudError>();
    } else {
      expectTypeOf(result).toEqualTypeOf<EstablishCall>();
      expectTypeOf(result.body).toEqualTypeOf<CanonicalEstablishRequest>();
    }
  });
});

describe("the canonical body", () => {
  test("is a valid PascalCase establish body, so it can be sent as it is", () => {
    expectTypeOf<CanonicalEstablishRequest>().toExtend<EstablishContactsRequestPascalCase>();
    expectTypeOf<EstablishCall["body"]>().toExtend<EstablishContactsRequest>();
  });

  test("has real booleans and a numeric contact type, never their strings", () => {
    expectTypeOf<CanonicalEstablishRequest["ReturnResults"]>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<CanonicalEstablishRequest["ContactType"]>().toEqualTypeOf<number | undefined>();
    // @ts-expect-error a string flag is not canonical
    assertType<CanonicalEstablishRequest>({ ContactKeys: ["a"], ReturnResults: "false" });
    // @ts-expect-error the allowlist has no room for other fields
    assertType<CanonicalEstablishRequest>({ ContactKeys: ["a"], access_token: "x" });
  });
});

describe("constants and helpers", () => {
  test("literal types", () => {
    expectTypeOf<typeof ESTABLISH_PATH>().toEqualTypeOf<"/contacts/v1/establish">();
    expectTypeOf<typeof MAX_CONTACT_KEY_LENGTH>().toEqualTypeOf<254>();
  });

  test("content-type readers and the error body", () => {
    expectTypeOf(isJsonContentType).toEqualTypeOf<(contentType: string | null) => boolean>();
    expectTypeOf(mediaType).returns.toEqualTypeOf<string>();
    expectTypeOf(marketingCloudError(0, "x")).toEqualTypeOf<MarketingCloudError>();
    marketingCloudError(50100, "Rate limit exceeded.", { retryAfter: 30 });
    // @ts-expect-error only additionalErrors and retryAfter are extra fields
    marketingCloudError(0, "x", { documentation: "https://example.com" });
  });
});
