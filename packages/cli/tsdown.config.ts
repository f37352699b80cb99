import { packageBuild } from "../../tsdown.config.base.ts";

export default [
  packageBuild({ entry: ["src/index.ts"], platform: "node" }),
  // The bin is ESM only: node runs it directly.
  packageBuild({ entry: ["src/bin.ts"], platform: "node", format: ["esm"], dts: false, clean: false }),
];
