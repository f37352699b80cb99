import type { MarketingCloudError } from "@sfmc-contacts/types";

/**
 * The stable `code` of every error the clients throw.
 *
 * @example
 * ```ts
 * if (error instanceof ContactsError && error.code === "CONTACTS_TIMEOUT") retryLater();
 * ```
 */
export type ContactsErrorCode =
  | "CONTACTS_API_ERROR"
  | "CONTACTS_AUTH_ERROR"
  | "CONTACTS_VALIDATION_ERROR"
  | "CONTACTS_TIMEOUT"
  | "CONTACTS_NETWORK_ERROR"
  | "CONTACTS_THROTTLED";

/** Marks every error of every copy of this package (ESM and CommonJS loaded side by side). */
const BRAND = Symbol.for("@sfmc-contacts/error");

/**
 * The base class of every error the clients throw. No error ever holds a token or a client secret.
 *
 * `instanceof` works across two copies of the package in one process (say the CommonJS and the
 * ESM build, loaded through `require` and `import`): the classes recognise each other's errors
 * by a shared brand and their `code`. {@link isContactsError} does the same as a function.
 *
 * @example
 * ```ts
 * try {
 *   await client.establish(keys);
 * } catch (error) {
 *   if (error instanceof ContactsError) console.error(error.code, error.message);
 * }
 * ```
 */
export abstract class ContactsError extends Error {
  /** A stable, machine-readable code. */
  abstract readonly code: ContactsErrorCode;
  /**
   * Whether trying again later can succeed: network errors, timeouts, 429, 500, 502, 503, 504 and
   * unreadable 200s. The clients have already retried these as far as their `retry` settings allow.
   */
  declare readonly retryable: boolean;

  /**
   * @internal Subclasses pass their fields; they are set before the subclass's own initialisers
   * run. `code` comes from the class's static `code`, which `instanceof` across copies compares.
   */
  constructor(message: string, fields?: object, cause?: unknown) {
    super(message, cause ? { cause } : {});
    Object.assign(this, fields, { code: (new.target as unknown as { code: string }).code });
  }

  /** @internal */
  get [BRAND](): true {
    return true;
  }

  /**
   * The prototype chain first; then, for an error of another copy of this package, the brand and
   * (for a subclass of ours) its `code`. A class that extends one of ours gets the plain check only.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore-start lint/complexity/noThisInStatic: `this` is the class right of `instanceof`, maybe a subclass
    return (
      super[Symbol.hasInstance](value) ||
      (isContactsError(value) &&
        (this === ContactsError || (Object.hasOwn(this, "code") && value.code === (this as { code?: string }).code)))
    );
    // biome-ignore-end lint/complexity/noThisInStatic: see above
  }
}

/**
 * Whether `value` is an error of the clients, from this copy of the package or from any other
 * (the CommonJS and ESM builds loaded in one process, or two installed versions).
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (isContactsError(error) && error.retryable) scheduleRetry();
 * }
 * ```
 */
export function isContactsError(value: unknown): value is ContactsError {
  return (value as { [BRAND]?: unknown } | null | undefined)?.[BRAND] === true;
}

/**
 * Marketing Cloud answered with an error: an HTTP error status, or a 200 that is not a usable
 * answer (a body that is not JSON, or a request-level `resultClass: "Error"` message).
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (error instanceof ContactsApiError && error.status === 429) {
 *     console.log(`rate limited, retry in ${error.retryAfter ?? "?"} s`);
 *   }
 * }
 * ```
 */
export class ContactsApiError extends ContactsError {
  /** The `code` of this class's errors (set on each by the base constructor). @internal */
  static readonly code = "CONTACTS_API_ERROR";
  override readonly name = "ContactsApiError" as const;
  declare readonly code: "CONTACTS_API_ERROR";
  /** The HTTP status (200 for an unusable 200). */
  declare readonly status: number;
  /** Marketing Cloud's `errorcode`, e.g. 10005 or 50100, when the body has one. */
  declare readonly errorcode: number | undefined;
  /** Marketing Cloud's documentation link for the error, when the body has one. */
  declare readonly documentation: string | undefined;
  /** Seconds to wait before retrying, from `Retry-After` or the body's `retryAfter`. */
  declare readonly retryAfter: number | undefined;
  /** The service's id for the request, when it sent one. */
  declare readonly requestId: string | undefined;
  /** The error body, as Marketing Cloud sent it. */
  declare readonly body: MarketingCloudError | undefined;

