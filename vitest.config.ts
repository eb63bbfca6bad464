import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    globalSetup: ['./src/testing/vitest/global-setup.ts'],
    reporters: ['default', 'json', './src/testing/vitest/reporter.ts'],
    outputFile: { json: 'reports/vitest.json' },
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
