import { assertType, describe, expectTypeOf, test } from "vitest";
import type {
  BooleanFlag,
  ContactReference,
  components,
  Endpoints,
  EstablishContactsItem,
  EstablishContactsRequest,
  EstablishContactsRequestCamelCase,
  EstablishContactsRequestPascalCase,
  EstablishContactsResponse,
  MarketingCloudError,
  OAuthError,
  ResultMessage,
  Route,
  TokenRequest,
  TokenResponse,
} from "../src/index.js";
import * as examples from "./generated/spec-examples.js";

describe("the seed page's examples satisfy the types", () => {
  test("request and fire-and-forget request", () => {
    expectTypeOf(examples.establishRequest).toExtend<EstablishContactsRequest>();
    expectTypeOf(examples.establishFireAndForgetRequest).toExtend<EstablishContactsRequest>();
    expectTypeOf(examples.establishCamelCaseRequest).toExtend<EstablishContactsRequest>();
    expectTypeOf(examples.establishCamelCaseRequest).toExtend<EstablishContactsRequestCamelCase>();
  });
  test("response and fire-and-forget response", () => {
    expectTypeOf(examples.establishResponse).toExtend<EstablishContactsResponse>();
    expectTypeOf(examples.establishFireAndForgetResponse).toExtend<EstablishContactsResponse>();
  });
  test("every error example is a Marketing Cloud error, every OAuth example an OAuth error", () => {
    expectTypeOf(examples.errorRateLimited).toExtend<MarketingCloudError>();
    expectTypeOf(examples.errorNotAuthorized).toExtend<MarketingCloudError>();
    expectTypeOf(examples.oAuthInvalidClient).toExtend<OAuthError>();
    expectTypeOf(examples.tokenRequest).toExtend<TokenRequest>();
    expectTypeOf(examples.tokenRequestNumericAccountId).toExtend<TokenRequest>();
    expectTypeOf(examples.errorTokenOutsideHeader).toExtend<MarketingCloudError>();
    expectTypeOf(examples.oAuthInvalidScope).toExtend<OAuthError>();
    expectTypeOf(examples.tokenResponse).toExtend<TokenResponse>();
  });
});

describe("EstablishContactsRequest rejects what the service rejects", () => {
  test("a misspelled field does not compile", () => {
    // @ts-expect-error `ContactKey` is not a field; `ContactKeys` is
    assertType<EstablishContactsRequest>({ ContactKey: ["a"] });
    // @ts-expect-error `ReturnResult` is misspelled
    assertType<EstablishContactsRequest>({ ContactKeys: ["a"], ReturnResult: false });
  });
  test("a number in ContactKeys does not compile", () => {
    // @ts-expect-error contact keys are strings
    assertType<EstablishContactsRequest>({ ContactKeys: ["a", 2] });
  });
  test("a missing ContactKeys does not compile", () => {
    // @ts-expect-error ContactKeys is required
    assertType<EstablishContactsRequest>({ ReturnResults: true });
  });
  test("flags take a boolean or its string, in any case (the service is .NET); null does not compile", () => {
    assertType<EstablishContactsRequest>({
      ContactKeys: ["a"],
      ReturnResults: "false",
      CorrelateResponseItem: "True",
      IncludeNewContactAwareness: true,
    });
    // The string form is a case-insensitive pattern in the spec, which TypeScript types as string:
    // the spec's validator (and the mocks) refuse "no"; the type cannot.
    expectTypeOf<BooleanFlag>().toEqualTypeOf<boolean | string>();
    // @ts-expect-error null is refused (10001): leave the field out
    assertType<EstablishContactsRequest>({ ContactKeys: ["a"], ReturnResults: null });
    // @ts-expect-error a number is not a flag
    assertType<EstablishContactsRequest>({ ContactKeys: ["a"], ReturnResults: 1 });
  });
  test("ContactType is a number or the name Default", () => {
    assertType<EstablishContactsRequest>({ ContactKeys: ["a"], ContactType: 0 });
    assertType<EstablishContactsRequest>({ ContactKeys: ["a"], ContactType: "Default" });
    // @ts-expect-error null is refused (10001): leave the field out
    assertType<EstablishContactsRequest>({ ContactKeys: ["a"], ContactType: null });
  });
  test("optional fields stay optional even where the spec gives a default", () => {
    expectTypeOf<EstablishContactsRequestPascalCase>()
      .toHaveProperty("ContactType")
      .toEqualTypeOf<number | string | undefined>();
    expectTypeOf<EstablishContactsRequestPascalCase["ContactKeys"]>().toEqualTypeOf<string[]>();
  });
});

