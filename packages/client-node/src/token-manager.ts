import { createHmac, randomBytes } from "node:crypto";
import {
  ContactsApiError,
  ContactsAuthError,
  ContactsError,
  type ContactsEventListener,
  ContactsNetworkError,
  ContactsTimeoutError,
} from "@sfmc-contacts/core";
import { emit } from "@sfmc-contacts/core/internal";
import { clearSharedRateStates } from "@sfmc-contacts/core/throttle";
import type { OAuthError, paths, TokenRequest } from "@sfmc-contacts/types";
import type { Client } from "openapi-fetch";
import { isMarketingCloudRest, quote, readRestUrl } from "./urls.js";

/** A cached access token. Never logged, never in an error. */
interface Token {
  accessToken: string;
  /**
   * The token's `rest_instance_url`, parsed: origin and path without a trailing slash ("" when it
   * named none, or one with credentials, a query, a fragment or characters no URL needs).
   */
  restUrl: string;
  /** What the token route sent as `rest_instance_url`, quoted and cut short, for messages. */
  restNamed: string;
  /** When to fetch the next one. */
  refreshAt: number;
}

/**
 * One cache slot. Plain data and promises only: a slot may be read by another copy of this module
 * (see {@link tokenCache}), so it must not hold classes or functions of one copy.
 */
interface Entry {
  token?: Token | undefined;
  pending?: Promise<Token> | undefined;
}

/** The process-wide cache: its slots, and the salt of the secrets' hashes. */
interface Cache {
  /**
   * Random bytes of this process, the key of each secret's HMAC-SHA-256: the cache never holds a
   * plain hash of a secret, which anyone who can read it could check guesses against.
   */
  salt: string;
  entries: Map<string, Entry>;
}

/**
 * Where the process-wide cache lives. An app that loads this package through both `require` and
 * `import` (or bundles two copies) gets two module instances; a key from the global symbol
 * registry lets both find the same cache, so the credentials still make one token request per
 * process. A change to the shape of {@link Cache}, {@link Entry} or {@link Token}, or to how
 * slots are keyed, must come with a new key (v2: the salt, the secret's salted hash in each
 * slot's key, and the parsed `rest_instance_url` with its quoted form).
 */
const CACHE_KEY = Symbol.for("@sfmc-contacts/client-node.token-cache.v2");

type CacheHolder = typeof globalThis & { [CACHE_KEY]?: Cache };

/**
 * Process-wide, per (auth host, client id, account id, scope, secret): every client of the same
 * identity shares one token and one token request, whichever copy of this module made it; a
 * client with another secret for that identity (a wrong one, say) has a slot of its own and never
 * evicts the good client's token. A property that
 * is not enumerable (nor writable, nor deletable), so `util.inspect(globalThis)`, a debugger's
 * listing or a crash reporter that walks the global object does not print live tokens.
 */
function tokenCache(): Cache {
  const holder = globalThis as CacheHolder;
  if (!holder[CACHE_KEY]) {
    Object.defineProperty(holder, CACHE_KEY, {
      value: { salt: randomBytes(32).toString("hex"), entries: new Map() } satisfies Cache,
    });
  }
  return holder[CACHE_KEY] as Cache;
}

/**
 * Refresh this long before expiry, so no request carries a token about to lapse: a minute, or a
 * tenth of the token's life when that is shorter (a short-lived token is still used most of its life).
 */
const refreshMargin = (lifetimeMs: number) => Math.min(60_000, lifetimeMs / 10);

