// The custom commands of test/support/browser-stack.ts, as the page calls them.
import type { ProxyCommands } from "../support/browser-stack.js";

declare module "vitest/browser" {
  interface BrowserCommands extends ProxyCommands {}
}
