/**
 * The behaviour of the mock, independent of msw: it takes a fetch `Request` and answers a fetch
 * `Response`, the way Marketing Cloud answers. The msw handlers are thin wrappers around it, so the
 * same fake can also sit behind a loopback HTTP server.
 */
import { isRefusal, parseEstablishRequest } from "@sfmc-contacts/rules";
import type { EstablishContactsItem, EstablishContactsResponse, ResultMessage } from "@sfmc-contacts/types";
import { bearerToken, hasTokenOutsideHeader, type UnauthorizedCause, wwwAuthenticate } from "./access-token.js";
import { ContactStore } from "./contact-store.js";
import { establishItem, establishResponse, itemErrorMessage, marketingCloudError, resultMessage } from "./factories.js";
import type { ResolvedOptions } from "./options.js";
import { createRandom, type Random } from "./random.js";
import { redactRequest } from "./request-body.js";
import { formatServiceDateTime } from "./service-time.js";
import { jsonResponse, specJson } from "./spec-response.js";
import { INVALID_CLIENT, isTokenRefusal, parseTokenRequest } from "./token-request.js";

const ESTABLISH = "POST /contacts/v1/establish";
const TOKEN = "POST /v2/token";
// 2024-01-01T00:00:00-06:00: where the seeded clock starts.
const SEEDED_EPOCH_MS = Date.UTC(2024, 0, 1, 6, 0, 0);

/**
 * A request the mock received, as the app sent it, with credentials redacted.
 *
 * @example
 * ```ts
 * const sent: RecordedRequest[] = mock.requests.filter((r) => r.route === "establish");
 * expect(sent[0]?.body).toEqual({ ContactKeys: ["Key1"], ReturnResults: true });
 * expect(sent[0]?.headers.authorization).toBe("Bearer [redacted]");
 * ```
 */
export interface RecordedRequest {
  /** Which route it reached. */
  route: "establish" | "token";
  method: string;
  /** The URL, with the query string; the value of a parameter named `access_token` (or `client_secret`, any case or encoding) is `[redacted]`. */
  url: string;
  /**
   * Every header, names in lower case. `authorization` and `proxy-authorization` keep their
   * scheme (`Bearer [redacted]`); `cookie` and a header named `access_token` or `client_secret`
   * (any case) are `[redacted]`.
   */
  headers: Record<string, string>;
  /**
   * The body: the fields of a form-encoded body as an object (a field sent twice as an array of
   * its values), parsed JSON when it is JSON, else the raw text. Typed `unknown` because it is what
   * the app sent, valid or not. `client_secret` and `access_token` are `[redacted]` by every
   * reading of the body, whatever its declared content type: form, JSON at any depth, multipart,
   * `name: value` text, names in any case or encoding (`client%5Fsecret`, `"client\u005fsecret"`).
   * A value found under such a name (6 characters or longer) is `[redacted]` wherever else it
   * appears in the record too.
   */
  body: unknown;
}

/** Per-call changes that scenarios make to the happy path. */
export interface EstablishOverrides {
  /** Answer in this shape instead of the mock's. */
  shape?: "object" | "array";
  /** These keys fail: their items carry a `resultClass: "Error"` message and are not stored. */
  itemErrors?: ReadonlyMap<string, Partial<ResultMessage>>;
}

interface IssuedToken {
  expiresAt: number;
}

const STREAM = { ids: 1, messages: 2, tokens: 3, latency: 4, order: 5 } as const;

