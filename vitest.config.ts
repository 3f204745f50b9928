import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Three kinds of tests, one command (`npm test` runs them all):
//  - unit: pure logic and adapters against mocks/fakes, fast and parallel;
//  - integration: real HTTP/TLS servers on loopback (the store's DynamoDB tests run dynalite in unit);
//    serial, after the others: their deadlines and latencies are measured on a quiet machine;
//  - lab: network namespaces, real DNS servers, kernel NAT and tcpdump (root). Each lab is its own
//    namespaces under a per-run prefix (lab.md: "two runs never collide"; nothing changes in the root
//    namespace), so the lab files run beside each other and beside the unit files.
// Tests whose prerequisite is missing skip with a printed reason, and fail when CI=true (test/support/prerequisites.ts).
//
// Workers: vitest's default is one per core less one — a single worker on the 2-core CI machine,
// so every file ran after the other although much of the time they wait (spawned processes,
// servers, timers, a lab scan). At least two: the lab's scenarios (the longest file, the critical
// path) keep one worker, the other lab files and the unit files share the rest. Unit and lab run
// together (the same `sequence.groupOrder` and worker count); integration, with file parallelism
// off, runs alone after them. Not more than the cores on a 2-core machine: a lab's probe judges
// latencies, and an oversubscribed machine is what makes those (and the timeouts) flaky.
const WORKERS = Math.max(2, availableParallelism());

export default defineConfig({
  test: {
    maxWorkers: WORKERS,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 20_000,
          // a limit, not a measurement: the unit files share the cores with a lab now
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
        },
      },
    ],
  },
});
