import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/setup/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Builds are CPU-heavy; two cores are all CI has.
    maxWorkers: 2,
    // Browser tests time real requests on a shared 2-core machine: in CI, one more try before a
    // timing check counts as failed. A test that fails twice is still a failure.
    retry: process.env.CI ? 1 : 0,
  },
})
