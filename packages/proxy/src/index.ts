/**
 * `@sfmc-contacts/proxy`: the server half of `@sfmc-contacts/client-browser`. One Fetch API
 * handler, `createContactsProxy({ authorize })`, lets signed-in users establish contacts through
 * your backend: one route, validated with the service's own rules, capped, authorised per
 * request, with Marketing Cloud's own answers passed back and its token never exposed.
 * `toNodeListener` adapts it to `node:http` and Express.
 *
 * @example
 * ```ts
 * import { createContactsProxy, toNodeListener } from "@sfmc-contacts/proxy";
 * ```
 *
 * @packageDocumentation
 */
export { type ContactsProxy, createContactsProxy } from "./create-proxy.js";
export type { ProxyEvent, ProxyResponseReason } from "./events.js";
export { type NodeListener, type NodeRequestLike, type NodeResponseLike, toNodeListener } from "./node-listener.js";
export type { Authorize, AuthorizeDecision, ContactsProxyOptions, ProxyUpstreamOptions } from "./options.js";
