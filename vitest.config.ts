import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { findFreePort } from "./scripts/lib/free-port";
import { testBindings } from "./test/setup/bindings";

// Ports are chosen here because the Worker's bindings are fixed when this file loads, before
// globalSetup starts the embedded Postgres and the fakes on them.
const ports = {
  postgres: await findFreePort(),
  fakes: await findFreePort(),
};
process.env.KMS_TEST_PORTS = JSON.stringify(ports);

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: { bindings: await testBindings(ports) },
    }),
  ],
  test: {
    globalSetup: ["./test/setup/global-setup.ts"],
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
