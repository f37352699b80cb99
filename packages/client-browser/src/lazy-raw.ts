import type { SpecClientOptions } from "@sfmc-contacts/core/openapi-fetch";
import type { paths } from "@sfmc-contacts/types";
import type { Client, Middleware } from "openapi-fetch";

/**
 * An openapi-fetch client whose code loads on first use. Apps that only call `establish` never
 * download openapi-fetch; `raw` calls and clients with middleware load it once, on demand.
 * `use` and `eject` before it loads are replayed on it, in order, when it loads.
 * @internal
 */
export function lazyClient(options: SpecClientOptions, middleware: Middleware[]): Client<paths> {
  let client: Client<paths> | undefined;
  let loading: Promise<Client<paths>> | undefined;
  // Until the client loads, use() and eject() are recorded, then replayed on it in order.
  const edits: Array<["use" | "eject", Middleware[]]> = [["use", middleware]];
  const ready = () =>
    (loading ??= import("@sfmc-contacts/core/openapi-fetch").then(({ createSpecClient }) => {
      client = createSpecClient(options);
      for (const [edit, changed] of edits) client[edit](...changed);
      return client;
    }));
  return new Proxy({} as Client<paths>, {
    get: (_, method: keyof Client<paths>) =>
      method === "use" || method === "eject"
        ? (...changed: Middleware[]) => (client ? client[method](...changed) : void edits.push([method, changed]))
        : async (...args: unknown[]) => ((await ready())[method] as (...a: unknown[]) => unknown)(...args),
  });
}
