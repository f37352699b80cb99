import { packageBuild } from "../../tsdown.config.base.ts";

export default packageBuild();
