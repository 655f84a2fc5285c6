import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS build (graphql 16 has no "exports" map) and so do @apollo/*; Vite would pick
    // the ESM build for our own imports, and two copies of graphql refuse each other's schemas ("from another
    // module or realm"). Resolve to the same file Node does.
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // PGlite and Chromium are memory- and CPU-hungry; the machines have 2 cores.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
