/**
 * What to do with a request no handler answers, under msw 2 and msw 3 alike. msw 3 renamed the
 * option `onUnhandledRequest` to `onUnhandledFrame`, and each major silently ignores the other
 * name: a recipe written for one sends unmocked requests to the real network under the other.
 * `setupContactsServer` and `setupContactsWorker` take either name and pass msw both.
 */

/**
 * msw's named strategies for a request no handler answers, the same under msw 2 and msw 3.
 *
 * @example
 * ```ts
 * const strategy: UnhandledStrategy = "error";
 * server.listen({ onUnhandledRequest: strategy });
 * ```
 */
export type UnhandledStrategy = "bypass" | "warn" | "error";

/**
 * msw's own options for `server.listen()` / `worker.start()` (of the msw you installed), plus the
 * other major's name for the option as a named strategy: `onUnhandledRequest` (msw 2) and
 * `onUnhandledFrame` (msw 3) both compile, whichever msw is installed. A callback is
 * major-specific (msw 2: `(request, print)`, msw 3: `({ frame, defaults })`), so it takes the
 * installed msw's own option name only.
 *
 * @example
 * ```ts
 * import type { SetupServer } from "msw/node";
 * type ListenOptions = EitherUnhandledOption<NonNullable<Parameters<SetupServer["listen"]>[0]>>;
 * const options: ListenOptions = { onUnhandledRequest: "error" }; // compiles under msw 2 and 3
 * ```
 */
export type EitherUnhandledOption<Options> = Options &
  ("onUnhandledFrame" extends keyof Options
    ? { onUnhandledRequest?: UnhandledStrategy }
    : { onUnhandledFrame?: UnhandledStrategy });

/** The two option names, as this module reads them. @internal */
export interface UnhandledKeys {
  onUnhandledRequest?: unknown;
  onUnhandledFrame?: unknown;
}

/**
 * msw's options with the unhandled-request choice under both names. A named strategy given under
 * one name is copied to the other; a callback is passed as given (it fits only the msw it was
 * written for). With neither name, `fallback` fills both.
 * @internal
 */
export function withUnhandledOption<Options extends UnhandledKeys>(
  options: Options | undefined,
  fallback: Required<UnhandledKeys>,
): Options & UnhandledKeys {
  const given = options ?? ({} as Options);
  const { onUnhandledRequest, onUnhandledFrame } = given;
  if (onUnhandledRequest === undefined && onUnhandledFrame === undefined) return { ...given, ...fallback };
  if (onUnhandledFrame === undefined && typeof onUnhandledRequest === "string") {
    return { ...given, onUnhandledFrame: onUnhandledRequest };
  }
  if (onUnhandledRequest === undefined && typeof onUnhandledFrame === "string") {
    return { ...given, onUnhandledRequest: onUnhandledFrame };
  }
  return given;
}

/** The two callbacks msw 2 and msw 3 call for an unhandled request, in one place. */
interface Msw2Print {
  error(): void;
}
interface Msw3Frame {
  protocol?: string;
  data?: { request?: Request };
}
interface Msw3Defaults {
  error(): void | Promise<void>;
}

/**
 * Callbacks for both msw majors that fail an unhandled request when `mustBeMocked(url)` says so
 * (after printing msw's own message), and let every other request through silently. msw's
 * `print.error()` (msw 2) and `defaults.error()` (msw 3) only print in current versions; throwing
 * is what fails the request (a rejected fetch in Node, a 500 "Request Handler Error" in a browser,
 * as msw's own "error" strategy does).
 * @internal
 */
export function failUnhandled(mustBeMocked: (url: string) => boolean): Required<UnhandledKeys> {
  const refuse = (request: Request): never => {
    throw new Error(
      `@sfmc-contacts/mocks: no handler answered ${request.method} ${request.url}, a route of the mock; add a handler for it, or choose another strategy with the onUnhandledRequest (msw 2) or onUnhandledFrame (msw 3) option`,
    );
  };
  return {
    onUnhandledRequest: (request: Request, print: Msw2Print) => {
      if (!mustBeMocked(request.url)) return;
      print.error();
      refuse(request);
    },
    onUnhandledFrame: async ({ frame, defaults }: { frame: Msw3Frame; defaults: Msw3Defaults }) => {
      const request = frame.protocol === "http" ? frame.data?.request : undefined;
      if (request === undefined || !mustBeMocked(request.url)) return;
      await defaults.error();
      refuse(request);
    },
  };
}

const escapeRegExp = (text: string): string => text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");

/**
 * Whether a URL is one the mock stands for: any Marketing Cloud host, or anything under one of the
 * mock's bases (a `*` matches one host label or more; a `/path` base is on `origin`).
 * @internal
 */
export function isUnderBases(bases: readonly string[], origin: string | undefined): (url: string) => boolean {
  const patterns = bases.flatMap((base) => {
    const absolute = base.startsWith("/") ? (origin === undefined ? undefined : `${origin}${base}`) : base;
    if (absolute === undefined) return [];
    return [new RegExp(`^${escapeRegExp(absolute).replaceAll("*", "[^/?#]*")}(?:[/?#]|$)`, "i")];
  });
  return (url) => {
    let host = "";
    try {
      host = new URL(url).hostname.toLowerCase();
    } catch {
      return false;
    }
    return host.endsWith(".marketingcloudapis.com") || patterns.some((pattern) => pattern.test(url));
  };
}
