/**
 * The benchmark's view of the probe's query rate: tcpdump on the probe pod's veth, in its node's
 * namespace, and the busiest one-second window of the probe's port-53 queries in that capture.
 * Used by the scan through the API (run-scenario.ts) and by the runner run by hand (run-by-hand.ts).
 */
import { readFileSync } from 'node:fs';
import { parsePcap } from '../../lambdas/core/capture/index.js';
import type { LabProcess } from './exec.js';
import type { Lab } from './lab.js';

/** A running capture of the probe pod's DNS traffic. */
export interface ProbeCapture {
  /** stops tcpdump; then the probe's busiest second: queries from the probe pod in any one-second window */
  stop(): Promise<number>;
}

/**
 * The highest number of packets in any one-second window (sliding, not aligned to seconds).
 * `times` are epoch milliseconds in any order.
 */
export function maxInAnySecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= 1000) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** Starts tcpdump on the probe pod's veth (`pN` in its node) writing `pcapPath`; resolves once it listens. */
export async function startProbeCapture(lab: Lab, pcapPath: string): Promise<ProbeCapture | undefined> {
  const probeNode = lab.nodes.find((n) => n.name === lab.probePod.node);
  if (!probeNode) return undefined;
  const podIndex = lab.pods
    .filter((p) => p.node === probeNode.name)
    .findIndex((p) => p.name === lab.probePod.name);
  const capture: LabProcess = lab.spawn(probeNode.name, 'probe-capture', [
    'tcpdump',
    '-i',
    `p${podIndex + 1}`,
    '-n',
    '-U',
    '--immediate-mode',
    '-Z',
    'root',
    '-s',
    '512',
    '-w',
    pcapPath,
    'port',
    '53',
  ]);
  await capture.waitForStderr(/listening on/);
  return {
    stop: async () => {
      await capture.stop();
      const times = parsePcap(readFileSync(pcapPath))
        .packets.filter((p) => p.qr === 'query' && p.src === lab.probePod.address)
        .map((p) => p.tsMs);
      return maxInAnySecond(times);
    },
  };
}
