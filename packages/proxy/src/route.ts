/**
 * Which requests reach the establish route. The handler compares the URL's pathname with the one
 * path it serves byte for byte, with no decoding. Every Fetch runtime has already normalised the
 * URL (`..` and `%2e%2e` resolved, `\` turned into `/`) before the handler sees it, so the raw
 * request target is checked too where an adapter can hand it over: `toNodeListener` puts it on
 * the request under {@link RAW_TARGET}. A symbol cannot come from the network, so a caller cannot
 * forge it.
 */
import { ContactsValidationError } from "@sfmc-contacts/core";
import { ESTABLISH_PATH } from "@sfmc-contacts/rules";

/** The default base path: the browser client then uses `baseUrl: "/api/sfmc"`. */
export const DEFAULT_BASE_PATH = "/api/sfmc";

/**
 * Where an adapter puts the raw request target (the path and query as the client sent them,
 * before any normalisation) on the `Request` it builds.
 */
export const RAW_TARGET: symbol = Symbol.for("@sfmc-contacts/proxy.raw-target");

// One segment of a base path: unreserved characters only, so the path needs no encoding and
// compares byte for byte with what a client sends.
const BASE_SEGMENT = /^[A-Za-z0-9._~-]+$/;

/**
 * The base path as the proxy uses it: `""` or `/seg(/seg)*`. `"/"` alone reads as `""`. Throws a
 * {@link ContactsValidationError} for anything else.
 */
export function checkBasePath(value: unknown): string {
  if (value === undefined) return DEFAULT_BASE_PATH;
  if (value === "/" || value === "") return "";
  const problem =
    typeof value !== "string"
      ? "it is not a string"
      : !value.startsWith("/")
        ? 'it does not start with "/"'
        : value.endsWith("/")
          ? 'it ends with "/"'
          : value
              .slice(1)
              .split("/")
              .map((segment) =>
                segment === "." || segment === ".."
                  ? `it has a "${segment}" segment`
                  : BASE_SEGMENT.test(segment)
                    ? undefined
                    : `the segment ${JSON.stringify(segment)} is empty or has a character other than A-Z a-z 0-9 . _ ~ -`,
              )
              .find((found) => found !== undefined);
  if (problem === undefined) return value as string;
  throw new ContactsValidationError(
    `basePath ${safeText(value)} cannot be used: ${problem}. Give "" or a path such as "/api/sfmc" (segments of A-Z a-z 0-9 . _ ~ -, no trailing "/").`,
    { reason: "basePath" },
  );
}

const safeText = (value: unknown): string => {
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, 100);
  } catch {
    return `[${typeof value}]`;
  }
};

/** The one path the proxy answers: `${basePath}/contacts/v1/establish`. */
export function establishPath(basePath: string): string {
  return `${basePath}${ESTABLISH_PATH}`;
}

// A dot segment in any spelling: ".", "..", "%2e", ".%2E", "%2e%2e" ...
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;
const ENCODED_SEPARATOR = /%(?:2f|5c)/i;

/**
 * Why a raw request target cannot be the establish route, or `undefined` when it may be:
 * - not in origin form (`*`, `http://host/...`, anything not starting with `/`);
 * - a leading `//` (a network-path reference to a URL parser);
 * - a backslash (a parser turns it into `/`);
 * - a `.` or `..` segment in any mix of `.` and `%2e` (any case);
 * - an encoded `/` or `\` (`%2f`, `%5c`, any case).
 *
 * Only the path is checked: the query is never read or forwarded.
 */
export function rawTargetProblem(target: string): string | undefined {
  if (!target.startsWith("/")) return "not in origin form";
  const query = target.indexOf("?");
  const path = query < 0 ? target : target.slice(0, query);
  if (path.startsWith("//")) return "starts with //";
  if (path.includes("\\")) return "has a backslash";
  // Without a "%" or a "." there is nothing more to find: the usual case, no split.
  if (!path.includes("%") && !path.includes(".")) return undefined;
  if (ENCODED_SEPARATOR.test(path)) return "has an encoded / or \\";
  if (path.split("/").some((segment) => DOT_SEGMENT.test(segment))) return "has a . or .. segment";
  return undefined;
}

/** The raw target an adapter put on the request, if any. */
export function rawTargetOf(request: Request): string | undefined {
  const value: unknown = (request as unknown as Record<symbol, unknown>)[RAW_TARGET];
  return typeof value === "string" ? value : undefined;
}

/**
 * Whether the request is for the establish route: its pathname is exactly `path` (no decoding;
 * the query is ignored), and its raw target, when an adapter gave one, has no problem.
 */
export function isEstablishRoute(request: Request, url: UrlParts, path: string): boolean {
  const raw = rawTargetOf(request);
  if (raw !== undefined && rawTargetProblem(raw) !== undefined) return false;
  return url.pathname === path;
}

/** What the proxy reads of a request's URL. */
export interface UrlParts {
  origin: string;
  pathname: string;
}

/**
 * The origin and pathname of `href`, a Request's `url`. An http(s) URL a Request serialised has
 * no user info or default port, so both are slices of it, ending at `?` or `#` (no second parse);
 * any other scheme is parsed.
 */
export function urlParts(href: string): UrlParts {
  const scheme = href.startsWith("https://") ? 8 : href.startsWith("http://") ? 7 : 0;
  if (scheme === 0) {
    const url = new URL(href);
    return { origin: url.origin, pathname: url.pathname };
  }
  // The path ends at the query or the fragment (a Request's url keeps its fragment).
  let end = href.length;
  for (let i = scheme; i < href.length; i++) {
    const char = href.charCodeAt(i);
    if (char === 0x3f || char === 0x23) {
      end = i;
      break;
    }
  }
  const start = href.indexOf("/", scheme);
  // A serialised http(s) URL always has a path; "/" when it is empty.
  if (start < 0 || start > end) return { origin: href.slice(0, end), pathname: "/" };
  return { origin: href.slice(0, start), pathname: href.slice(start, end) };
}
