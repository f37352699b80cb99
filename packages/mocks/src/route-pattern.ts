/**
 * What msw matches for a route of the mock. A base with `*` (Marketing Cloud's tenant hosts
 * by default) becomes a RegExp anchored on the whole URL, in which each `*` is exactly one host
 * label: msw's own string patterns turn `*` into `(.*)`, unanchored, so
 * `https://*.rest.marketingcloudapis.com` would also answer
 * `https://evil.example/x.rest.marketingcloudapis.com`. msw 2 and 3 both test a RegExp against
 * the request's origin and path (without the query), so one pattern serves both.
 */
import { ESTABLISH_PATH } from "@sfmc-contacts/rules";
import type { ContactsMockOptions } from "./options.js";

/** Marketing Cloud's tenant hosts: the mock's default bases, `*` the tenant's subdomain. */
export const TENANT_BASES: { readonly rest: string; readonly auth: string } = {
  rest: "https://*.rest.marketingcloudapis.com",
  auth: "https://*.auth.marketingcloudapis.com",
};

/** The path of each route of the mock. */
export const ROUTE_PATHS = { establish: ESTABLISH_PATH, token: "/v2/token" } as const;

/** One host label: what a `*` of a base stands for. */
const LABEL = "[A-Za-z0-9-]+";
const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: "80", https: "443" };
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/**
 * The msw matcher of `path` under a configured `base`: for a base with `*`, an anchored RegExp in
 * which each `*` stands for exactly one host label; for any other base, msw's own string pattern
 * `${base}${path}` (an exact URL, or a path on the page's origin). Throws a `TypeError` naming
 * `option` when a `*` stands anywhere but as a whole host label of an absolute http(s) URL.
 */
export function routePattern(base: string, path: string, option: string): string | RegExp {
  const trimmed = base.replace(/\/+$/, "");
  if (!trimmed.includes("*")) return `${trimmed}${path}`;
  const refuse = (where: string): never => {
    throw new TypeError(
      `${option}: "*" may stand only for one whole host label of an absolute http(s) URL, as in ${TENANT_BASES.rest}; ${where}, got ${JSON.stringify(base)}`,
    );
  };
  const parts = /^(https?):\/\/([^/?#]*)(\/[^?#]*)?$/i.exec(trimmed);
  if (!parts) return refuse("this is not an absolute http(s) URL without query or fragment");
  const scheme = (parts[1] as string).toLowerCase();
  const authority = parts[2] as string;
  const basePath = parts[3] ?? "";
  if (authority.includes("@")) return refuse("a base carries no user name or password");
  if (basePath.includes("*")) return refuse("it cannot stand in the path");
  const portAt = authority.lastIndexOf(":");
  const host = portAt < 0 ? authority : authority.slice(0, portAt);
  const port = portAt < 0 ? "" : authority.slice(portAt + 1);
  if (!/^\d*$/.test(port)) return refuse("it cannot stand in the port");
  const labels = host.split(".");
  for (const label of labels) {
    if (label !== "*" && !/^[A-Za-z0-9-]+$/.test(label)) return refuse("it cannot stand for part of a label");
  }
  // A URL's origin has its host in lower case and no default port: match it that way.
  const hostPattern = labels.map((label) => (label === "*" ? LABEL : escapeRegExp(label.toLowerCase()))).join("\\.");
  const portPattern = port === "" || port === DEFAULT_PORTS[scheme] ? "" : `:${Number(port)}`;
  return new RegExp(`^${scheme}:\\/\\/${hostPattern}${portPattern}${escapeRegExp(`${basePath}${path}`)}$`);
}

/**
 * The msw matcher the mock itself uses for one of its routes: with the default hosts, an anchored
 * RegExp that matches `https://<subdomain>.rest.marketingcloudapis.com/contacts/v1/establish` (or
 * `https://<subdomain>.auth.marketingcloudapis.com/v2/token`) for any subdomain of letters, digits
 * and hyphens, and nothing else: not `https://evil.example/x.rest.marketingcloudapis.com/…`, not
 * `https://x.rest.marketingcloudapis.com.evil.example/…`. Pass the mock's `baseUrl` when you gave
 * it one: each `*` of it stands for exactly one host label, and a base without `*` gives msw's own
 * string pattern. Use it for your own handlers in `server.use(...)`, instead of a string with `*`
 * (msw reads `*` as "anything", anywhere in the URL).
 *
 * @param route - `"establish"` (`POST /contacts/v1/establish`) or `"token"` (`POST /v2/token`).
 * @param baseUrl - The `baseUrl` given to the mock, if any; default Marketing Cloud's tenant hosts.
 * @throws TypeError when a `*` of `baseUrl` stands anywhere but for a whole host label.
 *
 * @example
 * ```ts
 * import { http, HttpResponse } from "msw";
 * import { establishResponse, tenantRoute } from "@sfmc-contacts/mocks";
 *
 * server.use(http.post(tenantRoute("establish"), () => HttpResponse.json(establishResponse()), { once: true }));
 * server.use(http.post(tenantRoute("token", "https://*.auth.example.com"), () => HttpResponse.error()));
 * ```
 */
export function tenantRoute(route: "establish" | "token", baseUrl?: ContactsMockOptions["baseUrl"]): string | RegExp {
  if (route !== "establish" && route !== "token") {
    throw new TypeError(`tenantRoute: route must be "establish" or "token", got ${JSON.stringify(route)}`);
  }
  const side = route === "establish" ? "rest" : "auth";
  if (baseUrl === undefined) return routePattern(TENANT_BASES[side], ROUTE_PATHS[route], "tenantRoute");
  if (typeof baseUrl === "string") return routePattern(baseUrl, ROUTE_PATHS[route], "tenantRoute: baseUrl");
  return routePattern(baseUrl[side], ROUTE_PATHS[route], `tenantRoute: baseUrl.${side}`);
}
