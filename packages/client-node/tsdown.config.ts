import { packageBuild } from "../../tsdown.config.base.ts";

export default packageBuild({ entry: ["src/index.ts", "src/internal.ts"] });
