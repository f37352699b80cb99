// Evidence for transport-auto.md: can a library tell, at each request, that the global fetch is Node's
// own and nothing intercepts below it? Runs each scenario and prints what the check says.
//   node docs/proposals/detect-interception.mjs   (after pnpm install; from the repository root)
import { createRequire } from "node:module";
import { types } from "node:util";
const require = createRequire(new URL("../../packages/client-node/package.json", import.meta.url));
const { setupServer } = require("msw/node");
const { http, HttpResponse } = require("msw");
const undici = require("undici");

const DISPATCHER = Symbol.for("undici.globalDispatcher.1");
const INTERCEPTORS = ["fetch-interceptor", "client-request-interceptor"].map((name) => Symbol.for(name));
/** Node's own global fetch: its source is Node's lazy loader of its bundled undici, and it is no Proxy. */
const isNodeFetch = (f) =>
  typeof f === "function" && !types.isProxy(f) && /internal\/deps\/undici\/undici/.test(Function.prototype.toString.call(f));
/** The global dispatcher: absent (Node makes its default on first use) or a plain Agent. */
const dispatcherKind = () => {
  const d = globalThis[DISPATCHER];
  return d === undefined ? "none yet" : d?.constructor?.name;
};
const check = () => ({
  nodeFetch: isNodeFetch(globalThis.fetch),
  interceptorRegistered: INTERCEPTORS.filter((s) => globalThis[s] !== undefined).map((s) => s.description),
  globalDispatcher: dispatcherKind(),
});
const verdict = (c) => (c.nodeFetch && c.interceptorRegistered.length === 0 && ["none yet", "Agent"].includes(c.globalDispatcher) ? "FAST PATH (undici)" : "fetch");
const show = (label) => {
  const c = check();
  console.log(`${label.padEnd(58)} ${JSON.stringify(c)} -> ${verdict(c)}`);
};

const pristine = globalThis.fetch;
show("pristine process");
const server = setupServer(http.post("https://x.test/*", () => HttpResponse.json({})));
show("msw setupServer created, not listening");
server.listen({ onUnhandledRequest: "error" });
show("msw server.listen()");
server.close();
show("msw server.close()");
globalThis.fetch = async (input, init) => pristine(input, init);
show("globalThis.fetch = wrapper (fetch-mock, vi.stubGlobal, hand stub)");
globalThis.fetch = new Proxy(pristine, {});
show("globalThis.fetch = new Proxy(fetch, ...)");
globalThis.fetch = pristine.bind(globalThis);
show("globalThis.fetch = fetch.bind(globalThis)");
globalThis.fetch = pristine;
show("globalThis.fetch restored");
await fetch("data:,x").catch(() => {});
show("after Node's fetch made its default dispatcher");
const mockAgent = new undici.MockAgent();
undici.setGlobalDispatcher(mockAgent);
show("undici MockAgent as global dispatcher");
undici.setGlobalDispatcher(new undici.ProxyAgent("http://127.0.0.1:3128"));
show("undici ProxyAgent as global dispatcher");
undici.setGlobalDispatcher(new undici.Agent({ connect: { rejectUnauthorized: true } }));
show("undici Agent with options as global dispatcher (*)");
