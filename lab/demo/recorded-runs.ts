/**
 * Recorded runner runs: what the real runner reported in a lab scenario, kept in
 * lab/demo/recorded/<scenario>.json (written by scripts/record-demo-runs.ts, as root). The demo
 * replays them where the netns lab cannot run, so its in-cluster half still goes through the
 * dispatch, status and collect steps of a real scan — and says plainly that it is a replay.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { runnerResultSchema } from '../../lambdas/core/schema/index.js';
import type { RunnerResult } from '../../lambdas/core/schema/index.js';
import type { KubeObject } from '../fake-kube-api/index.js';
import { repoRoot } from '../repo-root.js';

const RECORDED_DIR = path.join(repoRoot(), 'lab', 'demo', 'recorded');

/** The lab scenarios the demo fleet uses (each recorded once). */
export const DEMO_RECORDED_SCENARIOS = [
  'healthy',
  'coredns-pod-dropping',
  'kube-proxy-dnat-missing',
  'upstream-slow',
] as const;
export type DemoScenario = (typeof DEMO_RECORDED_SCENARIOS)[number];

/** One recorded run: the cluster as the lab served it, and what its runner reported. */
export interface RecordedRun {
  readonly scenario: string;
  /** the objects the lab's API served (Nodes, CoreDNS pods, Services, ConfigMaps…) */
  readonly objects: readonly KubeObject[];
  /** the lab's pods: where each ran and its address (the VPC's secondary IPs) */
  readonly pods: readonly { name: string; namespace: string; node: string; address: string }[];
  /** the probe's result document, unsigned */
  readonly probe: Omit<RunnerResult, 'signature'>;
  /** each node agent's result document, unsigned */
  readonly nodes: readonly Omit<RunnerResult, 'signature'>[];
}

const recordedRunSchema = z.object({
  scenario: z.string().min(1),
  objects: z.array(z.looseObject({ apiVersion: z.string(), kind: z.string(), metadata: z.looseObject({}) })),
  pods: z.array(z.object({ name: z.string(), namespace: z.string(), node: z.string(), address: z.string() })),
  probe: runnerResultSchema,
  nodes: z.array(runnerResultSchema),
});

/**
 * The recorded run of `scenario`.
 * @throws Error naming the file when it is missing or not a recorded run
 */
export function loadRecordedRun(scenario: DemoScenario, dir = RECORDED_DIR): RecordedRun {
  const file = path.join(dir, `${scenario}.json`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`recorded runner run ${file}: ${(err as Error).message}`, { cause: err });
  }
  const checked = recordedRunSchema.safeParse(parsed);
  if (!checked.success)
    throw new Error(
      `recorded runner run ${file}: not a recorded run (${checked.error.issues[0]?.path.join('.')}: ${checked.error.issues[0]?.message})`,
    );
  return checked.data as unknown as RecordedRun;
}
