import type { Endpoints } from "@sfmc-contacts/types";

type Route = keyof Endpoints;
type Responses<R extends Route> = Endpoints[R]["responses"];

/** A JSON `Response`, as the service sends it. */
export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/**
 * A JSON `Response` whose body is checked at compile time against the spec's type for that route
 * and status: a body that contradicts the spec does not compile.
 *
 * @example
 * ```ts
 * specJson("POST /contacts/v1/establish", 429, marketingCloudError(50100, "Rate limit exceeded.", { retryAfter: 30 }), {
 *   "retry-after": "30",
 * });
 * ```
 */
export function specJson<R extends Route, S extends keyof Responses<R> & number>(
  _route: R,
  status: S,
  body: Responses<R>[S],
  headers: Record<string, string> = {},
): Response {
  return jsonResponse(status, body, headers);
}
