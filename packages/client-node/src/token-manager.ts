import { createHash } from "node:crypto";
import {
  ContactsApiError,
  ContactsAuthError,
  type ContactsEventListener,
  ContactsNetworkError,
  ContactsTimeoutError,
} from "@sfmc-contacts/core";
import type { OAuthError, paths, TokenRequest } from "@sfmc-contacts/types";
import type { Client } from "openapi-fetch";
import { isMarketingCloudUrl } from "./urls.js";

/** A cached access token. Never logged, never in an error. */
interface Token {
  accessToken: string;
  restUrl: string;
  /** When to fetch the next one. */
  refreshAt: number;
}

interface Entry {
  secretHash: string;
  token?: Token | undefined;
  pending?: Promise<Token> | undefined;
}

/**
 * Process-wide, per (auth host, client id, account id): every client of the same credentials
 * shares one token and one token request.
 */
const cache = new Map<string, Entry>();

/**
 * Refresh this long before expiry, so no request carries a token about to lapse: a minute, or a
 * tenth of the token's life when that is shorter (a short-lived token is still used most of its life).
 */
const refreshMargin = (lifetimeMs: number) => Math.min(60_000, lifetimeMs / 10);

/** Settings of a token manager. @internal */
export interface TokenManagerConfig {
  authBaseUrl: string;
  clientId: string;
  clientSecret: string;
  accountId?: string | undefined;
  scope?: string | undefined;
  /** Where tokens may be used without an explicit baseUrl (checked on `rest_instance_url`). */
  explicitRestBase: boolean;
  client: Client<paths>;
  /** Time limit of one token request. */
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

/** Client-credentials tokens: cached, single-flight, refreshed shortly before expiry. @internal */
export class TokenManager {
  readonly #config: TokenManagerConfig;
  readonly #key: string;
  readonly #secretHash: string;

  constructor(config: TokenManagerConfig) {
    this.#config = config;
    this.#key = JSON.stringify([config.authBaseUrl, config.clientId, config.accountId ?? ""]);
    this.#secretHash = createHash("sha256").update(config.clientSecret).digest("hex");
  }

  #entry(): Entry {
    let entry = cache.get(this.#key);
    // A client with another secret for the same id never reuses the first one's token.
    if (!entry || entry.secretHash !== this.#secretHash) {
      entry = { secretHash: this.#secretHash };
      cache.set(this.#key, entry);
    }
    return entry;
  }

  /** A valid token: the cached one, or one fetched (once, however many callers wait for it). */
  async token(signal?: AbortSignal): Promise<Token> {
    const entry = this.#entry();
    if (entry.token && Date.now() < entry.token.refreshAt) return entry.token;
    return waitFor(this.#fetch(entry, "fetched"), signal);
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
    const { authBaseUrl, clientId, clientSecret, accountId, scope, client } = this.#config;
    const body: TokenRequest = { grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret };
    if (accountId !== undefined) body.account_id = accountId;
    if (scope !== undefined) body.scope = scope;
    let result: Awaited<ReturnType<Client<paths>["POST"]>>;
    // Many callers may wait for this one request: no caller's signal may cancel it, only its own limit.
    const limit = AbortSignal.timeout(this.#config.timeoutMs);
    try {
      result = await client.POST("/v2/token", { baseUrl: authBaseUrl, body, signal: limit });
    } catch (error) {
      if (limit.aborted) throw new ContactsTimeoutError(this.#config.timeoutMs);
      throw new ContactsNetworkError(error);
    }
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
    const data = result.data as { access_token?: unknown; expires_in?: unknown; rest_instance_url?: unknown };
    if (typeof data?.access_token !== "string" || typeof data.expires_in !== "number") {
      throw new ContactsAuthError("The token route answered without an access token", {
        status: response.status,
        error: "invalid_response",
      });
    }
    const restUrl = typeof data.rest_instance_url === "string" ? data.rest_instance_url.replace(/\/+$/, "") : "";
    if (!this.#config.explicitRestBase && !isMarketingCloudUrl(restUrl)) {
      throw new ContactsAuthError(
        `The token route named a REST host that is not https://*.marketingcloudapis.com (${restUrl || "none"}); set baseUrl explicitly to trust another host`,
        { status: response.status, error: "untrusted_rest_instance_url" },
      );
    }
    const lifetimeMs = data.expires_in * 1000;
    try {
      this.#config.onEvent?.({
        type: "token",
        action,
        authUrl: `${authBaseUrl}/v2/token`,
        expiresInSeconds: data.expires_in,
      });
    } catch {
      // A logging hook must never change what the client does.
    }
    const now = Date.now();
    return { accessToken: data.access_token, restUrl, refreshAt: now + lifetimeMs - refreshMargin(lifetimeMs) };
  }
}

/**
 * Forgets every cached token (for tests, and after rotating credentials).
 *
 * @example
 * ```ts
 * afterEach(() => clearTokenCache());
 * ```
 */
export function clearTokenCache(): void {
  cache.clear();
}
