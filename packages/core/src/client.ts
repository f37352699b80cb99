import type { EstablishContactsRequestPascalCase, paths } from "@sfmc-contacts/types";
import type { Client } from "openapi-fetch";
import type { AuthSource } from "./auth.js";
import { checkNumber } from "./errors.js";
import {
  type AcknowledgedResult,
  checkRun,
  type EstablishAllOptions,
  type EstablishAllRun,
} from "./establish-all-options.js";
import type { ContactsEventListener } from "./events.js";
import { assertContactKeys } from "./keys.js";
import { lazyRun } from "./lazy-run.js";
import { checkTimeout, createPipeline, type PipelineConfig } from "./pipeline.js";
import { type ContactResult, type EstablishAcknowledgement, type EstablishResult, toResults } from "./results.js";
import { type RetryOptions, resolveRetry } from "./retry.js";
import type { Throttle } from "./throttle.js";
import type { EstablishTransport } from "./transport.js";

/**
 * Options every client takes. Whatever the options, no client follows a redirect: requests use
 * `redirect: "manual"`, and a 3xx answer is a `ContactsApiError` (a redirect could carry keys,
 * tokens or the client secret to another origin).
 *
 * @example
 * ```ts
 * const common: ClientOptions = { timeoutMs: 10_000, retry: { attempts: 3 }, onEvent: console.log };
 * ```
 */
export interface ClientOptions {
  /**
   * Time limit of one attempt (token requests included), including reading the answer, in ms: a
   * whole number from 1 to 2 147 483 647 (2^31-1, the most a timer can wait). Default 30 000.
   */
  timeoutMs?: number;
  /**
   * The most bytes of one answer body the client reads. Bodies are read as a stream; past this the
   * answer is a `ContactsApiError` (not retried). Default 16 MiB (16 777 216).
   */
  maxResponseBytes?: number;
  /** Aborts every call of this client. */
  signal?: AbortSignal;
  /** Retry settings, or `false` for a single attempt. Default: 4 attempts, 1 s base, 30 s cap. */
  retry?: RetryOptions | false;
  /** Receives request, response, retry, token and error events (never a secret). */
  onEvent?: ContactsEventListener;
}

/**
 * Options of one `establish` call.
 *
 * @example
 * ```ts
 * await client.establish(["Key1"], { timeoutMs: 5_000, signal: AbortSignal.timeout(20_000) });
 * ```
 */
export interface EstablishOptions {
  /** `false`: fire and forget; the answer is an acknowledgement without per-key results. Default `true`. */
  returnResults?: boolean;
  /** The contact type. Default 0 ("Default"). */
  contactType?: number;
  /**
   * Whether results say if a contact is new (`isNew`). Default `true`, sent explicitly because
   * Salesforce's documents disagree on the service's default.
   */
  includeNewContactAwareness?: boolean;
  /** Aborts this call. */
  signal?: AbortSignal;
  /** Time limit of one attempt of this call, in ms (see `ClientOptions.timeoutMs`). */
  timeoutMs?: number;
}

/**
 * Options of `establishAll`: the batch settings and the per-call settings of `establish`.
 *
 * @example
 * ```ts
 * await client.establishAll(keys, { batchSize: 50, concurrency: 8, contactType: 0 }).done();
 * ```
 */
export interface EstablishAllCallOptions
  extends EstablishAllOptions,
    Pick<EstablishOptions, "contactType" | "timeoutMs"> {}

/**
 * A contacts client: `establish`, `establishAll`, and `raw`, the typed openapi-fetch client.
 *
 * @example
 * ```ts
 * const result = await client.establish(["Key1", "Key2"]);
 * const summary = await client.establishAll(keysFromAFile(), { onProgress: console.log }).done();
 * const { data } = await client.raw.POST("/contacts/v1/establish", { body: { ContactKeys: ["Key1"] } });
 * ```
 */
