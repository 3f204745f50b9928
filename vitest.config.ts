import { defineConfig } from 'vitest/config';

// Three kinds of tests, one command (`npm test` runs them all):
//  - unit: pure logic and adapters against mocks/fakes, fast and parallel;
//  - integration: real HTTP/TLS servers on loopback (the store's DynamoDB tests run dynalite in unit);
//  - lab: network namespaces, real DNS servers, kernel NAT and tcpdump (root). Serial: one lab at a time.
// Tests whose prerequisite is missing skip with a printed reason, and fail when CI=true (test/support/prerequisites.ts).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/cdk/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'lab',
          include: ['test/lab/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
