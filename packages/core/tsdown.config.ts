import { packageBuild } from "../../tsdown.config.base.ts";

export default packageBuild({
  entry: ["src/index.ts", "src/openapi-fetch.ts", "src/internal.ts", "src/throttle-entry.ts"],
});
