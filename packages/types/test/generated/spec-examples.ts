/**
 * DO NOT EDIT. Every named example of the spec, each checked against the type at its place in the spec.
 * Generated from specs/openapi.yaml (spec version 1.1.0) by openapi-typescript 7.13.0.
 * Change the spec, then run `pnpm generate` from the repository root.
 */

import type { paths } from "../../src/generated/openapi.js";

/** POST /contacts/v1/establish request: Establish two contacts (the product page's example request) */
export const establishRequest = {
  "ContactKeys": [
    "Key1",
    "Key2"
  ]
} satisfies NonNullable<paths["/contacts/v1/establish"]["post"]["requestBody"]>["content"]["application/json"];

/** POST /contacts/v1/establish request: Fire and forget (the product page's example request) */
export const establishFireAndForgetRequest = {
  "ContactKeys": [
    "Key1",
    "Key2"
  ],
  "ReturnResults": "false",
  "CorrelateResponseItem": "false",
  "IncludeNewContactAwareness": "false"
} satisfies NonNullable<paths["/contacts/v1/establish"]["post"]["requestBody"]>["content"]["application/json"];

/** POST /contacts/v1/establish request: Establish two contacts in the reference schema's camelCase names */
export const establishCamelCaseRequest = {
  "contactKeys": [
    "Key1",
    "Key2"
  ],
  "contactType": 0,
  "returnResults": true,
  "correlateResponseItem": true,
  "includeNewContactAwareness": true
} satisfies NonNullable<paths["/contacts/v1/establish"]["post"]["requestBody"]>["content"]["application/json"];

/** POST /contacts/v1/establish 200: Two existing contacts (the product page's example response) */
export const establishResponse = {
  "items": [
    {
      "value": {
        "requestedContactKey": "key1",
        "isNewContact": false,
        "contactReference": {
          "contactID": 295863490,
          "contactType": "Default",
          "contactKey": "key1",
          "contactStatus": "Active"
        }
      },
      "requestItemIndex": 0,
      "resultMessages": []
    },
    {
      "value": {
        "requestedContactKey": "key2",
        "isNewContact": false,
        "contactReference": {
          "contactID": 304574890,
          "contactType": "Default",
          "contactKey": "key2",
          "contactStatus": "Active"
        }
      },
      "requestItemIndex": 1,
      "resultMessages": []
    }
  ],
  "requestServiceMessageID": "53e4cbf8-b9b4-43d4-ba17-eedbfb0ffd90",
  "responseDateTime": "2018-02-26T15:06:45.4009365-06:00",
  "resultMessages": [],
  "serviceMessageID": "70082431-9a48-4e3e-8dc5-f318ec5c3665"
} satisfies paths["/contacts/v1/establish"]["post"]["responses"][200]["content"]["application/json"];

/** POST /contacts/v1/establish 200: Fire-and-forget acknowledgement (the product page's example response) */
export const establishFireAndForgetResponse = {
  "items": [],
  "requestServiceMessageID": "3e3e76bc-e824-44ff-8e16-463cb446c837",
  "responseDateTime": "2018-02-27T09:03:37.9793969-06:00",
  "resultMessages": [
    {
      "resultType": "Operational",
      "resultClass": "Information",
      "resultCode": "ResponseReturnsNotRequested",
      "message": "ServiceCommand.ResultsProcessing.Information",
      "data": "The data operation returned successfully but no results were requested to be returned. "
    }
  ],
  "serviceMessageID": "c76a245d-73b4-4150-9782-fd1d6769495d"
} satisfies paths["/contacts/v1/establish"]["post"]["responses"][200]["content"]["application/json"];

/** POST /contacts/v1/establish 400: A field of the wrong type (10001) */
export const errorInvalidDataType = {
  "message": "ContactKeys: invalid data type",
  "errorcode": 10001,
  "documentation": "https://developer.salesforce.com/docs/marketing/marketing-cloud/guide/error-handling.html"
} satisfies paths["/contacts/v1/establish"]["post"]["responses"][400]["content"]["application/json"];

