/**
 * DO NOT EDIT. The answers (status, body schema, headers) and the schemas of the sfmc-contacts
 * OpenAPI document, for `sfmc-contacts doctor`, which validates live answers against them.
 * Generated from specs/openapi.yaml (spec version 1.1.0) by scripts/generate-spec-schemas.mjs.
 * Change the spec, then run `pnpm generate` from the repository root.
 */

/** A documented answer of one route and status. */
export interface SpecAnswer {
  /** The media types the spec documents for the body (empty: no body). */
  mediaTypes: string[];
  /** The JSON body's schema: a `$ref` into `components/schemas`, or an inline schema; null when none. */
  body: unknown;
  /** The documented headers, by the spec's spelling of their names. */
  headers: Record<string, { required: boolean; schema: unknown }>;
}

/** The spec's `info.version`. */
export const specVersion = "1.1.0";

/** components/schemas, and per path, method and status the documented answer. */
export const specDocument: {
  components: { schemas: Record<string, unknown> };
  paths: Record<string, Record<string, Record<string, SpecAnswer>>>;
} = {
  "components": {
    "schemas": {
      "ContactKey": {
        "type": "string",
        "minLength": 1,
        "maxLength": 254
      },
      "BooleanFlag": {
        "anyOf": [
          {
            "type": "boolean"
          },
          {
            "type": "string",
            "pattern": "^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$"
          }
        ]
      },
      "ContactKeys": {
        "type": "array",
        "minItems": 1,
        "items": {
          "$ref": "#/components/schemas/ContactKey"
        }
      },
      "ContactType": {
        "anyOf": [
          {
            "type": "integer"
          },
          {
            "type": "string",
            "pattern": "^[Dd][Ee][Ff][Aa][Uu][Ll][Tt]$"
          }
        ]
      },
      "ReturnResults": {
        "$ref": "#/components/schemas/BooleanFlag"
      },
      "CorrelateResponseItem": {
        "$ref": "#/components/schemas/BooleanFlag"
      },
      "IncludeNewContactAwareness": {
        "$ref": "#/components/schemas/BooleanFlag"
      },
      "EstablishContactsRequest": {
        "anyOf": [
          {
            "$ref": "#/components/schemas/EstablishContactsRequestPascalCase"
          },
          {
            "$ref": "#/components/schemas/EstablishContactsRequestCamelCase"
          }
        ]
      },
      "EstablishContactsRequestPascalCase": {
        "type": "object",
        "required": [
          "ContactKeys"
        ],
        "properties": {
          "ContactKeys": {
            "$ref": "#/components/schemas/ContactKeys"
          },
          "ContactType": {
            "$ref": "#/components/schemas/ContactType"
          },
          "ReturnResults": {
            "$ref": "#/components/schemas/ReturnResults"
          },
          "CorrelateResponseItem": {
            "$ref": "#/components/schemas/CorrelateResponseItem"
          },
          "IncludeNewContactAwareness": {
            "$ref": "#/components/schemas/IncludeNewContactAwareness"
          }
        }
      },
      "EstablishContactsRequestCamelCase": {
        "type": "object",
        "required": [
          "contactKeys"
        ],
        "properties": {
          "contactKeys": {
            "$ref": "#/components/schemas/ContactKeys"
          },
          "contactType": {
            "$ref": "#/components/schemas/ContactType"
          },
          "returnResults": {
            "$ref": "#/components/schemas/ReturnResults"
          },
          "correlateResponseItem": {
            "$ref": "#/components/schemas/CorrelateResponseItem"
          },
          "includeNewContactAwareness": {
            "$ref": "#/components/schemas/IncludeNewContactAwareness"
          }
        }
      },
      "EstablishContactsResponse": {
        "type": "object",
        "required": [
          "items",
          "requestServiceMessageID",
          "responseDateTime",
          "resultMessages",
          "serviceMessageID"
        ],
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/EstablishContactsItem"
            }
          },
          "requestServiceMessageID": {
            "$ref": "#/components/schemas/ServiceMessageId"
          },
          "responseDateTime": {
            "$ref": "#/components/schemas/ServiceDateTime"
          },
          "resultMessages": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ResultMessage"
            }
          },
          "serviceMessageID": {
            "$ref": "#/components/schemas/ServiceMessageId"
          }
        }
      },
      "EstablishContactsItem": {
        "type": "object",
        "required": [
          "value",
          "requestItemIndex",
          "resultMessages"
        ],
        "properties": {
          "value": {
            "$ref": "#/components/schemas/EstablishedContact"
          },
          "requestItemIndex": {
            "type": "integer",
            "minimum": 0
          },
          "resultMessages": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ResultMessage"
            }
          }
        }
      },
      "EstablishedContact": {
        "type": "object",
        "required": [
          "requestedContactKey",
          "contactReference"
        ],
        "properties": {
          "requestedContactKey": {
            "type": "string"
          },
          "isNewContact": {
            "type": "boolean"
          },
          "contactReference": {
            "$ref": "#/components/schemas/ContactReference"
          }
        }
      },
      "ContactReference": {
        "type": "object",
        "required": [
          "contactID",
          "contactType",
          "contactKey",
          "contactStatus"
        ],
        "properties": {
          "contactID": {
            "type": "integer",
            "format": "int64"
          },
          "contactType": {
            "type": "string"
          },
          "contactKey": {
            "type": "string"
          },
          "contactStatus": {
            "type": "string"
          },
          "modifiedDate": {
            "type": "string",
            "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,7})?$"
          }
        }
      },
      "ResultMessage": {
        "type": "object",
        "required": [
          "resultType",
          "resultClass",
          "resultCode",
          "message"
        ],
        "properties": {
          "resultType": {
            "type": "string"
          },
          "resultClass": {
            "type": "string"
          },
          "resultCode": {
            "type": "string"
          },
          "message": {
            "type": "string"
          },
          "data": {
            "type": "string"
          }
        }
      },
      "ServiceMessageId": {
        "type": "string",
        "format": "uuid",
        "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
      },
      "ServiceDateTime": {
        "type": "string",
        "format": "date-time",
        "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,7})?(Z|[+-]\\d{2}:\\d{2})$"
      },
      "MarketingCloudError": {
        "type": "object",
        "required": [
          "message",
          "errorcode",
          "documentation"
        ],
        "properties": {
          "message": {
            "type": "string"
          },
          "errorcode": {
            "type": "integer"
          },
          "documentation": {
            "type": "string"
          },
          "additionalErrors": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/MarketingCloudErrorDetail"
            }
          },
          "retryAfter": {
            "type": "integer",
            "minimum": 0
          }
        }
      },
      "MarketingCloudErrorDetail": {
        "type": "object",
        "required": [
          "message",
          "errorcode"
        ],
        "properties": {
          "message": {
            "type": "string"
          },
          "errorcode": {
            "type": "integer"
          },
          "documentation": {
            "type": "string"
          }
        }
      },
      "TokenRequest": {
        "type": "object",
        "required": [
          "grant_type",
          "client_id",
          "client_secret"
        ],
        "properties": {
          "grant_type": {
            "type": "string",
            "const": "client_credentials"
          },
          "client_id": {
            "type": "string",
            "minLength": 1
          },
          "client_secret": {
            "type": "string",
            "minLength": 1
          },
          "account_id": {
            "anyOf": [
              {
                "type": "string",
                "pattern": "^\\d+$"
              },
              {
                "type": "integer",
                "minimum": 0
              }
            ]
          },
          "scope": {
            "type": "string",
            "pattern": "^([!#-\\[\\]-~]+( [!#-\\[\\]-~]+)*)?$"
          }
        }
      },
      "TokenResponse": {
        "type": "object",
        "required": [
          "access_token",
          "token_type",
          "expires_in",
          "scope",
          "soap_instance_url",
          "rest_instance_url"
        ],
        "properties": {
          "access_token": {
            "type": "string",
            "minLength": 1,
            "maxLength": 512
          },
          "token_type": {
            "type": "string"
          },
          "expires_in": {
            "type": "integer",
            "minimum": 0
          },
          "scope": {
            "type": "string"
          },
          "soap_instance_url": {
            "type": "string",
            "format": "uri"
          },
          "rest_instance_url": {
            "type": "string",
            "format": "uri"
          }
        }
      },
      "OAuthError": {
        "type": "object",
        "required": [
          "error",
          "error_description",
          "error_uri"
        ],
        "properties": {
          "error": {
            "type": "string"
          },
          "error_description": {
            "type": "string"
          },
          "error_uri": {
            "type": "string"
          }
        }
      }
    }
  },
  "paths": {
    "/contacts/v1/establish": {
      "post": {
        "200": {
          "mediaTypes": [
            "application/json"
          ],
          "body": {
            "$ref": "#/components/schemas/EstablishContactsResponse"
          },
          "headers": {}
        },
        "400": {
          "mediaTypes": [
            "application/json"
          ],
          "body": {
            "$ref": "#/components/schemas/MarketingCloudError"
          },
          "headers": {}
        },
        "401": {
          "mediaTypes": [
            "application/json"
          ],
          "body": {
            "$ref": "#/components/schemas/MarketingCloudError"
          },
          "headers": {
            "WWW-Authenticate": {
              "required": true,
              "schema": {
                "type": "string",
                "pattern": "^Bearer\\s.*error=\"(invalid_token|invalid_request)\""
              }
            }
          }
        },
        "403": {
          "mediaTypes": [
            "application/json"
          ],
          "body": {
            "$ref": "#/components/schemas/MarketingCloudError"
          },
          "headers": {}
        },
        "415": {
          "mediaTypes": [
            "application/json"
          ],
          "body": {
            "$ref": "#/components/schemas/MarketingCloudError"
          },
          "headers": {}
        },
        "429": {
          "mediaTypes": [
            "application/json"
          ],
          "body": {
            "$ref": "#/components/schemas/MarketingCloudError"
          },
          "headers": {
            "Retry-After": {
              "required": false,
              "schema": {
                "type": "integer",
                "minimum": 0
              }
            }
          }
        },
        "500": {
          "mediaTypes": [
            "application/json"
          ],
          "body": {
            "$ref": "#/components/schemas/MarketingCloudError"
          },
          "headers": {}
        },
        "503": {
          "mediaTypes": [
            "application/json"
          ],
          "body": {
            "$ref": "#/components/schemas/MarketingCloudError"
          },
          "headers": {
            "Retry-After": {
              "required": false,
              "schema": {
                "type": "integer",
                "minimum": 0
              }
            }
          }
        }
      }
    },
    "/v2/token": {
      "post": {
        "200": {
          "mediaTypes": [
            "application/json"
          ],
          "body": {
            "$ref": "#/components/schemas/TokenResponse"
          },
          "headers": {}
        },
        "400": {
          "mediaTypes": [
            "application/json"
          ],
          "body": {
            "$ref": "#/components/schemas/OAuthError"
          },
          "headers": {}
        },
        "401": {
          "mediaTypes": [
            "application/json"
          ],
          "body": {
            "$ref": "#/components/schemas/OAuthError"
          },
          "headers": {}
        }
      }
    }
  }
};
