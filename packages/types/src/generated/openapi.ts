/**
 * DO NOT EDIT. The types of the sfmc-contacts OpenAPI document.
 * Generated from specs/openapi.yaml (spec version 1.1.0) by openapi-typescript 7.13.0.
 * Change the spec, then run `pnpm generate` from the repository root.
 */
export interface paths {
    "/contacts/v1/establish": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Establish contacts
         * @description Creates or returns a contact for each contact key, using the contact type of the request.
         *     Calling it twice with the same key returns the same contact, so the call is idempotent and
         *     safe to retry.
         *
         *     Requires the Contact Builder permissions "Administer Contact Data Model" and "Access", and
         *     the OAuth scope `list_and_subscribers_write`.
         */
        post: operations["establishContacts"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Request an access token
         * @description Server-to-server OAuth 2.0 client-credentials grant. A token lives 20 minutes; `expires_in`
         *     already has two minutes taken off. Request at most one token per client (client id and
         *     account id) per token lifetime: cache it and refresh it shortly before it expires. Never
         *     call this route from a browser, which must not hold a client secret.
         */
        post: operations["requestToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * @description A contact key (the subscriber key), at most 254 UTF-16 code units: the service is .NET and
         *     counts as JavaScript's `string.length` does, so a character outside the Basic Multilingual
         *     Plane (most emoji) counts 2, and 127 of them fit where 128 do not. JSON Schema's
         *     `maxLength` counts code points: it is the looser bound here, and clients check the
         *     service's unit. Allowed characters and case rules are not documented: treat keys as
         *     opaque, case-preserving strings.
         */
        ContactKey: string;
        /**
         * @description A boolean, or its string form as the product page sends it (`"true"` / `"false"`). The
         *     service accepts both. It is .NET, whose `Boolean.Parse` ignores case, so `"True"` and
         *     `"FALSE"` are accepted too: send lower case (or a real boolean). `null` is refused (400,
         *     errorcode 10001).
         */
        BooleanFlag: boolean | string;
        /**
         * @description One or more contact keys, each at most 254 UTF-16 code units: the required field of an
         *     establish call, `ContactKeys` on the product page and `contactKeys` in the reference
         *     schema. No hard maximum is documented; 50 per call is Marketing Cloud's soft limit for
         *     synchronous requests.
         */
        ContactKeys: components["schemas"]["ContactKey"][];
        /**
         * @description The contact type, by number or by name. Default `0`, whose name is `"Default"`; most
         *     accounts never change it. Salesforce's reference says the type is "Default" or 0; the
         *     service is .NET, which parses an enum from its number or its name, case-insensitively,
         *     so `0` and `"Default"` (in any case) both mean the default type. Other types are account
         *     configuration: the sfmc-contacts mocks know only the default and answer 400, errorcode
         *     10005 (invalid value) for any other number or name, as the service does for a type the
         *     account lacks. A value that is neither a whole number nor a string is 10001; `null` is
         *     refused (10001): leave the field out to get the default.
         * @default 0
         */
        ContactType: number | string;
        /**
         * @description Whether the answer lists the contacts. Default `true`. `false` is the fast fire-and-forget mode: `items` is empty and a `ResponseReturnsNotRequested` message is returned. `null` is refused (10001): leave the field out to get the default.
         * @default true
         */
        ReturnResults: components["schemas"]["BooleanFlag"];
        /**
         * @description Whether `items` come back in request order. Default `true`. Each item's `requestItemIndex` names its request position either way. `null` is refused (10001); leave the field out to get the default.
         * @default true
         */
        CorrelateResponseItem: components["schemas"]["BooleanFlag"];
        /**
         * @description Whether each item carries `isNewContact`. Default `true`: Salesforce's reference says
         *     `true` while the current product page says `false`; this document takes `true` because
         *     the page's own example response carries `isNewContact` for a request without the flag.
         *     `null` is refused (10001); leave the field out to get the default.
         * @default true
         */
        IncludeNewContactAwareness: components["schemas"]["BooleanFlag"];
        /**
         * @description The body of an establish call, in either documented spelling of its names: the product
         *     page's PascalCase (`ContactKeys`, `ReturnResults`, ...) or the camelCase of Salesforce's
         *     reference schema (`contactKeys`, `returnResults`, ...), which production integrations
         *     send. Both spellings have the same fields, with the same schemas. The service is .NET and
         *     binds names case-insensitively, so it (and the sfmc-contacts mocks) also takes a body
         *     that mixes the two spellings or uses another casing (`CONTACTKEYS`). This document does
         *     not describe such bodies: a body without `ContactKeys` or `contactKeys`, spelled exactly
         *     so, is invalid here, and only the fields spelled like the keys are checked. Send one of
         *     the two spellings. An optional field is either left out (its default applies) or given a
         *     value: `null` is refused with 400, errorcode 10001. An `access_token` field is refused
         *     with 401, errorcode 40004: the token goes in the `Authorization` header only.
         */
        EstablishContactsRequest: components["schemas"]["EstablishContactsRequestPascalCase"] | components["schemas"]["EstablishContactsRequestCamelCase"];
        /**
         * @description An establish body in the product page's PascalCase names, as the sfmc-contacts clients
         *     send it. `null` is refused for every optional field (10001): leave it out to get its
         *     default.
         */
        EstablishContactsRequestPascalCase: {
            /** @description Required. One or more contact keys, each at most 254 UTF-16 code units. */
            ContactKeys: components["schemas"]["ContactKeys"];
            /** @description The contact type, `0` or `"Default"` (the default). `null` is refused (10001). */
            ContactType?: components["schemas"]["ContactType"];
            /** @description Whether the answer lists the contacts. Default `true`; `false` is fire-and-forget. `null` is refused (10001). */
            ReturnResults?: components["schemas"]["ReturnResults"];
            /** @description Whether `items` come back in request order. Default `true`. `null` is refused (10001). */
            CorrelateResponseItem?: components["schemas"]["CorrelateResponseItem"];
            /** @description Whether each item carries `isNewContact`. Default `true`. `null` is refused (10001). */
            IncludeNewContactAwareness?: components["schemas"]["IncludeNewContactAwareness"];
        };
        /**
         * @description An establish body in the camelCase names of Salesforce's reference schema
         *     (`RequestEstablishContacts`, which requires `contactKeys`), as production integrations
         *     such as Prismatic's Marketing Cloud component send it. The fields and their schemas are
         *     the PascalCase body's. `null` is refused for every optional field (10001): leave it out
         *     to get its default.
         */
        EstablishContactsRequestCamelCase: {
            /** @description Required. One or more contact keys, each at most 254 UTF-16 code units. */
            contactKeys: components["schemas"]["ContactKeys"];
            /** @description The contact type, `0` or `"Default"` (the default). `null` is refused (10001). */
            contactType?: components["schemas"]["ContactType"];
            /** @description Whether the answer lists the contacts. Default `true`; `false` is fire-and-forget. `null` is refused (10001). */
            returnResults?: components["schemas"]["ReturnResults"];
            /** @description Whether `items` come back in request order. Default `true`. `null` is refused (10001). */
            correlateResponseItem?: components["schemas"]["CorrelateResponseItem"];
            /** @description Whether each item carries `isNewContact`. Default `true`. `null` is refused (10001). */
            includeNewContactAwareness?: components["schemas"]["IncludeNewContactAwareness"];
        };
        /**
         * @description The 200 answer. Typed as an object, as Salesforce's reference schema and production
         *     integrations read it; the product page shows it inside a one-element array, which the
         *     sfmc-contacts clients unwrap.
         */
        EstablishContactsResponse: {
            /** @description One item per requested contact key; empty when `ReturnResults` is false. */
            items: components["schemas"]["EstablishContactsItem"][];
            /** @description The service's id for the request. */
            requestServiceMessageID: components["schemas"]["ServiceMessageId"];
            /** @description When the response was created. */
            responseDateTime: components["schemas"]["ServiceDateTime"];
            /** @description Request-level messages. One with `resultClass` `Error` means the request failed even though the status is 200. */
            resultMessages: components["schemas"]["ResultMessage"][];
            /** @description The service's id for the response. */
            serviceMessageID: components["schemas"]["ServiceMessageId"];
        };
        /** @description The result for one requested contact key. */
        EstablishContactsItem: {
            /** @description The contact for this item's key. */
            value: components["schemas"]["EstablishedContact"];
            /** @description The position of this item's key in the request's `ContactKeys` (zero-based). The reference flattens this under `value`; it sits beside `value` as in the page's example. */
            requestItemIndex: number;
            /** @description Messages about this key. One with `resultClass` `Error` is this key's failure. */
            resultMessages: components["schemas"]["ResultMessage"][];
        };
        /** @description The contact returned for one requested key. */
        EstablishedContact: {
            /** @description The contact key as it was requested. */
            requestedContactKey: string;
            /** @description True when this call created the contact. Present only when `IncludeNewContactAwareness` is on. */
            isNewContact?: boolean;
            /** @description The identity of the established contact. */
            contactReference: components["schemas"]["ContactReference"];
        };
        /** @description The established contact's identity. */
        ContactReference: {
            /**
             * Format: int64
             * @description The contact's id, a 64-bit integer ("long" in the reference). Observed values fit well inside 2^53, so JavaScript numbers hold them exactly.
             */
            contactID: number;
            /**
             * @description The contact type by name, for example `Default`. An open string.
             * @example Default
             */
            contactType: string;
            /** @description The contact key as stored. */
            contactKey: string;
            /**
             * @description The contact's status. Only `Active` has been seen; an open string.
             * @example Active
             */
            contactStatus: string;
            /** @description When the contact was last modified, a local date-time without offset (`2024-02-08T06:35:03.6`). Undocumented; seen in production answers. */
            modifiedDate?: string;
        };
        /** @description A message about the request or about one item. `resultClass` `Error` means failure, even inside a 200. */
        ResultMessage: {
            /**
             * @description The kind of message, for example `Operational`. An open string.
             * @example Operational
             */
            resultType: string;
            /**
             * @description The severity, for example `Information`, `Warning` or `Error`. An open string; `Error` is a failure.
             * @example Information
             * @example Error
             */
            resultClass: string;
            /**
             * @description A machine-readable code, for example `ResponseReturnsNotRequested`.
             * @example ResponseReturnsNotRequested
             */
            resultCode: string;
            /** @description The service's message key, for example `ServiceCommand.ResultsProcessing.Information`. */
            message: string;
            /** @description Human-readable detail, when the service gives it. */
            data?: string;
        };
        /**
         * Format: uuid
         * @description A lower-case, hyphenated GUID that the service gives a message.
         */
        ServiceMessageId: string;
        /**
         * Format: date-time
         * @description A date-time with an offset, as the service writes it (7 fractional digits, for example `2018-02-26T15:06:45.4009365-06:00`). Keep it as a string; JavaScript dates hold 3 digits.
         */
        ServiceDateTime: string;
        /** @description The error body of every Marketing Cloud REST route. */
        MarketingCloudError: {
            /** @description What went wrong, in words. */
            message: string;
            /**
             * @description Marketing Cloud's error code: 0 not authorized; 10000 to 10006 bad request (10001
             *     invalid data type, 10002 missing required field, 10003 incorrect format, 10004 invalid
             *     message format, 10005 invalid value, 10006 aggregate); 20000 to 20002 and 40000 to
             *     40004 forbidden or auth; 50100 rate limit exceeded; 50200 temporarily blocked; 50300
             *     service unavailable.
             */
            errorcode: number;
            /** @description A link to Salesforce's documentation of the error. Sometimes empty. */
            documentation: string;
            /** @description The individual errors of an aggregate validation error. */
            additionalErrors?: components["schemas"]["MarketingCloudErrorDetail"][];
            /** @description Seconds to wait before retrying; sent with 429 errorcode 50100 beside the `Retry-After` header. */
            retryAfter?: number;
        };
        /** @description One error inside `additionalErrors`. */
        MarketingCloudErrorDetail: {
            /** @description What went wrong, in words. */
            message: string;
            /** @description Marketing Cloud's error code for this part. */
            errorcode: number;
            /** @description A link to Salesforce's documentation of the error. */
            documentation?: string;
        };
        /** @description A client-credentials token request. */
        TokenRequest: {
            /**
             * @description Always `client_credentials` for server-to-server integrations.
             * @constant
             */
            grant_type: "client_credentials";
            /** @description The installed package's client id. */
            client_id: string;
            /** @description The installed package's client secret. Server-side only; never in a browser, a log or a URL. */
            client_secret: string;
            /**
             * @description The MID of the business unit to act in. Tokens are scoped per client id and account id.
             *     Salesforce's page sends a string of digits; sfmc-sdk and FuelSDK send a number, which the
             *     service takes too. Anything else (a negative number, letters, an object) is
             *     `invalid_request`.
             */
            account_id?: string | number;
            /**
             * @description Space-separated scopes to narrow the token to, for example `list_and_subscribers_write`.
             *     Default (left out or empty) is every scope of the package. Each name is printable ASCII
             *     without spaces, quotes or backslashes (RFC 6749 section 3.3); anything else, or a value
             *     that is not a string, is `invalid_request`.
             */
            scope?: string;
        };
        /** @description An access token and where to use it. */
        TokenResponse: {
            /** @description The bearer token, 1 to 512 characters (an empty token is no token). A secret. */
            access_token: string;
            /**
             * @description Always `Bearer`.
             * @example Bearer
             */
            token_type: string;
            /** @description Seconds the token stays valid, about 1080 (1079 is typical); Salesforce already subtracts two minutes from the 20-minute life. */
            expires_in: number;
            /** @description The space-separated scopes the token carries. */
            scope: string;
            /**
             * Format: uri
             * @description The tenant's SOAP endpoint.
             */
            soap_instance_url: string;
            /**
             * Format: uri
             * @description The tenant's REST base URL, with or without a trailing slash. Use it as the establish route's base.
             */
            rest_instance_url: string;
        };
        /** @description An OAuth 2.0 error (RFC 6749 section 5.2). */
        OAuthError: {
            /**
             * @description The OAuth error code, for example `invalid_client` or `unsupported_grant_type`.
             * @example invalid_client
             */
            error: string;
            /** @description What went wrong, in words. */
            error_description: string;
            /** @description A link to Salesforce's documentation of the error. */
            error_uri: string;
        };
    };
    responses: {
        /** @description The body is not acceptable. `errorcode` says why. */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["MarketingCloudError"];
            };
        };
        /**
         * @description The access token is missing, invalid or expired (errorcode 0, `WWW-Authenticate: Bearer
         *     error="invalid_token"`): get a new token and retry once. Or it was sent in the URL or the
         *     body (errorcode 40004, `WWW-Authenticate: Bearer error="invalid_request"`): send it in the
         *     `Authorization` header only; a new token does not help.
         */
        Unauthorized: {
            headers: {
                "WWW-Authenticate": components["headers"]["WwwAuthenticate"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["MarketingCloudError"];
            };
        };
        /** @description The token is valid but may not do this (permissions, business rules, or a token from another stack). */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["MarketingCloudError"];
            };
        };
        /** @description The body is not sent as `application/json`. */
        UnsupportedMediaType: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["MarketingCloudError"];
            };
        };
        /** @description Rate limit exceeded (50100, with `Retry-After`) or requests temporarily blocked (50200, without it). */
        TooManyRequests: {
            headers: {
                "Retry-After": components["headers"]["RetryAfter"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["MarketingCloudError"];
            };
        };
        /** @description The service failed. Establish is idempotent, so retrying with backoff is safe. */
        InternalServerError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["MarketingCloudError"];
            };
        };
        /** @description The service is unavailable (50300). Retry after `Retry-After` seconds. */
        ServiceUnavailable: {
            headers: {
                "Retry-After": components["headers"]["RetryAfter"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["MarketingCloudError"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: {
        /**
         * @description Names the token problem for RFC 6750 clients, with an `error_description` naming the cause.
         *     `Bearer error="invalid_token"` for no token, or an unknown or expired one: get a new token
         *     and retry once. `Bearer error="invalid_request"` for a token in the URL or the body
         *     (errorcode 40004), which RFC 6750 section 3.1 calls a request that "uses more than one
         *     method for including an access token": a new token does not help. Salesforce's own Node
         *     REST library (fuel-rest, used by FuelSDK-Node) renews its token only when this header
         *     matches `/^Bearer\s.+?invalid_token/`, so it keeps its valid token on a 40004. This is the
         *     reading taken: the live service could not be checked here.
         * @example Bearer error="invalid_token", error_description="The access token is unknown or has expired"
         */
        WwwAuthenticate: string;
        /** @description Seconds to wait before retrying. Clients also accept an HTTP-date, which RFC 9110 allows. */
        RetryAfter: number;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    establishContacts: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description The contact keys to establish, and the flags that shape the answer. */
        requestBody: {
            content: {
                "application/json": components["schemas"]["EstablishContactsRequest"];
            };
        };
        responses: {
            /**
             * @description The contacts, one item per requested key, or an acknowledgement without items when
             *     `ReturnResults` is false. A result message with `resultClass` `Error`, at request level
             *     or on one item, is a failure even inside this 200.
             */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EstablishContactsResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    requestToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * @description The installed package's client credentials, as JSON (as Salesforce's page sends them) or
         *     form-encoded (as RFC 6749 section 4.4.2 defines the request). Any other content type is
         *     answered 400 `invalid_request`.
         */
        requestBody: {
            content: {
                "application/json": components["schemas"]["TokenRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["TokenRequest"];
            };
        };
        responses: {
            /** @description An access token and the tenant's instance URLs. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenResponse"];
                };
            };
            /**
             * @description The grant type or the body is not acceptable: `unsupported_grant_type` for a grant other
             *     than `client_credentials`; `invalid_request` for a body that is neither JSON nor
             *     form-encoded, a field of the wrong type, an `account_id` that is not a MID, or a
             *     `scope` that is not a space-separated string.
             */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OAuthError"];
                };
            };
            /** @description The client id, the client secret or the account id is not accepted. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OAuthError"];
                };
            };
        };
    };
}
