/**
 * The one build configuration every published package uses: ESM + CJS with `.d.mts` / `.d.cts`,
 * fixed extensions, no bundled dependencies. A package's tsdown.config.ts calls `packageBuild()`,
 * passing only what differs (extra entries, platform).
 */
import { defineConfig, type UserConfig } from "tsdown";

export function packageBuild(overrides: UserConfig = {}): UserConfig {
  return defineConfig({
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    fixedExtension: true,
    clean: true,
    target: "es2022",
    platform: "neutral",
    sourcemap: false,
    ...overrides,
  });
}
