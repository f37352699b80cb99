/**
 * Types for Salesforce Marketing Cloud's `POST /contacts/v1/establish` and the `POST /v2/token`
 * route it needs, generated from the sfmc-contacts OpenAPI 3.1 document. Types only: importing
 * this package adds no code to a bundle.
 *
 * @example
 * ```ts
 * import type { EstablishContactsRequest, Endpoints } from "@sfmc-contacts/types";
 *
 * const body: EstablishContactsRequest = { ContactKeys: ["Key1", "Key2"], ReturnResults: true };
 * type Answer = Endpoints["POST /contacts/v1/establish"]["response"];
 * ```
 *
 * @packageDocumentation
 */
import type { components, paths } from "./generated/openapi.js";

export type { components, operations, paths } from "./generated/openapi.js";

type Schemas = components["schemas"];

/**
 * The body of `POST /contacts/v1/establish`, in either documented spelling: the product page's
 * PascalCase ({@link EstablishContactsRequestPascalCase}) or the reference schema's camelCase
 * ({@link EstablishContactsRequestCamelCase}). The service binds names case-insensitively; the
 * type describes only these two spellings.
 *
 * @example
 * ```ts
 * const body: EstablishContactsRequest = { ContactKeys: ["Key1", "Key2"] };
 * const fireAndForget: EstablishContactsRequest = { ContactKeys: ["Key1"], ReturnResults: false };
 * const camelCase: EstablishContactsRequest = { contactKeys: ["Key1"], returnResults: false };
 * ```
 */
export type EstablishContactsRequest = Schemas["EstablishContactsRequest"];

/**
 * An establish body in the product page's PascalCase names (`ContactKeys`, `ReturnResults`, ...),
 * as the sfmc-contacts clients send it.
 *
 * @example
 * ```ts
 * const body: EstablishContactsRequestPascalCase = { ContactKeys: ["Key1"], ReturnResults: false };
 * body.ContactType = 0;
 * ```
 */
export type EstablishContactsRequestPascalCase = Schemas["EstablishContactsRequestPascalCase"];

/**
 * An establish body in the camelCase names of Salesforce's reference schema (`contactKeys`,
 * `returnResults`, ...), as production integrations send it.
 *
 * @example
 * ```ts
 * const body: EstablishContactsRequestCamelCase = { contactKeys: ["Key1"], returnResults: false };
 * ```
 */
export type EstablishContactsRequestCamelCase = Schemas["EstablishContactsRequestCamelCase"];

/**
 * The 200 answer of `POST /contacts/v1/establish` (the object; the product page shows it wrapped in an array).
 *
 * @example
 * ```ts
 * function contactIds(answer: EstablishContactsResponse): number[] {
 *   return answer.items.map((item) => item.value.contactReference.contactID);
 * }
 * ```
 */
export type EstablishContactsResponse = Schemas["EstablishContactsResponse"];

/**
 * One item of an establish answer: the contact for one requested key, its request index and its messages.
 *
 * @example
 * ```ts
 * const failed = (item: EstablishContactsItem) => item.resultMessages.some((m) => m.resultClass === "Error");
 * ```
 */
export type EstablishContactsItem = Schemas["EstablishContactsItem"];

/**
 * The contact returned for one requested key: `requestedContactKey`, `isNewContact?` and `contactReference`.
 *
 * @example
 * ```ts
 * const isNew = (contact: EstablishedContact) => contact.isNewContact === true;
 * ```
 */
export type EstablishedContact = Schemas["EstablishedContact"];

/**
 * The identity of an established contact: `contactID`, `contactType`, `contactKey`, `contactStatus`.
 *
 * @example
 * ```ts
 * const ref: ContactReference = { contactID: 295863490, contactType: "Default", contactKey: "Key1", contactStatus: "Active" };
 * ```
 */
export type ContactReference = Schemas["ContactReference"];

/**
 * A message about a request or an item. `resultClass: "Error"` is a failure, even inside a 200.
 *
 * @example
 * ```ts
 * const isError = (message: ResultMessage) => message.resultClass === "Error";
 * ```
 */
