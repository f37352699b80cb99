/**
 * How Salesforce Marketing Cloud's `POST /contacts/v1/establish` reads a request, as code: shared by
 * `@sfmc-contacts/mocks` (which answers with these rules) and `@sfmc-contacts/proxy` (which enforces
 * them before forwarding).
 *
 * @example
 * ```ts
 * import { isRefusal, parseEstablishRequest } from "@sfmc-contacts/rules";
 *
 * const result = parseEstablishRequest(request.headers.get("content-type"), await request.text(), { maxKeys: 50 });
 * if (isRefusal(result)) return Response.json(result.body, { status: result.status });
 * ```
 *
 * @packageDocumentation
 */
export { isJsonContentType, mediaType } from "./content-type.js";
export { ERROR_DOCUMENTATION_URL, marketingCloudError, RATE_LIMIT_DOCUMENTATION_URL } from "./error-body.js";
export {
  type CanonicalEstablishRequest,
  ESTABLISH_PATH,
  type EstablishCall,
  type EstablishRefusal,
  isRefusal,
  MAX_CONTACT_KEY_LENGTH,
  type ParseEstablishOptions,
  parseEstablishRequest,
} from "./establish-request.js";