/** POST /contacts/v1/establish 400: ContactKeys missing (10002) */
export const errorMissingContactKeys = {
  "message": "ContactKeys: required field is missing",
  "errorcode": 10002,
  "documentation": "https://developer.salesforce.com/docs/marketing/marketing-cloud/guide/error-handling.html"
} satisfies paths["/contacts/v1/establish"]["post"]["responses"][400]["content"]["application/json"];

/** POST /contacts/v1/establish 400: The body is not JSON (10004) */
export const errorInvalidJson = {
  "message": "Invalid message format",
  "errorcode": 10004,
  "documentation": "https://developer.salesforce.com/docs/marketing/marketing-cloud/guide/error-handling.html"
} satisfies paths["/contacts/v1/establish"]["post"]["responses"][400]["content"]["application/json"];

/** POST /contacts/v1/establish 400: An empty ContactKeys or a key over 254 characters (10005) */
export const errorInvalidValue = {
  "message": "ContactKeys[0]: invalid value: a contact key is 1 to 254 characters",
  "errorcode": 10005,
  "documentation": "https://developer.salesforce.com/docs/marketing/marketing-cloud/guide/error-handling.html"
} satisfies paths["/contacts/v1/establish"]["post"]["responses"][400]["content"]["application/json"];

/** POST /contacts/v1/establish 400: A field sent as null (10001) */
export const errorNullFlag = {
  "message": "ReturnResults: null is not accepted; leave the field out to get the default",
  "errorcode": 10001,
  "documentation": "https://developer.salesforce.com/docs/marketing/marketing-cloud/guide/error-handling.html"
} satisfies paths["/contacts/v1/establish"]["post"]["responses"][400]["content"]["application/json"];

/** POST /contacts/v1/establish 401: Missing, invalid or expired token */
export const errorNotAuthorized = {
  "message": "Not Authorized",
  "errorcode": 0,
  "documentation": "https://developer.salesforce.com/docs/marketing/marketing-cloud/guide/error-handling.html"
} satisfies paths["/contacts/v1/establish"]["post"]["responses"][401]["content"]["application/json"];

/** POST /contacts/v1/establish 401: A token in the URL or the body (40004) */
export const errorTokenOutsideHeader = {
  "message": "Send the access token in the Authorization header, never in the URL or the body.",
  "errorcode": 40004,
  "documentation": "https://developer.salesforce.com/docs/marketing/marketing-cloud/guide/error-handling.html"
} satisfies paths["/contacts/v1/establish"]["post"]["responses"][401]["content"]["application/json"];

/** POST /contacts/v1/establish 403: The package lacks the Contact Builder permissions (20002) */
export const errorInsufficientPrivileges = {
  "message": "Insufficient privileges to complete this action.",
  "errorcode": 20002,
  "documentation": "https://developer.salesforce.com/docs/marketing/marketing-cloud/guide/error-handling.html"
} satisfies paths["/contacts/v1/establish"]["post"]["responses"][403]["content"]["application/json"];

/** POST /contacts/v1/establish 415: Not sent as application/json */
export const errorUnsupportedMediaType = {
  "message": "Unsupported Media Type",
  "errorcode": 0,
  "documentation": "https://developer.salesforce.com/docs/marketing/marketing-cloud/guide/error-handling.html"
} satisfies paths["/contacts/v1/establish"]["post"]["responses"][415]["content"]["application/json"];

/** POST /contacts/v1/establish 429: Rate limit exceeded (50100), with Retry-After */
export const errorRateLimited = {
  "message": "Rate limit exceeded. Retry after 30 seconds.",
  "errorcode": 50100,
  "documentation": "https://developer.salesforce.com/docs/marketing/marketing-cloud/guide/rate-limiting-errors.html",
  "retryAfter": 30
} satisfies paths["/contacts/v1/establish"]["post"]["responses"][429]["content"]["application/json"];

/** POST /contacts/v1/establish 429: Requests temporarily blocked (50200) */
export const errorBlocked = {
  "message": "Requests are temporarily blocked.",
  "errorcode": 50200,
  "documentation": "https://developer.salesforce.com/docs/marketing/marketing-cloud/guide/rate-limiting-errors.html"
} satisfies paths["/contacts/v1/establish"]["post"]["responses"][429]["content"]["application/json"];

