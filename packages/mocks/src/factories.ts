/**
 * Typed factories for the bodies the service sends, for tests that want exact data. Each returns a
 * value of the spec's type, so a body that contradicts the spec fails to compile.
 */
import type {
  ContactReference,
  EstablishContactsItem,
  EstablishContactsResponse,
  OAuthError,
  ResultMessage,
} from "@sfmc-contacts/types";

// Marketing Cloud's error body lives in @sfmc-contacts/rules, shared with the proxy; re-exported so
// the mocks' public API is unchanged.
export { ERROR_DOCUMENTATION_URL, marketingCloudError } from "@sfmc-contacts/rules";

/**
 * The fixed ids and time the factories use unless told otherwise (normalised, like octokit's fixtures).
 *
 * @example
 * ```ts
 * expect(establishResponse().responseDateTime).toBe(FIXTURE_DEFAULTS.responseDateTime);
 * ```
 */
export const FIXTURE_DEFAULTS = {
  requestServiceMessageID: "00000000-0000-4000-8000-000000000000",
  serviceMessageID: "00000000-0000-4000-8000-000000000001",
  responseDateTime: "2024-01-01T00:00:00.0000000-06:00",
} as const;

/**
 * A result message. Without arguments it is the fire-and-forget acknowledgement exactly as the
 * product page shows it (`ResponseReturnsNotRequested`).
 *
 * @example
 * ```ts
 * resultMessage(); // { resultType: "Operational", resultClass: "Information", resultCode: "ResponseReturnsNotRequested", ... }
 * resultMessage({ resultClass: "Error", resultCode: "ContactKeyInvalid", message: "Contact key is not valid" });
 * ```
 */
export function resultMessage(overrides: Partial<ResultMessage> = {}): ResultMessage {
  return {
    resultType: "Operational",
    resultClass: "Information",
    resultCode: "ResponseReturnsNotRequested",
    message: "ServiceCommand.ResultsProcessing.Information",
    data: "The data operation returned successfully but no results were requested to be returned. ",
    ...overrides,
  };
}

/**
 * The error message the mock puts on an item that failed (see `scenarios.itemErrors`).
 *
 * @example
 * ```ts
 * itemErrorMessage("Key1"); // { resultType: "Operational", resultClass: "Error", resultCode: "ContactNotEstablished", ... }
 * ```
 */
export function itemErrorMessage(contactKey: string, overrides: Partial<ResultMessage> = {}): ResultMessage {
  return {
    resultType: "Operational",
    resultClass: "Error",
    resultCode: "ContactNotEstablished",
    message: "ServiceCommand.Contacts.Establish.Error",
    data: `The contact ${JSON.stringify(contactKey)} could not be established.`,
    ...overrides,
  };
}

/**
 * A contact reference. `contactType` defaults to `"Default"` and `contactStatus` to `"Active"`.
 *
 * @example
 * ```ts
 * contactReference({ contactKey: "Key1", contactID: 295863490 });
 * ```
 */
export function contactReference(
  init: Pick<ContactReference, "contactKey" | "contactID"> & Partial<ContactReference>,
): ContactReference {
  return { contactType: "Default", contactStatus: "Active", ...init };
}

/**
 * What {@link establishItem} needs: the key, the id, and optionally the rest.
 *
 * @example
 * ```ts
 * const init: EstablishItemInit = { contactKey: "Key1", contactID: 1, isNewContact: true, requestItemIndex: 0 };
 * ```
 */
export interface EstablishItemInit {
  /** The requested contact key. */
  contactKey: string;
  /** The contact's id. */
  contactID: number;
  /** The key's position in the request. Default 0. */
  requestItemIndex?: number;
  /** `true` or `false` to include `isNewContact`; leave it out to omit the field. */
  isNewContact?: boolean;
  /** Messages about this key. Default none. */
  resultMessages?: ResultMessage[];
  /** Overrides of the contact reference (type, status, stored key, `modifiedDate`). */
  reference?: Partial<ContactReference>;
}

/**
 * One item of an establish answer.
 *
 * @example
 * ```ts
 * establishItem({ contactKey: "Key1", contactID: 295863490, isNewContact: false, requestItemIndex: 0 });
 * ```
 */
export function establishItem(init: EstablishItemInit): EstablishContactsItem {
  const value: EstablishContactsItem["value"] = {
    requestedContactKey: init.contactKey,
    contactReference: contactReference({ contactKey: init.contactKey, contactID: init.contactID, ...init.reference }),
  };
  if (init.isNewContact !== undefined) value.isNewContact = init.isNewContact;
  return { value, requestItemIndex: init.requestItemIndex ?? 0, resultMessages: init.resultMessages ?? [] };
}

/**
 * A 200 establish answer. Ids and time default to fixed, normalised values
 * ({@link FIXTURE_DEFAULTS}); items default to none.
 *
 * @example
 * ```ts
 * const body = establishResponse({
 *   items: [establishItem({ contactKey: "Key1", contactID: 1, isNewContact: true })],
 * });
 * // tenantRoute: the anchored matcher of the mock's own route (a "https://*.rest…" string would also match other hosts)
 * server.use(http.post(tenantRoute("establish"), () => HttpResponse.json(body)));
 * ```
 */
export function establishResponse(init: Partial<EstablishContactsResponse> = {}): EstablishContactsResponse {
  return {
    items: [],
    requestServiceMessageID: FIXTURE_DEFAULTS.requestServiceMessageID,
    responseDateTime: FIXTURE_DEFAULTS.responseDateTime,
    resultMessages: [],
    serviceMessageID: FIXTURE_DEFAULTS.serviceMessageID,
    ...init,
  };
}

/**
 * An OAuth 2.0 error body of the token route.
 *
 * @example
 * ```ts
 * oauthError("invalid_client", "Client authentication failed.");
 * ```
 */
export function oauthError(error: string, description: string): OAuthError {
  return { error, error_description: description, error_uri: "https://developer.salesforce.com/docs" };
}