export type ResultMessage = Schemas["ResultMessage"];

/**
 * A request flag: a boolean, or the string `"true"` / `"false"` as the product page sends it. The
 * service (.NET) reads the string in any case, so the type is `boolean | string`; send lower case,
 * or a real boolean.
 *
 * @example
 * ```ts
 * const flag: BooleanFlag = "false";
 * ```
 */
export type BooleanFlag = Schemas["BooleanFlag"];

/**
 * The error body of every Marketing Cloud REST route: `{ message, errorcode, documentation, additionalErrors? }`.
 *
 * @example
 * ```ts
 * const rateLimited = (error: MarketingCloudError) => error.errorcode === 50100;
 * ```
 */
export type MarketingCloudError = Schemas["MarketingCloudError"];

/**
 * The body of `POST /v2/token` (client credentials). Server-side only: it holds the client secret.
 *
 * @example
 * ```ts
 * const body: TokenRequest = { grant_type: "client_credentials", client_id: id, client_secret: secret };
 * ```
 */
export type TokenRequest = Schemas["TokenRequest"];

/**
 * The 200 answer of `POST /v2/token`.
 *
 * @example
 * ```ts
 * const expiresAt = (token: TokenResponse, now = Date.now()) => now + token.expires_in * 1000;
 * ```
 */
export type TokenResponse = Schemas["TokenResponse"];

/**
 * An OAuth 2.0 error from `POST /v2/token`, e.g. `invalid_client`.
 *
 * @example
 * ```ts
 * const badCredentials = (error: OAuthError) => error.error === "invalid_client";
 * ```
 */
export type OAuthError = Schemas["OAuthError"];

type HttpMethod = "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace";
type Operation<P extends keyof paths, M extends HttpMethod> = NonNullable<paths[P][M]>;
type JsonOf<T> = T extends { content: { "application/json": infer Body } } ? Body : never;
type RouteOf<P extends keyof paths> = {
  [M in HttpMethod as [paths[P][M]] extends [undefined] ? never : `${Uppercase<M>} ${P & string}`]: Operation<P, M>;
};
type Routes = { [P in keyof paths]: RouteOf<P> }[keyof paths];
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
type RouteTable = UnionToIntersection<Routes>;
type ErrorStatus<R> = Exclude<keyof R, 200 | 201 | 202 | 204>;

/**
 * Every route of the spec keyed by `"METHOD /path"`, in the style of `@octokit/types`:
 * - `request`: the JSON request body;
 * - `response`: the JSON body of the 200 answer;
 * - `responses`: the JSON body of every documented status, keyed by status;
 * - `error`: the union of the error bodies;
 * - `operation`: the generated operation type.
 *
 * @example
 * ```ts
 * type Body = Endpoints["POST /contacts/v1/establish"]["request"];
 * type Answer = Endpoints["POST /contacts/v1/establish"]["response"];
 * type RateLimited = Endpoints["POST /contacts/v1/establish"]["responses"][429];
 * type TokenAnswer = Endpoints["POST /v2/token"]["response"];
 * ```
 */
export type Endpoints = {
  [Route in keyof RouteTable]: RouteTable[Route] extends infer Op extends { responses: object }
    ? {
        operation: Op;
        request: Op extends { requestBody?: infer Body } ? JsonOf<NonNullable<Body>> : never;
        response: Op["responses"] extends { 200: infer Ok } ? JsonOf<Ok> : never;
        responses: { [Status in keyof Op["responses"]]: JsonOf<Op["responses"][Status]> };
        error: { [Status in ErrorStatus<Op["responses"]>]: JsonOf<Op["responses"][Status]> }[ErrorStatus<
          Op["responses"]
        >];
      }
    : never;
};

/**
 * A route key of {@link Endpoints}, e.g. `"POST /contacts/v1/establish"`.
 *
 * @example
 * ```ts
 * function describeRoute(route: Route): string {
 *   return `calling ${route}`;
 * }
 * ```
 */
export type Route = keyof Endpoints;
