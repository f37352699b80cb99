/**
 * Internals of `@sfmc-contacts/client-node` for the other packages of this repository: not for
 * apps; may change in any release; used by `@sfmc-contacts/proxy`. `createForwarder` sends an
 * establish body through the Node client's rules and hands back Marketing Cloud's answer as it came.
 *
 * @example
 * ```ts
 * import { createForwarder } from "@sfmc-contacts/client-node/internal";
 *
 * const forwarder = createForwarder({ clientId, clientSecret, subdomain });
 * const reply = await forwarder.forward({ ContactKeys: ["Key1"] });
 * ```
 *
 * @packageDocumentation
 */
export { optionsFromEnv } from "./env.js";
export { createForwarder, type Forwarder, type ForwardOptions } from "./forward.js";
