import type { SpecClientOptions } from "@sfmc-contacts/core/openapi-fetch";
import type { paths } from "@sfmc-contacts/types";
import type { Client, Middleware } from "openapi-fetch";

/**
 * An openapi-fetch client whose code loads on first use. Apps that only call `establish` never
 * download openapi-fetch; `raw` calls and clients with middleware load it once, on demand.
 * `use` and `eject` edit the middleware list, which the client gets when it loads (or at once,
 * once it has).
 * @internal
 */
export function lazyClient(options: SpecClientOptions, middleware: Middleware[]): Client<paths> {
  let client: Client<paths> | undefined;
  let loading: Promise<Client<paths>> | undefined;
  const ready = () =>
    (loading ??= import("@sfmc-contacts/core/openapi-fetch").then(({ createSpecClient }) => {
      client = createSpecClient(options);
      client.use(...middleware);
      return client;
    }));
  return new Proxy({} as Client<paths>, {
    get: (_, method: keyof Client<paths>) =>
      method === "use" || method === "eject"
        ? (...changed: Middleware[]) => {
            for (const m of changed)
              method === "use" ? middleware.push(m) : middleware.splice(middleware.indexOf(m) >>> 0, 1);
            client?.[method](...changed);
          }
        : async (...args: unknown[]) => ((await ready())[method] as (...a: unknown[]) => unknown)(...args),
  });
}
