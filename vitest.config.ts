import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Three kinds of tests, one command (`npm test` runs them all):
//  - unit: pure logic and adapters against mocks/fakes, fast and parallel;
//  - integration: real HTTP/TLS servers on loopback (the store's DynamoDB tests run dynalite in unit);
//    serial, after the others: their deadlines and latencies are measured on a quiet machine;
//  - lab: network namespaces, real DNS servers, kernel NAT and tcpdump (root). Serial, after the unit
//    files: each lab is its own namespaces (lab.md: "two runs never collide"), but its probes judge
//    latencies and timeouts, and a lab beside busy unit workers on a 2-core machine misjudged a
//    healthy cluster (seen once: `unknown` instead of `healthy`).
// Tests whose prerequisite is missing skip with a printed reason, and fail when CI=true (test/support/prerequisites.ts).
//
// Workers: vitest's default is one per core less one — a single worker on the 2-core CI machine,
// so every file ran after the other although much of the time they wait (spawned processes,
// servers, timers). At least two: the unit files run on every worker; lab and integration, with
// file parallelism off, each run alone after them. Not more than the cores: an oversubscribed
// machine makes the timeouts flaky.
const WORKERS = Math.max(2, availableParallelism());

export default defineConfig({
  test: {
    maxWorkers: WORKERS,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // The files of a worker share its modules (imported once, not once per file: the unit
          // phase ~450 s → ~210 s here); what a file changes in the process is undone after it, and
          // a leaked AWS client stub fails that file (test/support/unit-file-isolation.ts).
          isolate: false,
          setupFiles: ['test/support/unit-file-isolation.ts'],
          testTimeout: 20_000,
          // a limit, not a measurement: unit files share the cores with each other now
          hookTimeout: 30_000,
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
