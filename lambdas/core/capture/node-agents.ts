/**
 * What the probe pod saw of the node agents before it probed (written under
 * `observations.nodeAgents` when it was asked to wait for them), and the one sentence
 * DNS-CAPTURE's evidence carries about it: a node agent that was not capturing yet leaves the
 * hops on its node unattributed, so the reader must know whether the probe waited in vain.
 */
import { z } from 'zod';

const nodeAgentPodSchema = z.looseObject({
  name: z.string(),
  nodeName: z.string().optional(),
  /** the pod's phase, for one that is not Ready */
  phase: z.string().optional(),
});

export const nodeAgentsObservationSchema = z.looseObject({
  /** the label selector the node agents were listed with */
  selector: z.string(),
  namespace: z.string(),
  /** matching pods with condition Ready=True at the last successful listing */
  ready: z.array(nodeAgentPodSchema),
  /** matching pods without it */
  notReady: z.array(nodeAgentPodSchema),
  /** from the probe's start until it stopped waiting */
  waitedMs: z.number().nonnegative(),
  /** the deadline passed before every matching pod (and at least one) was Ready */
  timedOut: z.boolean(),
  /** why the pods could not be listed (the last failure), when they could not */
  error: z.string().optional(),
});
export type NodeAgentsObservation = z.infer<typeof nodeAgentsObservationSchema>;
export type NodeAgentPod = z.infer<typeof nodeAgentPodSchema>;

/** `1.3 s`, `60 s`. */
function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

const MAX_NAMED = 5;

/** `fleet-dns-node-abc (on ip-10-0-1-5)`, at most five of them. */
function podList(pods: readonly NodeAgentPod[]): string {
  const named = pods
    .slice(0, MAX_NAMED)
    .map((p) => `${p.name}${p.nodeName ? ` on ${p.nodeName}` : ''}${p.phase ? ` [${p.phase}]` : ''}`);
  return `${named.join(', ')}${pods.length > MAX_NAMED ? `, and ${pods.length - MAX_NAMED} more` : ''}`;
}

/** The evidence note about the node agents' readiness (see the module comment). */
export function nodeAgentsNote(n: NodeAgentsObservation): string {
  const total = n.ready.length + n.notReady.length;
  const where = `${n.selector} in ${n.namespace}`;
  if (n.error !== undefined)
    return `node agents' readiness unknown after ${seconds(n.waitedMs)} (${n.error}): probed anyway, hops on their nodes may be unattributed`;
  if (total === 0)
    return `no node agent pods matched ${where} within ${seconds(n.waitedMs)}: probed anyway, hops on the CoreDNS nodes may be unattributed`;
  if (n.notReady.length > 0 || n.timedOut)
    return `node agents not all ready after ${seconds(n.waitedMs)} (${n.ready.length} of ${total} ready; ${podList(n.notReady)} not ready): probed anyway, hops on those nodes may be unattributed`;
  return `node agents ready: ${n.ready.length} of ${total} after ${seconds(n.waitedMs)}`;
}

/** The note for a probe document, or undefined when it did not wait for node agents. */
export function nodeAgentsNoteOf(observations: Record<string, unknown>): string | undefined {
  if (observations.nodeAgents === undefined) return undefined;
  const parsed = nodeAgentsObservationSchema.safeParse(observations.nodeAgents);
  return parsed.success
    ? nodeAgentsNote(parsed.data)
    : 'node agents: the probe reported their readiness in an unreadable form';
}