  constructor(
    message: string,
    init: {
      status: number;
      body?: MarketingCloudError | undefined;
      retryAfter?: number | undefined;
      requestId?: string | undefined;
      retryable?: boolean;
    },
  ) {
    const { body, status } = init;
    // A body's `retryAfter` is untrusted JSON: anything but a number >= 0 ("soon", null, NaN) is
    // no hint at all, and the retry falls back to its backoff.
    const retryAfter: unknown = init.retryAfter ?? body?.retryAfter;
    super(message, {
      requestId: undefined,
      retryable: [200, 429, 500, 502, 503, 504].includes(status),
      ...init,
      errorcode: body?.errorcode,
      documentation: body?.documentation,
      retryAfter: typeof retryAfter === "number" && retryAfter >= 0 ? retryAfter : undefined,
    });
  }
}

/**
 * The token route refused the credentials (an OAuth 2.0 error such as `invalid_client`).
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (error instanceof ContactsAuthError) console.error(`${error.error}: ${error.errorDescription}`);
 * }
 * ```
 */
export class ContactsAuthError extends ContactsError {
  /** The `code` of this class's errors (set on each by the base constructor). @internal */
  static readonly code = "CONTACTS_AUTH_ERROR";
  override readonly name = "ContactsAuthError" as const;
  declare readonly code: "CONTACTS_AUTH_ERROR";
  /** The HTTP status of the token route's answer. */
  declare readonly status: number;
  /** The OAuth error code, e.g. `invalid_client`. */
  declare readonly error: string;
  /** The OAuth `error_description`. */
  declare readonly errorDescription: string | undefined;

  constructor(message: string, init: { status: number; error: string; errorDescription?: string | undefined }) {
    super(message, { errorDescription: undefined, retryable: false, ...init });
  }
}

/**
 * Input or options that cannot be sent, caught before anything is sent. Names the problem.
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (error instanceof ContactsValidationError) console.error(`key #${error.index}: ${error.reason}`);
 * }
 * ```
 */
export class ContactsValidationError extends ContactsError {
  /** The `code` of this class's errors (set on each by the base constructor). @internal */
  static readonly code = "CONTACTS_VALIDATION_ERROR";
  override readonly name = "ContactsValidationError" as const;
  declare readonly code: "CONTACTS_VALIDATION_ERROR";
  /** The position of the bad key, when a key is the problem. */
  declare readonly index: number | undefined;
  /** What is wrong, e.g. `is 255 characters; a contact key is at most 254`. */
  declare readonly reason: string;

  constructor(message: string, init: { reason: string; index?: number | undefined }) {
    super(message, { index: undefined, retryable: false, ...init });
  }
}

/**
 * An attempt took longer than `timeoutMs` (including reading the answer), after every retry.
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (error instanceof ContactsTimeoutError) console.error(`no answer within ${error.timeoutMs} ms`);
 * }
 * ```
 */
export class ContactsTimeoutError extends ContactsError {
  /** The `code` of this class's errors (set on each by the base constructor). @internal */
  static readonly code = "CONTACTS_TIMEOUT";
  override readonly name = "ContactsTimeoutError" as const;
  declare readonly code: "CONTACTS_TIMEOUT";
  /** The per-attempt limit that was hit. */
  declare readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(`No answer from Marketing Cloud within ${timeoutMs} ms`, { timeoutMs, retryable: true });
  }
}

/**
 * The request did not get an HTTP answer: connection refused or reset, DNS failure, and so on,
 * after every retry. `cause` is the underlying error.
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (error instanceof ContactsNetworkError) console.error("network:", error.cause);
 * }
 * ```
 */
export class ContactsNetworkError extends ContactsError {
  /** The `code` of this class's errors (set on each by the base constructor). @internal */
  static readonly code = "CONTACTS_NETWORK_ERROR";
  override readonly name = "ContactsNetworkError" as const;
  declare readonly code: "CONTACTS_NETWORK_ERROR";

  constructor(cause: unknown) {
    super(`Could not reach Marketing Cloud (${text(cause)})`, { retryable: true }, cause);
  }
}

/**
 * Throws a {@link ContactsValidationError} unless `value` is undefined or a number (a whole
 * number when `integer`) from `min` to `max`.
 * @internal
 */
export function checkNumber(value: unknown, name: string, min: number, integer?: boolean, max = Infinity): void {
  if (
    value !== undefined &&
    !(
      (integer ? Number.isInteger(value) : typeof value === "number") &&
      (value as number) >= min &&
      (value as number) <= max
    )
  ) {
    throw new ContactsValidationError(
      `${name} must be a ${integer ? "whole " : ""}number from ${min} to ${max}, got ${text(value)}`,
      {
        reason: name,
      },
    );
  }
}

/**
 * A value as text for a message: `String(value)`, or its type in brackets when it has no text
 * form (a null-prototype object, an object whose `toString` throws), so building a message never
 * throws. @internal
 */
export const text = (value: unknown): string => {
  try {
    return String(value);
  } catch {
    return `[${typeof value}]`;
  }
};
