import { packageBuild } from "../../tsdown.config.base.ts";

export default packageBuild({
  entry: ["src/index.ts", "src/node.ts", "src/browser.ts", "src/http-server.ts"],
  // The Jest preset (`@sfmc-contacts/mocks/jest`) is plain CommonJS that Jest loads as it is.
  copy: ["src/jest/jest-preset.cjs", "src/jest/jest-preset.d.cts", "src/jest/jest-transform.cjs"],
});