export interface ContactsClient {
  /**
   * Establishes contacts for 1 or more keys in one request. Checks the keys first (a
   * `ContactsValidationError` names the bad one; nothing is sent). Retries what can be retried.
   */
  establish(keys: readonly string[], options?: EstablishOptions & { returnResults?: true }): Promise<EstablishResult>;
  establish(
    keys: readonly string[],
    options: EstablishOptions & { returnResults: false },
  ): Promise<EstablishAcknowledgement>;
  establish(keys: readonly string[], options?: EstablishOptions): Promise<EstablishResult | EstablishAcknowledgement>;
  /**
   * Establishes any number of keys from an `Iterable` or `AsyncIterable`, in batches, streaming:
   * memory stays bounded by batch size × concurrency. Every key read gets exactly one result (a
   * key the input gives after the run stopped is not read: see `EstablishAllRun.stop()`).
   * Returns the run, not a promise: iterate it for per-key results and/or call `done()` for the
   * summary (`await client.establishAll(keys).done()`). Nothing starts before one of the two.
   * Bad options or a non-iterable throw a `ContactsValidationError` at the call; a sparse array
   * fails the run with one (from `done()` and the iteration) before anything is read or sent.
   */
  establishAll(
    keys: Iterable<string> | AsyncIterable<string>,
    options?: EstablishAllCallOptions & { returnResults?: true },
  ): EstablishAllRun;
  establishAll(
    keys: Iterable<string> | AsyncIterable<string>,
    options: EstablishAllCallOptions & { returnResults: false },
  ): EstablishAllRun<AcknowledgedResult>;
  establishAll(
    keys: Iterable<string> | AsyncIterable<string>,
    options?: EstablishAllCallOptions,
  ): EstablishAllRun<ContactResult | AcknowledgedResult>;
  /** The underlying openapi-fetch client, typed with the spec's `paths`, with this client's auth. */
  readonly raw: Client<paths>;
}

/**
 * What a runtime gives the shared client: how to authorise, how to send, the raw client.
 *
 * @example
 * ```ts
 * const client = createContactsCore({ auth, transport: openapiFetchTransport(raw), raw, retry: false });
 * ```
 */
export interface CoreConfig extends ClientOptions {
  auth: AuthSource;
  transport: EstablishTransport;
  raw: Client<paths>;
  /**
   * The rate-limit gate of this client (`@sfmc-contacts/core/throttle`'s `bindThrottle`): a run's
   * batches and every retry wait at it. The Node client shares one per credentials (and also waits
   * at it before a single call). Default: one per client, made on the first throttling answer.
   * @internal
   */
  throttle?: Throttle | undefined;
}

/**
 * Builds a client from a runtime's auth and transport. The browser and Node clients call this;
 * apps call their `createContactsClient`.
 *
 * @example
 * ```ts
 * const client = createContactsCore({ auth, transport, raw });
 * await client.establish(["Key1"]);
 * ```
 */
export function createContactsCore(config: CoreConfig): ContactsClient {
  // Also the run's view of the client (its signal, onEvent and gate: see clientRun).
  const pipe: PipelineConfig = { ...config, retry: resolveRetry(config.retry) };
  const send = createPipeline(pipe);
  const body = (
    keys: readonly string[],
    options: Pick<EstablishOptions, "returnResults" | "contactType" | "includeNewContactAwareness" | "timeoutMs">,
  ): EstablishContactsRequestPascalCase => {
    // Checked here, at the call, for establish and establishAll alike (not when a run's batch is sent).
    checkTimeout(options.timeoutMs);
    const request: EstablishContactsRequestPascalCase = {
      ContactKeys: keys as string[],
      IncludeNewContactAwareness: options.includeNewContactAwareness ?? true,
    };
    const contactType = options.contactType;
    checkNumber(contactType, "contactType", 0, true);
    if (contactType !== undefined) request.ContactType = contactType;
    if (options.returnResults === false) request.ReturnResults = false;
    return request;
  };

  async function establish(keys: readonly string[], options: EstablishOptions = {}) {
    assertContactKeys(keys);
    const raw = await send(body(keys, options), options);
    // resultMessages, requestServiceMessageID, serviceMessageID, responseDateTime
    const { items, ...answer } = raw;
    if (options.returnResults === false) return { acknowledged: true, keys: keys.length, ...answer, raw };
    const results = await toResults(keys, items);
    return { results, contacts: results.filter((r) => r.ok), failures: results.filter((r) => !r.ok), ...answer, raw };
  }

  return {
    establish: establish as ContactsClient["establish"],
    establishAll: ((keys: Iterable<string> | AsyncIterable<string>, options: EstablishAllCallOptions = {}) => {
      checkRun(keys, options);
      const shape = body([], options);
      // Loaded on first use: apps that only call establish do not ship the bulk code (nor the
      // run's wiring, see clientRun).
      return lazyRun(import("./establish-all.js").then((bulk) => bulk.clientRun(keys, send, shape, options, pipe)));
    }) as ContactsClient["establishAll"],
    raw: config.raw,
  };
}