/**
 * RFC 6750's `b64token`: the only characters a bearer token may have. Anything else (CR, LF and
 * NUL above all, but also spaces, commas and non-ASCII) could split or bend the `Authorization`
 * header, so such a token is refused, never sent.
 */
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Scopes as a set: "a b" and "b a" name the same token, so they share it. `undefined` (no scope
 * asked, the package's full grant) stays apart from every explicit scope, "" included.
 */
const scopeKey = (scope: string | undefined) =>
  scope === undefined ? null : [...new Set(scope.split(/\s+/).filter(Boolean))].sort().join(" ");

/** Settings of a token manager. @internal */
export interface TokenManagerConfig {
  authBaseUrl: string;
  clientId: string;
  clientSecret: string;
  accountId?: string | undefined;
  scope?: string | undefined;
  /**
   * Whether this client has an explicit `baseUrl`. Without one, a token is used only when its
   * `rest_instance_url` is a Marketing Cloud host; checked on every use, since the cached token
   * may have been fetched by a client that had one.
   */
  explicitRestBase: boolean;
  client: Client<paths>;
  /** Time limit of one token request (the client's validated `timeoutMs`). */
  timeoutMs: number;
  onEvent?: ContactsEventListener | undefined;
}

/** Waits for a shared promise, but stops waiting (only this caller) when its signal aborts. */
function waitFor<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener("abort", abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}

/** An answer of the token route that cannot be used. Never quotes the token. */
const unusable = (status: number, error: string, problem: string) =>
  new ContactsAuthError(
    `The token route answered ${problem}; nothing was sent with it. Check that authBaseUrl points at Marketing Cloud's auth host (https://YOUR_SUBDOMAIN.auth.marketingcloudapis.com).`,
    { status, error },
  );

/**
 * Client-credentials tokens: cached, single-flight, refreshed shortly before expiry.
 *
 * What it accepts from the token route: a JSON object with an `access_token` of RFC 6750
 * `b64token` characters, a `token_type` of `Bearer` (any case), and an `expires_in` that is a
 * finite number of seconds above 0. Anything else is a {@link ContactsAuthError} (not retried), so
 * a broken answer costs one token request per call, never a loop.
 * @internal
 */
export class TokenManager {
  readonly #config: TokenManagerConfig;
  readonly #key: string;
  /** The REST URL this client last found trusted (see `#trusted`). */
  #trustedRestUrl: string | undefined;

  constructor(config: TokenManagerConfig) {
    this.#config = config;
    // The account id as given (null when there is none: no account_id is sent then), the scopes as
    // a set, and the secret's salted hash: a client with another secret never reuses (nor evicts)
    // this one's token.
    this.#key = JSON.stringify([
      config.authBaseUrl,
      config.clientId,
      config.accountId ?? null,
      scopeKey(config.scope),
      createHmac("sha256", tokenCache().salt).update(config.clientSecret).digest("hex"),
    ]);
  }

  /**
   * Who this client is to Marketing Cloud: the token cache's key (auth host, client id, account
   * id, scope set, the secret's salted hash). The shared rate state (gate, pace, budget) is keyed
   * by it too, so clients that share a token also share one rate limit. Never the secret itself.
   */
  get identity(): string {
    return this.#key;
  }

  #entry(): Entry {
    const cache = tokenCache().entries;
    let entry = cache.get(this.#key);
    if (!entry) {
      entry = {};
      cache.set(this.#key, entry);
    }
    return entry;
  }

  /**
   * A valid token this client may use: the cached one, or one fetched (once, however many callers
   * wait for it). Without an explicit `baseUrl`, its REST host must be a Marketing Cloud host.
   */
  async token(signal?: AbortSignal): Promise<Token> {
    return this.cached() ?? this.#trusted(await waitFor(this.#fetch(this.#entry(), "fetched"), signal));
  }

  /**
   * The cached token when it is valid and this client may use it, at once (no promise: the usual
   * case of every request); undefined when one must be fetched. Throws what `token()` rejects
   * with for a token whose REST host this client does not trust.
   */
  cached(): Token | undefined {
    const token = this.#entry().token;
    return token && Date.now() < token.refreshAt ? this.#trusted(token) : undefined;
  }

  /**
   * After a 401: drops the refused token and fetches a new one, unless another caller already did.
   * Resolves `true` once a fresh token is available.
   */
  async renew(refused: string, signal?: AbortSignal): Promise<boolean> {
    const entry = this.#entry();
    if (entry.token && entry.token.accessToken !== refused) return true;
    entry.token = undefined;
    // A freshly issued token is worth the one retry even when it reads the same (a token server
    // may re-issue an identical string); the pipeline retries once only.
    await waitFor(this.#fetch(entry, "renewed"), signal);
    return true;
  }

  /**
   * The host rule, per client and per use: the cache is shared by clients with and without an
   * explicit `baseUrl`, so where a token was fetched says nothing about where this client may send it.
   */
  #trusted(token: Token): Token {
    // The last host found trusted is not parsed again: this check runs on every request.
    if (this.#config.explicitRestBase || token.restUrl === this.#trustedRestUrl) return token;
    if (!isMarketingCloudRest(token.restUrl)) {
      throw new ContactsAuthError(
        `The token route named a REST host this client does not trust (rest_instance_url ${token.restNamed}); nothing was sent to it. Without baseUrl it must be https://YOUR_SUBDOMAIN.rest.marketingcloudapis.com (no credentials, port, query or fragment). Set baseUrl explicitly to trust another host.`,
        { status: 200, error: "untrusted_rest_instance_url" },
      );
    }
    this.#trustedRestUrl = token.restUrl;
    return token;
  }

  #fetch(entry: Entry, action: "fetched" | "renewed"): Promise<Token> {
    entry.pending ??= this.#request(action).then(
      (token) => {
        entry.token = token;
        entry.pending = undefined;
        return token;
      },
      (error: unknown) => {
        entry.pending = undefined;
        throw error;
      },
    );
    return entry.pending;
  }

  async #request(action: "fetched" | "renewed"): Promise<Token> {
    const { authBaseUrl, clientId, clientSecret, accountId, scope, client, timeoutMs } = this.#config;
    const body: TokenRequest = { grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret };
    if (accountId !== undefined) body.account_id = accountId;
    if (scope !== undefined) body.scope = scope;
    // Many callers may wait for this one request: no caller's signal may cancel it, only its own limit.
    const limit = AbortSignal.timeout(timeoutMs);
    const result = await client
      .POST("/v2/token", {
        baseUrl: authBaseUrl,
        body,
        signal: limit,
        // The secret is in the body: a redirect must never carry it (307/308) or hand back a token
        // minted elsewhere (301-303). core's spec client enforces this on every request and rejects
        // a 3xx with a ContactsApiError; said here too, where it matters most.
        redirect: "manual",
        parseAs: "text",
      })
      .catch((error: unknown) => {
        if (limit.aborted) throw new ContactsTimeoutError(timeoutMs);
        // Already typed (a refused redirect, a body over the cap): pass it on as it is.
        if (error instanceof ContactsError) throw error;
        throw new ContactsNetworkError(error);
      });
    const { response } = result;
    if (!response.ok) {
      const oauth = result.error as Partial<OAuthError> | undefined;
      if (oauth && typeof oauth === "object" && typeof oauth.error === "string") {
        throw new ContactsAuthError(
          `The token route refused the credentials (${response.status} ${oauth.error}${oauth.error_description ? `: ${oauth.error_description}` : ""}). Check the client id, client secret and account id.`,
          { status: response.status, error: oauth.error, errorDescription: oauth.error_description },
        );
      }
      // No OAuth body: a gateway or server failure, worth a retry when it is a 5xx or 429.
      throw new ContactsApiError(`The token route answered ${response.status}`, { status: response.status });
    }
    const token = this.#read(response.status, result.data);
    emit(this.#config.onEvent, {
      type: "token",
      action,
      authUrl: `${authBaseUrl}/v2/token`,
      expiresInSeconds: token.expiresIn,
    });
    const lifetimeMs = token.expiresIn * 1000;
    return {
      accessToken: token.accessToken,
      restUrl: token.restUrl,
      restNamed: token.restNamed,
      refreshAt: Date.now() + lifetimeMs - refreshMargin(lifetimeMs),
    };
  }

  /** Checks a 200 answer field by field; the messages name the field, never its value. */
  #read(status: number, text: unknown): { accessToken: string; expiresIn: number; restUrl: string; restNamed: string } {
    let data: unknown;
    try {
      data = JSON.parse(String(text));
    } catch {
      throw unusable(status, "invalid_response", "a body that is not JSON");
    }
    const {
      access_token: accessToken,
      token_type: tokenType,
      expires_in: expiresIn,
      rest_instance_url: restUrl,
    } = (data ?? {}) as Record<string, unknown>;
    if (typeof accessToken !== "string") {
      throw unusable(status, "invalid_response", "without an access token");
    }
    if (!BEARER_TOKEN.test(accessToken)) {
      throw unusable(
        status,
        "invalid_access_token",
        "an access_token that is not safe in an Authorization header (it must be RFC 6750 b64token characters: letters, digits, - . _ ~ + / and a trailing =; CR, LF, NUL, spaces and others are refused)",
      );
    }
    if (typeof tokenType !== "string" || tokenType.toLowerCase() !== "bearer") {
      const named = typeof tokenType === "string" && /^[A-Za-z0-9_-]{1,32}$/.test(tokenType) ? ` "${tokenType}"` : "";
      throw unusable(
        status,
        "unsupported_token_type",
        `a token_type${named} that is not Bearer (this client sends bearer tokens only)`,
      );
    }
    if (typeof expiresIn !== "number" || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      const got =
        typeof expiresIn === "number" ? String(expiresIn) : `a ${expiresIn === null ? "null" : typeof expiresIn}`;
      throw unusable(
        status,
        "invalid_expires_in",
        `an expires_in that is not a finite number of seconds above 0 (got ${got}), so the token's life is unknown`,
      );
    }
    return {
      accessToken,
      expiresIn,
      restUrl: readRestUrl(restUrl),
      restNamed: typeof restUrl === "string" ? quote(restUrl) : "none",
    };
  }
}

/**
 * Forgets every cached token of the process and every shared rate state (gate, learned pace,
 * budget), for every copy of this package that is loaded: for tests (a gate left closed by one
 * test's 429 would hold back the next), and after rotating credentials.
 *
 * @example
 * ```ts
 * afterEach(() => clearTokenCache());
 * ```
 */
export function clearTokenCache(): void {
  tokenCache().entries.clear();
  clearSharedRateStates();
}
