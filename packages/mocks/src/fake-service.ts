/**
 * The behaviour of the mock, independent of msw: it takes a fetch `Request` and answers a fetch
 * `Response`, the way Marketing Cloud answers. The msw handlers are thin wrappers around it, so the
 * same fake can also sit behind a loopback HTTP server.
 */
import type { EstablishContactsItem, EstablishContactsResponse, ResultMessage } from "@sfmc-contacts/types";
import { ContactStore } from "./contact-store.js";
import { isRefusal, parseEstablishRequest } from "./establish-request.js";
import {
  establishItem,
  establishResponse,
  itemErrorMessage,
  marketingCloudError,
  oauthError,
  resultMessage,
} from "./factories.js";
import type { ResolvedOptions } from "./options.js";
import { createRandom, type Random } from "./random.js";
import { formatServiceDateTime } from "./service-time.js";
import { jsonResponse, specJson } from "./spec-response.js";

const ESTABLISH = "POST /contacts/v1/establish";
const TOKEN = "POST /v2/token";
const REDACTED = "[redacted]";
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
  url: string;
  /** Every header, names in lower case. `authorization` keeps its scheme: `Bearer [redacted]`. */
  headers: Record<string, string>;
  /**
   * The body: parsed JSON when it is JSON, else the raw text. Typed `unknown` because it is what
   * the app sent, valid or not. A token request's `client_secret` is `[redacted]`.
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
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = name === "authorization" ? value.replace(/^(\S+\s+).*$/s, `$1${REDACTED}`) : value;
    });
    if (headers.authorization && !/\s/.test(headers.authorization)) headers.authorization = REDACTED;
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: keep the text, as the app sent it.
    }
    if (route === "token" && body !== null && typeof body === "object" && "client_secret" in body) {
      body = { ...body, client_secret: REDACTED };
    }
    this.requests.push({ route, method: request.method, url: request.url, headers, body });
    return text;
  }

  /** Whether a request carries a token the mock issued (and that has not expired) or the static token. */
  isAuthorized(request: Request): boolean {
    const { tokens } = this.options;
    if (tokens === false) return true;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
    const token = match?.[1];
    if (!token) return false;
    if (tokens.staticToken !== undefined && token === tokens.staticToken) return true;
    const issued = this.#tokens.get(token);
    if (!issued) return false;
    if (Date.now() >= issued.expiresAt) {
      this.#tokens.delete(token);
      return false;
    }
    return true;
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

  /** `401 Not Authorized`, as every Marketing Cloud REST route answers a missing, unknown or expired token. */
  notAuthorized(): Response {
    return specJson(ESTABLISH, 401, marketingCloudError(0, "Not Authorized"));
  }

  /** Answers an establish request (it must already be recorded; pass its body text). */
  establish(request: Request, text: string, overrides: EstablishOverrides = {}): Response {
    if (!this.isAuthorized(request)) return this.notAuthorized();
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
    return specJson(
      TOKEN,
      401,
      oauthError(
        "invalid_client",
        "Client authentication failed. Make sure that the client ID and client secret are valid and have access to the account.",
      ),
    );
  }

  /** Answers a token request (it must already be recorded; pass its body text). */
  token(request: Request, text: string): Response {
    const { tokens } = this.options;
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
      body = parsed as Record<string, unknown>;
    } catch {
      return specJson(TOKEN, 400, oauthError("invalid_request", "The request body must be a JSON object."));
    }
    if (body.grant_type !== "client_credentials") {
      return specJson(
        TOKEN,
        400,
        oauthError(
          "unsupported_grant_type",
          'Use "authorization_code" or "refresh_token" or "client_credentials" or "urn:ietf:params:oauth:grant-type:jwt-bearer" as the grant type.',
        ),
      );
    }
    const invalidClient = () => this.invalidClient();
    const { client_id: clientId, client_secret: clientSecret, account_id: accountId, scope } = body;
    if (typeof clientId !== "string" || clientId === "" || typeof clientSecret !== "string" || clientSecret === "") {
      return invalidClient();
    }
    if (tokens !== false) {
      if (tokens.clientId !== undefined && clientId !== tokens.clientId) return invalidClient();
      if (tokens.clientSecret !== undefined && clientSecret !== tokens.clientSecret) return invalidClient();
      if (tokens.accountId !== undefined && accountId !== undefined && String(accountId) !== tokens.accountId) {
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
      scope: typeof scope === "string" && scope !== "" ? scope : tokens === false ? "" : tokens.scope,
      soap_instance_url: soap,
      rest_instance_url: rest,
    });
  }

  /** The tenant's REST and SOAP URLs, for the host the token request reached. */
  #instanceUrls(tokenUrl: string): { rest: string; soap: string } {
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
