// The types a TypeScript user gets, through the package's own exports map (self-reference).

import {
  type JsonSchema,
  type OpenApiDocument,
  openapi,
  type SchemaName,
  type StandaloneJsonSchema,
  schemas,
  specVersion,
} from "@sfmc-contacts/spec";
import openapiJson from "@sfmc-contacts/spec/openapi.json" with { type: "json" };
import tokenRequest from "@sfmc-contacts/spec/schemas/TokenRequest.schema.json" with { type: "json" };
import { describe, expectTypeOf, it } from "vitest";

describe("types of @sfmc-contacts/spec", () => {
  it("types the module's exports", () => {
    expectTypeOf(openapi).toEqualTypeOf<OpenApiDocument>();
    expectTypeOf(specVersion).toEqualTypeOf<string>();
    expectTypeOf(schemas.EstablishContactsRequest).toEqualTypeOf<StandaloneJsonSchema<"EstablishContactsRequest">>();
    expectTypeOf(schemas.TokenResponse.title).toEqualTypeOf<"TokenResponse">();
    expectTypeOf(schemas.OAuthError).toExtend<JsonSchema>();
    expectTypeOf<keyof typeof schemas>().toEqualTypeOf<SchemaName>();
    // @ts-expect-error -- only the published schemas are there
    schemas.ContactKey;
  });

  it("types the JSON files as JSON Schema objects and the OpenAPI document", () => {
    expectTypeOf(openapiJson).toEqualTypeOf<OpenApiDocument>();
    expectTypeOf(openapiJson.info.version).toEqualTypeOf<string>();
    expectTypeOf(tokenRequest).toEqualTypeOf<StandaloneJsonSchema<"TokenRequest">>();
    expectTypeOf(tokenRequest.$schema).toEqualTypeOf<"https://json-schema.org/draft/2020-12/schema">();
  });
});
