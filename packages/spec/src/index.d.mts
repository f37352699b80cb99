// The declarations of @sfmc-contacts/spec. The modules they describe (dist/index.mjs and
// dist/index.cjs) are generated from specs/openapi.yaml by scripts/build.mjs, which copies this
// file to dist/index.d.mts and dist/index.d.cts. Hand-written, because the data is generated and
// the types are not: a type inferred from the JSON would change with every edit of the spec.

/**
 * A JSON Schema (draft 2020-12) as a plain object: any keyword of the vocabulary, typed loosely so
 * it can be handed to any validator (Ajv, `@cfworker/json-schema`, hyperjump) as it is.
 *
 * @example
 * ```ts
 * import type { JsonSchema } from "@sfmc-contacts/spec";
 *
 * const contactKey: JsonSchema = { type: "string", minLength: 1, maxLength: 254 };
 * ```
 */
export interface JsonSchema {
  $schema?: string;
  $id?: string;
  $ref?: string;
  $comment?: string;
  $defs?: Record<string, JsonSchema>;
  title?: string;
  description?: string;
  [keyword: string]: unknown;
}

/**
 * One of the package's schemas: standalone (every schema it refers to sits under its own `$defs`),
 * with `$schema` naming draft 2020-12 and a stable `$id` of the form
 * `urn:sfmc-contacts:schema:<Name>`. Compile it with a draft 2020-12 validator, such as Ajv's
 * `Ajv2020` plus `ajv-formats` for `uuid`, `date-time`, `uri` and `int64`.
 *
 * @example
 * ```ts
 * import { schemas, type StandaloneJsonSchema } from "@sfmc-contacts/spec";
 *
 * const answer: StandaloneJsonSchema<"EstablishContactsResponse"> = schemas.EstablishContactsResponse;
 * console.log(answer.$id); // "urn:sfmc-contacts:schema:EstablishContactsResponse"
 * ```
 */
export interface StandaloneJsonSchema<Name extends SchemaName = SchemaName> extends JsonSchema {
  $schema: "https://json-schema.org/draft/2020-12/schema";
  $id: string;
  /** `"Generated from specs/openapi.yaml by @sfmc-contacts/spec's build. Do not edit."` */
  $comment: string;
  /** The schema's name in the OpenAPI document's `components.schemas`. */
  title: Name;
}

/**
 * The bundled OpenAPI 3.1 document, as `openapi.json` holds it: the spec itself plus an
 * `x-generated` note (JSON has no comments). `info.description` carries the readings the spec
 * takes where Salesforce's own documents disagree.
 *
 * @example
 * ```ts
 * import { openapi, type OpenApiDocument } from "@sfmc-contacts/spec";
 *
 * const doc: OpenApiDocument = openapi;
 * console.log(doc.info.version, Object.keys(doc.paths)); // "1.1.0" ["/contacts/v1/establish", "/v2/token"]
 * ```
 */
export interface OpenApiDocument {
  openapi: string;
  "x-generated": string;
  info: { title: string; version: string; summary?: string; description?: string; [field: string]: unknown };
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonSchema>; [field: string]: unknown };
  [field: string]: unknown;
}

/**
 * The names of the published schemas: the establish request (either spelling of its names, the
 * product page's PascalCase or the reference schema's camelCase), the establish 200 answer,
 * Marketing Cloud's error body, and the token route's request, answer and OAuth error. Each is also
 * a file: `@sfmc-contacts/spec/schemas/<Name>.schema.json`.
 *
 * @example
 * ```ts
 * import type { SchemaName } from "@sfmc-contacts/spec";
 *
 * const file = (name: SchemaName) => `@sfmc-contacts/spec/schemas/${name}.schema.json`;
 * ```
 */
export type SchemaName =
  | "EstablishContactsRequest"
  | "EstablishContactsResponse"
  | "MarketingCloudError"
  | "TokenRequest"
  | "TokenResponse"
  | "OAuthError";

/**
 * The standalone JSON Schemas, by name. Plain objects: compile them, do not change them (every
 * importer of the package shares them).
 *
 * @example
 * ```ts
 * import { Ajv2020 } from "ajv/dist/2020.js";
 * import addFormats from "ajv-formats";
 * import { schemas } from "@sfmc-contacts/spec";
 *
 * const ajv = new Ajv2020({ allErrors: true });
 * addFormats(ajv);
 * const validRequest = ajv.compile(schemas.EstablishContactsRequest);
 * validRequest({ ContactKeys: ["Key1"] }); // true
 * validRequest({ contactKeys: ["Key1"], returnResults: false }); // true
 * validRequest({ ContactKeys: [] }); // false
 * ```
 */
export declare const schemas: { readonly [Name in SchemaName]: StandaloneJsonSchema<Name> };

/**
 * The bundled OpenAPI 3.1 document as a plain object: what `@sfmc-contacts/spec/openapi.json`
 * holds, for tools that take a document rather than a file.
 *
 * @example
 * ```ts
 * import { openapi } from "@sfmc-contacts/spec";
 *
 * const establish = openapi.paths["/contacts/v1/establish"];
 * ```
 */
export declare const openapi: OpenApiDocument;

/**
 * The version of the spec (its `info.version`) this package was built from. It is also in the
 * package's `package.json`, under `"sfmc-contacts": { "specVersion": ... }`.
 *
 * @example
 * ```ts
 * import { specVersion } from "@sfmc-contacts/spec";
 *
 * console.log(`sfmc-contacts spec ${specVersion}`);
 * ```
 */
export declare const specVersion: string;
