/**
 * Where a request goes and how it is authorised, for one attempt.
 *
 * @example
 * ```ts
 * const credentials: Credentials = { baseUrl: "https://tenant.rest.marketingcloudapis.com", authorization: "Bearer ..." };
 * ```
 */
export interface Credentials {
  /** The REST base URL (no trailing slash). */
  baseUrl: string;
  /** The `Authorization` header value; absent when a proxy adds it. */
  authorization?: string | undefined;
}

/**
 * How a client gets credentials: the browser client from the app's token function or none, the
 * Node client from its token manager.
 *
 * @example
 * ```ts
 * const auth: AuthSource = {
 *   credentials: async () => ({ baseUrl, authorization: `Bearer ${await getToken()}` }),
 *   renew: async () => true, // after a 401: ask again once
 * };
 * ```
 */
export interface AuthSource {
  /** The credentials for the next attempt. */
  credentials(signal?: AbortSignal): Credentials | Promise<Credentials>;
  /**
   * Called once after a 401 with the credentials that were refused. Resolves `true` when fresh
   * credentials are worth exactly one more attempt.
   */
  renew?(refused: Credentials, signal?: AbortSignal): boolean | Promise<boolean>;
}
