import { packageBuild } from "../../tsdown.config.base.ts";

export default packageBuild({
  entry: ["src/index.ts", "src/node.ts", "src/browser.ts", "src/http-server.ts"],
});
