import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Radio simulations and hub processes are CPU-heavy; 2 cores on a Pi-class CI box.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
