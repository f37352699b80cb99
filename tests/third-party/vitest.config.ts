import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Hang guards, not speed limits: each file starts Prism (about 2 s on an idle machine, several
    // times that beside a CPU hog on 2 cores), and a call goes through three loopback hops.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Offline whatever the machine's proxy settings: fuel-rest (`request`) and sfmc-sdk (axios)
    // honour HTTP(S)_PROXY and ALL_PROXY, in either case, and would send their calls to the proxy,
    // or as absolute-form requests to the front door. NO_PROXY="*" covers any variable left over.
    env: {
      HTTP_PROXY: "",
      http_proxy: "",
      HTTPS_PROXY: "",
      https_proxy: "",
      ALL_PROXY: "",
      all_proxy: "",
      NO_PROXY: "*",
      no_proxy: "*",
    },
  },
});