/** POST /contacts/v1/establish 500: An internal error */
export const errorInternal = {
  "message": "An error occurred while processing the request.",
  "errorcode": 0,
  "documentation": "https://developer.salesforce.com/docs/marketing/marketing-cloud/guide/error-handling.html"
} satisfies paths["/contacts/v1/establish"]["post"]["responses"][500]["content"]["application/json"];

/** POST /contacts/v1/establish 503: Service unavailable (50300), with Retry-After */
export const errorUnavailable = {
  "message": "Service unavailable. Retry after 60 seconds.",
  "errorcode": 50300,
  "documentation": "https://developer.salesforce.com/docs/marketing/marketing-cloud/guide/rate-limiting-errors.html"
} satisfies paths["/contacts/v1/establish"]["post"]["responses"][503]["content"]["application/json"];

/** POST /v2/token request: Client credentials for one business unit */
export const tokenRequest = {
  "grant_type": "client_credentials",
  "client_id": "YOUR_CLIENT_ID",
  "client_secret": "YOUR_CLIENT_SECRET",
  "account_id": "1234567"
} satisfies NonNullable<paths["/v2/token"]["post"]["requestBody"]>["content"]["application/json"];

/** POST /v2/token request: The account id as a number, as sfmc-sdk and FuelSDK send it */
export const tokenRequestNumericAccountId = {
  "grant_type": "client_credentials",
  "client_id": "YOUR_CLIENT_ID",
  "client_secret": "YOUR_CLIENT_SECRET",
  "account_id": 1234567,
  "scope": "list_and_subscribers_read list_and_subscribers_write"
} satisfies NonNullable<paths["/v2/token"]["post"]["requestBody"]>["content"]["application/json"];

/** POST /v2/token 200: A token for the tenant */
export const tokenResponse = {
  "access_token": "000000000000000000000000000000000000000000000000",
  "token_type": "Bearer",
  "expires_in": 1079,
  "scope": "list_and_subscribers_read list_and_subscribers_write",
  "soap_instance_url": "https://YOUR_SUBDOMAIN.soap.marketingcloudapis.com/",
  "rest_instance_url": "https://YOUR_SUBDOMAIN.rest.marketingcloudapis.com/"
} satisfies paths["/v2/token"]["post"]["responses"][200]["content"]["application/json"];

/** POST /v2/token 400: A grant type other than client_credentials */
export const oAuthUnsupportedGrantType = {
  "error": "unsupported_grant_type",
  "error_description": "Use \"authorization_code\" or \"refresh_token\" or \"client_credentials\" or \"urn:ietf:params:oauth:grant-type:jwt-bearer\" as the grant type.",
  "error_uri": "https://developer.salesforce.com/docs"
} satisfies paths["/v2/token"]["post"]["responses"][400]["content"]["application/json"];

/** POST /v2/token 400: A scope that is not a space-separated string */
export const oAuthInvalidScope = {
  "error": "invalid_request",
  "error_description": "scope must be a space-separated string of scope names, for example \"list_and_subscribers_read list_and_subscribers_write\".",
  "error_uri": "https://developer.salesforce.com/docs"
} satisfies paths["/v2/token"]["post"]["responses"][400]["content"]["application/json"];

/** POST /v2/token 400: A body that is neither JSON nor form-encoded */
export const oAuthUnsupportedContentType = {
  "error": "invalid_request",
  "error_description": "Send the token request as application/json or application/x-www-form-urlencoded, not text/plain.",
  "error_uri": "https://developer.salesforce.com/docs"
} satisfies paths["/v2/token"]["post"]["responses"][400]["content"]["application/json"];

/** POST /v2/token 401: Unknown client or wrong secret */
export const oAuthInvalidClient = {
  "error": "invalid_client",
  "error_description": "Client authentication failed. Make sure that the client ID and client secret are valid and have access to the account.",
  "error_uri": "https://developer.salesforce.com/docs"
} satisfies paths["/v2/token"]["post"]["responses"][401]["content"]["application/json"];