describe("EstablishContactsRequest takes both documented spellings (issue 12 point 1)", () => {
  test("is the union of the page's PascalCase body and the reference's camelCase body", () => {
    expectTypeOf<EstablishContactsRequest>().toEqualTypeOf<
      EstablishContactsRequestPascalCase | EstablishContactsRequestCamelCase
    >();
  });
  test("the page's PascalCase body compiles", () => {
    const body: EstablishContactsRequest = { ContactKeys: ["a"] };
    assertType<EstablishContactsRequest>(body);
  });
  test("the reference's camelCase body compiles, as sfmc-sdk users and production integrations send it", () => {
    const body: EstablishContactsRequest = { contactKeys: ["a"], returnResults: false };
    assertType<EstablishContactsRequest>(body);
    assertType<EstablishContactsRequest>({
      contactKeys: ["a"],
      contactType: "Default",
      returnResults: "false",
      correlateResponseItem: true,
      includeNewContactAwareness: false,
    });
  });
  test("a misspelled field does not compile in either spelling", () => {
    // @ts-expect-error `ReturnResult` is misspelled (it is in neither spelling)
    const misspelled: EstablishContactsRequest = { ContactKeys: ["a"], ReturnResult: true };
    // @ts-expect-error `returnResult` is misspelled
    assertType<EstablishContactsRequest>({ contactKeys: ["a"], returnResult: true });
    assertType(misspelled);
  });
  test("a body without keys does not compile in either spelling", () => {
    // @ts-expect-error ContactKeys (or contactKeys) is required
    const noKeys: EstablishContactsRequest = { ReturnResults: true };
    // @ts-expect-error contactKeys (or ContactKeys) is required
    assertType<EstablishContactsRequest>({ returnResults: true });
    assertType(noKeys);
  });
  test("other casings, which the service takes, are not described", () => {
    // @ts-expect-error only the two documented spellings are typed
    assertType<EstablishContactsRequest>({ CONTACTKEYS: ["a"] });
  });
  test("camelCase fields have the PascalCase fields' types", () => {
    expectTypeOf<EstablishContactsRequestCamelCase["contactKeys"]>().toEqualTypeOf<
      EstablishContactsRequestPascalCase["ContactKeys"]
    >();
    expectTypeOf<EstablishContactsRequestCamelCase["contactType"]>().toEqualTypeOf<
      EstablishContactsRequestPascalCase["ContactType"]
    >();
    expectTypeOf<EstablishContactsRequestCamelCase["returnResults"]>().toEqualTypeOf<
      EstablishContactsRequestPascalCase["ReturnResults"]
    >();
    // @ts-expect-error null is refused (10001) in camelCase too
    assertType<EstablishContactsRequest>({ contactKeys: ["a"], returnResults: null });
    // @ts-expect-error contact keys are strings in camelCase too
    assertType<EstablishContactsRequest>({ contactKeys: [1] });
  });
});

describe("response aliases", () => {
  test("items carry value, requestItemIndex and resultMessages", () => {
    expectTypeOf<EstablishContactsResponse["items"]>().toEqualTypeOf<EstablishContactsItem[]>();
    expectTypeOf<EstablishContactsItem["requestItemIndex"]>().toEqualTypeOf<number>();
    expectTypeOf<EstablishContactsItem["resultMessages"]>().toEqualTypeOf<ResultMessage[]>();
    expectTypeOf<EstablishContactsItem["value"]["contactReference"]>().toEqualTypeOf<ContactReference>();
    expectTypeOf<EstablishContactsItem["value"]["isNewContact"]>().toEqualTypeOf<boolean | undefined>();
  });
  test("contactID is a number and dates are strings", () => {
    expectTypeOf<ContactReference["contactID"]>().toEqualTypeOf<number>();
    expectTypeOf<EstablishContactsResponse["responseDateTime"]>().toEqualTypeOf<string>();
  });
  test("an error carries retryAfter only as an option", () => {
    assertType<MarketingCloudError>({ message: "Not Authorized", errorcode: 0, documentation: "" });
    // @ts-expect-error errorcode is a number
    assertType<MarketingCloudError>({ message: "x", errorcode: "0", documentation: "" });
  });
  test("account_id is a string or a number, as sfmc-sdk and FuelSDK send it", () => {
    assertType<TokenRequest>({ grant_type: "client_credentials", client_id: "a", client_secret: "b", account_id: "1" });
    assertType<TokenRequest>({ grant_type: "client_credentials", client_id: "a", client_secret: "b", account_id: 1 });
    expectTypeOf<TokenRequest["account_id"]>().toEqualTypeOf<string | number | undefined>();
    // @ts-expect-error an object is not an account id
    assertType<TokenRequest>({ grant_type: "client_credentials", client_id: "a", client_secret: "b", account_id: {} });
  });
  test("token requests are client_credentials only", () => {
    // @ts-expect-error only the client-credentials grant is typed
    assertType<TokenRequest>({ grant_type: "password", client_id: "a", client_secret: "b" });
  });
});

describe("Endpoints, keyed by route", () => {
  test("lists exactly the spec's routes", () => {
    expectTypeOf<Route>().toEqualTypeOf<"POST /contacts/v1/establish" | "POST /v2/token">();
  });
  test("request and response of the establish route", () => {
    type Establish = Endpoints["POST /contacts/v1/establish"];
    expectTypeOf<Establish["request"]>().toEqualTypeOf<EstablishContactsRequest>();
    expectTypeOf<Establish["response"]>().toEqualTypeOf<EstablishContactsResponse>();
    expectTypeOf<Establish["responses"][429]>().toEqualTypeOf<MarketingCloudError>();
    expectTypeOf<Establish["error"]>().toEqualTypeOf<MarketingCloudError>();
    expectTypeOf<keyof Establish["responses"]>().toEqualTypeOf<200 | 400 | 401 | 403 | 415 | 429 | 500 | 503>();
  });
  test("request and response of the token route", () => {
    type Token = Endpoints["POST /v2/token"];
    expectTypeOf<Token["request"]>().toEqualTypeOf<TokenRequest>();
    expectTypeOf<Token["response"]>().toEqualTypeOf<TokenResponse>();
    expectTypeOf<Token["error"]>().toEqualTypeOf<OAuthError>();
  });
  test("aliases are the generated components", () => {
    expectTypeOf<ResultMessage>().toEqualTypeOf<components["schemas"]["ResultMessage"]>();
  });
});