/** The fake Marketing Cloud behind a mock. */
export class FakeService {
  readonly store: ContactStore;
  readonly requests: RecordedRequest[] = [];
  readonly options: ResolvedOptions;
  readonly #tokens = new Map<string, IssuedToken>();
  #messages!: Random;
  #tokenRandom!: Random;
  #latency!: Random;
  #order!: Random;
  #clock = SEEDED_EPOCH_MS;

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.store = new ContactStore(() => createRandom(options.seed, STREAM.ids));
    this.#restartStreams();
  }

  /** Forgets contacts, requests and issued tokens; the same seed then gives the same data again. */
  reset(): void {
    this.store.clear();
    this.requests.length = 0;
    this.#tokens.clear();
    this.#restartStreams();
  }

  /** Every token issued so far stops working now (the static token excepted): the next call with one gets 401. */
  expireTokens(): void {
    this.#tokens.clear();
  }

  /**
   * Serves one request of a route, as msw's handlers and the loopback server both do: records it,
   * waits the mock's latency, answers (with the route's happy path unless a scenario says otherwise).
   */
  async serve(
    route: RecordedRequest["route"],
    request: Request,
    answer: (request: Request, text: string) => Response | Promise<Response> = (r, text) =>
      route === "token" ? this.token(r, text) : this.establish(r, text),
  ): Promise<Response> {
    const text = await this.record(request, route);
    const ms = this.nextLatency();
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
    return answer(request, text);
  }

  #restartStreams(): void {
    const { seed } = this.options;
    this.#messages = createRandom(seed, STREAM.messages);
    this.#tokenRandom = createRandom(seed, STREAM.tokens);
    this.#latency = createRandom(seed, STREAM.latency);
    this.#order = createRandom(seed, STREAM.order);
    this.#clock = SEEDED_EPOCH_MS;
  }

  /** The delay before the next answer, in milliseconds. */
  nextLatency(): number {
    const [min, max] = this.options.latency;
    return min === max ? min : this.#latency.int(min, max);
  }

  /** Reads and records a request; returns its body text. */
  async record(request: Request, route: RecordedRequest["route"]): Promise<string> {
    const text = await request.clone().text();
    const { url, headers, body } = await redactRequest(request, text);
    this.requests.push({ route, method: request.method, url, headers, body });
    return text;
  }

  /**
   * Why a REST request is not authorized, or `undefined` when it is: a token outside the
   * `Authorization` header (even beside a valid one), no token, or one the mock did not issue or
   * that has expired. The static token always works.
   */
  unauthorizedCause(request: Request, text: string): UnauthorizedCause | undefined {
    if (hasTokenOutsideHeader(request, text)) return "outside-header";
    const { tokens } = this.options;
    if (tokens === false) return undefined;
    const token = bearerToken(request);
    if (!token) return "missing";
    if (tokens.staticToken !== undefined && token === tokens.staticToken) return undefined;
    const issued = this.#tokens.get(token);
    if (!issued) return "invalid";
    if (Date.now() >= issued.expiresAt) {
      this.#tokens.delete(token);
      return "invalid";
    }
    return undefined;
  }

  /** The ids and time of one answer: fresh GUIDs, and a time with the service's 7 digits and offset. */
  envelope(): Pick<EstablishContactsResponse, "requestServiceMessageID" | "responseDateTime" | "serviceMessageID"> {
    let instant: Date;
    if (this.options.deterministicTime) {
      this.#clock += this.#messages.int(1, 250);
      instant = new Date(this.#clock);
    } else {
      instant = new Date();
    }
    return {
      requestServiceMessageID: this.#messages.guid(),
      responseDateTime: formatServiceDateTime(instant, this.#messages.int(0, 9999)),
      serviceMessageID: this.#messages.guid(),
    };
  }

  /**
   * `401`, as every Marketing Cloud REST route answers a missing, unknown or expired token (`Not
   * Authorized`, errorcode 0, `WWW-Authenticate: Bearer error="invalid_token"`) or a token outside
   * the `Authorization` header (errorcode 40004, `Bearer error="invalid_request"`), the header's
   * `error_description` naming the cause.
   */
  notAuthorized(cause: UnauthorizedCause = "invalid"): Response {
    const body =
      cause === "outside-header"
        ? marketingCloudError(40004, "Send the access token in the Authorization header, never in the URL or the body.")
        : marketingCloudError(0, "Not Authorized");
    return specJson(ESTABLISH, 401, body, { "www-authenticate": wwwAuthenticate(cause) });
  }

  /** Answers an establish request (it must already be recorded; pass its body text). */
  establish(request: Request, text: string, overrides: EstablishOverrides = {}): Response {
    const cause = this.unauthorizedCause(request, text);
    if (cause) return this.notAuthorized(cause);
    const call = parseEstablishRequest(request.headers.get("content-type"), text);
    if (isRefusal(call)) {
      return call.status === 415 ? specJson(ESTABLISH, 415, call.body) : specJson(ESTABLISH, 400, call.body);
    }

    const items: EstablishContactsItem[] = [];
    for (const [index, key] of call.contactKeys.entries()) {
      const failure = overrides.itemErrors?.get(key);
      if (failure) {
        // A failed key is not established. The spec requires a contact reference on every item;
        // Salesforce does not document a failed item's, so the mock sends id 0 ("no contact").
        items.push(
          establishItem({
            contactKey: key,
            contactID: 0,
            requestItemIndex: index,
            resultMessages: [itemErrorMessage(key, failure)],
            reference: { contactStatus: "Unknown" },
          }),
        );
        continue;
      }
      const { contact, isNew } = this.store.establish(key);
      items.push(
        establishItem({
          contactKey: key,
          contactID: contact.contactID,
          requestItemIndex: index,
          ...(call.includeNewContactAwareness ? { isNewContact: isNew } : {}),
          reference: {
            contactKey: contact.contactKey,
            contactType: contact.contactType,
            contactStatus: contact.contactStatus,
          },
        }),
      );
    }

    const body = call.returnResults
      ? establishResponse({ ...this.envelope(), items: call.correlateResponseItem ? items : this.#shuffle(items) })
      : establishResponse({ ...this.envelope(), items: [], resultMessages: [resultMessage()] });
    const shape = overrides.shape ?? this.options.responseShape;
    return shape === "array" ? jsonResponse(200, [body]) : specJson(ESTABLISH, 200, body);
  }

  /** Without correlation the service promises no order: the mock answers in a (seeded) shuffled one. */
  #shuffle<T>(values: T[]): T[] {
    const out = [...values];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.#order.int(0, i);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }

  /** `401 invalid_client`, as the token route answers credentials it does not accept. */
  invalidClient(): Response {
    return specJson(TOKEN, INVALID_CLIENT.status, INVALID_CLIENT.body);
  }

  /** Answers a token request (it must already be recorded; pass its body text). */
  token(request: Request, text: string): Response {
    const { tokens } = this.options;
    const call = parseTokenRequest(request.headers.get("content-type"), text);
    if (isTokenRefusal(call)) return specJson(TOKEN, call.status, call.body);
    const { clientId, clientSecret, accountId, scope } = call;
    if (tokens !== false) {
      const invalidClient = () => this.invalidClient();
      if (tokens.clientId !== undefined && clientId !== tokens.clientId) return invalidClient();
      if (tokens.clientSecret !== undefined && clientSecret !== tokens.clientSecret) return invalidClient();
      // account_id arrives as digits or as a number (sfmc-sdk, FuelSDK): both are compared as text.
      if (tokens.accountId !== undefined && accountId !== undefined && accountId !== tokens.accountId) {
        return invalidClient();
      }
    }
    const lifetime = tokens === false ? 1079 : tokens.tokenLifetimeSeconds;
    const accessToken = this.#tokenRandom.token(64);
    this.#tokens.set(accessToken, { expiresAt: Date.now() + lifetime * 1000 });
    const { rest, soap } = this.#instanceUrls(request.url);
    return specJson(TOKEN, 200, {
      access_token: accessToken,
      token_type: "Bearer",
      expires_in: lifetime,
      scope: scope ?? (tokens === false ? "" : tokens.scope),
      soap_instance_url: soap,
      rest_instance_url: rest,
    });
  }

  /**
   * The tenant's REST and SOAP URLs: the configured `restInstanceUrl` (a proxy in front of the
   * loopback server), else the ones for the host the token request reached.
   */
  #instanceUrls(tokenUrl: string): { rest: string; soap: string } {
    const { restInstanceUrl } = this.options;
    if (restInstanceUrl !== undefined) {
      return { rest: restInstanceUrl, soap: `${new URL(restInstanceUrl).origin}/soap/` };
    }
    const url = new URL(tokenUrl);
    const tenant = /^([a-z0-9-]+)\.auth\.marketingcloudapis\.com$/i.exec(url.hostname)?.[1];
    if (this.options.rest.includes("*") && tenant) {
      return {
        rest: `https://${tenant}.rest.marketingcloudapis.com/`,
        soap: `https://${tenant}.soap.marketingcloudapis.com/`,
      };
    }
    const rest = this.options.rest.includes("*") ? `${url.origin}/` : new URL(`${this.options.rest}/`, url).href;
    return { rest, soap: `${new URL(rest).origin}/soap/` };
  }
}
