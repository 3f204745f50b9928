/**
 * DNS-CAPTURE hop attribution: each probe query (unique name, UDP) is looked for in the probe
 * pod's capture and in the node agents' captures on the CoreDNS nodes, and every query that
 * went unanswered is placed at the hop where it was lost. Runs in the probe (its own capture
 * only: provisional) and again at collect time with the node agents' captures.
 *
 * @see https://docs.aws.amazon.com/eks/latest/userguide/troubleshooting.html
 */
import { z } from 'zod';
import { makeResult } from '../catalog/index.js';
import type { CapturedPacket, CheckResult, ProbeQuery, RunnerResult } from '../schema/index.js';
import { CAPTURE_HOPS } from '../diagnosis/evidence-conventions.js';
import type { CaptureHop } from '../diagnosis/evidence-conventions.js';
import { PROBE_LABEL, isProbeName, normaliseName } from '../dns/index.js';
import { nodeAgentsNoteOf } from './node-agents.js';

/**
 * What the probe learnt about the DNS data path (written under `observations.discovery`), so the
 * collector knows which node each target lives on without asking the cluster again.
 */
export const probeDiscoverySchema = z.looseObject({
  clusterIp: z.string().optional(),
  endpoints: z
    .array(z.looseObject({ ip: z.string(), pod: z.string().optional(), nodeName: z.string().optional() }))
    .optional(),
  nodeLocal: z.looseObject({ address: z.string(), interceptsClusterIP: z.boolean().optional() }).optional(),
});
export type ProbeDiscovery = z.infer<typeof probeDiscoverySchema>;

/** `reason` and the one-line `summary` of an ERROR or SKIPPED result (the same sentence). */
const withSummary = (reason: string): { reason: string; summary: string } => ({ reason, summary: reason });

/** Hops in words, for the summary. */
const HOP_WORDS: Record<CaptureHop, string> = {
  [CAPTURE_HOPS.neverReachedCorednsNode]: 'left the client and never reached a CoreDNS node',
  [CAPTURE_HOPS.reachedCorednsNoAnswer]: 'reached the CoreDNS node, no answer',
  [CAPTURE_HOPS.answerNeverCameBack]: 'answered, the answer never came back',
};

/** Examples kept per hop in evidence. */
const EXAMPLES_PER_HOP = 10;

type Verdict = 'answered' | CaptureHop | 'hop-unknown' | 'not-seen-leaving';

interface Example {
  readonly name: string;
  readonly type: string;
  readonly server: string;
  readonly pod?: string;
  readonly node?: string;
}

const key = (name: string, type: string, id: number): string => `${normaliseName(name)}|${type}|${id}`;

function index(packets: readonly CapturedPacket[]): { queries: Set<string>; responses: Set<string> } {
  const queries = new Set<string>();
  const responses = new Set<string>();
  for (const p of packets) {
    if (p.name === undefined || p.type === undefined) continue;
    (p.qr === 'query' ? queries : responses).add(key(p.name, p.type, p.dnsId));
  }
  return { queries, responses };
}

/**
 * Correlates the probe's queries with its own capture and the node agents' captures into the
 * `DNS-CAPTURE` result. With no node results (the probe's provisional run) a lost query's hop
 * cannot be named: the check is then ERROR with the counts, never a guessed FAIL.
 *
 * Evidence: `lostAt` (hop → count, read by the diagnosis), `lostViaClusterIp` (the part of
 * `lostAt` sent to the kube-dns ClusterIP, read by the diagnosis), `counts`, `examples` per hop,
 * `nodesCaptured`, `resources` (pods/nodes at fault), `notes` — the first one, whatever the status,
 * says whether the node agents were Ready when the probe started (`observations.nodeAgents`, when
 * the probe waited for them).
 */
export function correlateCapture(probe: RunnerResult, nodes: readonly RunnerResult[]): CheckResult {
  const probeCapture = probe.observations.capture;
  const parsedDiscovery = probeDiscoverySchema.safeParse(
    (probe.observations as Record<string, unknown>).discovery,
  );
  const discovery: ProbeDiscovery = parsedDiscovery.success ? parsedDiscovery.data : {};
  // whether the node agents were Ready when the probe started sending (when it waited for them)
  const agentsNote = nodeAgentsNoteOf(probe.observations as Record<string, unknown>);
  const agentsNotes = agentsNote !== undefined ? { notes: [agentsNote] } : {};
  if (!probeCapture) {
    return makeResult('DNS-CAPTURE', {
      status: 'ERROR',
      evidence: { ...withSummary('the probe reported no capture'), ...agentsNotes },
    });
  }
  if ((probeCapture as { disabled?: unknown }).disabled === true) {
    return makeResult('DNS-CAPTURE', {
      status: 'SKIPPED',
      evidence: { ...withSummary(probeCapture.error ?? 'capture disabled for this run'), ...agentsNotes },
    });
  }
  if (probeCapture.error !== undefined && probeCapture.packets.length === 0) {
    return makeResult('DNS-CAPTURE', {
      status: 'ERROR',
      evidence: { ...withSummary(`the probe pod's capture failed: ${probeCapture.error}`), ...agentsNotes },
    });
  }

  const all = probe.observations.queries ?? [];
  const followed = all.filter(
    (q): q is ProbeQuery & { dnsId: number } =>
      q.transport === 'udp' && isProbeName(q.name) && typeof (q as { dnsId?: unknown }).dnsId === 'number',
  );
  if (followed.length === 0) {
    return makeResult('DNS-CAPTURE', {
      status: 'ERROR',
      evidence: {
        ...withSummary('no uniquely named UDP probe queries to follow'),
        queriesLogged: all.length,
        ...agentsNotes,
      },
    });
  }

  const client = index(probeCapture.packets);
  const nodeCaptures = nodes
    .map((n) => ({ node: n.nodeName ?? '(unnamed node)', capture: n.observations.capture }))
    .filter(
      (n) => n.capture !== undefined && !(n.capture.error !== undefined && n.capture.packets.length === 0),
    )
    .map((n) => ({ node: n.node, ...index(n.capture?.packets ?? []) }));
  const failedNodeCaptures = nodes
    .filter(
      (n) =>
        !n.observations.capture ||
        (n.observations.capture.error !== undefined && n.observations.capture.packets.length === 0),
    )
    .map((n) => ({
      node: n.nodeName ?? '(unnamed node)',
      reason: n.observations.capture?.error ?? 'no capture reported',
    }));
  const captured = new Set(nodeCaptures.map((n) => n.node));
  const endpoints = discovery.endpoints ?? [];
  const endpointByIp = new Map(endpoints.map((e) => [e.ip, e]));
  const corednsNodes = new Set(endpoints.map((e) => e.nodeName).filter((n): n is string => n !== undefined));
  const nodeLocalPath = (server: string): boolean =>
    server === discovery.nodeLocal?.address ||
    (server === discovery.clusterIp && discovery.nodeLocal?.interceptsClusterIP === true);

  /** Whether the node captures cover every node a query to `server` could have reached. */
  const covered = (server: string): boolean => {
    if (nodeCaptures.length === 0 || nodeLocalPath(server)) return false;
    const ep = endpointByIp.get(server);
    if (ep) return ep.nodeName !== undefined && captured.has(ep.nodeName);
    if (server === discovery.clusterIp)
      return corednsNodes.size > 0 && [...corednsNodes].every((n) => captured.has(n));
    return false;
  };

  const counts: Record<Verdict, number> = {
    answered: 0,
    [CAPTURE_HOPS.neverReachedCorednsNode]: 0,
    [CAPTURE_HOPS.reachedCorednsNoAnswer]: 0,
    [CAPTURE_HOPS.answerNeverCameBack]: 0,
    'hop-unknown': 0,
    'not-seen-leaving': 0,
  } as Record<Verdict, number>;
  const examples: Partial<Record<Verdict, Example[]>> = {};
  // Losses of queries sent to the kube-dns ClusterIP, per hop (a subset of `lostAt`): a ClusterIP
  // query that never reached a CoreDNS node may not have been translated at all (kube-proxy).
  const lostViaClusterIp: Partial<Record<CaptureHop, number>> = {};
  const atFault = new Set<string>();
  let oneSidedPairLosses = 0;
  // Losses per hop that were one half of an A/AAAA pair whose twin was answered (a subset of
  // `lostAt`): under the conntrack-race signature (DNS-LATENCY) they are the race's, not a pod's
  // or the network path's.
  const oneSidedAt: Partial<Record<CaptureHop, number>> = {};
  // Losses per server address and hop (the diagnosis matches them to DNS-LATENCY's targets).
  const lostByServer: Record<string, Partial<Record<CaptureHop, number>>> = {};
  // Zones (a probe name's zone, else the name) that fail through every CoreDNS pod asked
  // directly: no pod gave an answer other than SERVFAIL. A query for such a name lost after it
  // reached the CoreDNS node is the upstream's hop, not the pod's (checks.md § B, DNS-CAPTURE).
  const zoneOf = (name: string): string => {
    const labels = name.toLowerCase().replace(/\.$/, '').split('.');
    const at = labels.indexOf(PROBE_LABEL);
    return at < 0 ? labels.join('.') : labels.slice(at + 1).join('.');
  };
  const askedPods = new Map<string, Set<string>>();
  const answeringPods = new Map<string, Set<string>>();
  for (const q of all) {
    if (!endpointByIp.has(q.server)) continue;
    const zone = zoneOf(q.name);
    (askedPods.get(zone) ?? askedPods.set(zone, new Set()).get(zone))?.add(q.server);
    if (q.latencyMs !== undefined && q.rcode !== 'SERVFAIL')
      (answeringPods.get(zone) ?? answeringPods.set(zone, new Set()).get(zone))?.add(q.server);
  }
  const failsThroughEveryPod = (name: string): boolean => {
    const zone = zoneOf(name);
    return (askedPods.get(zone)?.size ?? 0) > 0 && (answeringPods.get(zone)?.size ?? 0) === 0;
  };
  // Losses per hop of names that fail through every pod (a subset of `lostAt`).
  const upstreamAt: Partial<Record<CaptureHop, number>> = {};
  const answeredKeys = new Set(
    followed
      .filter((q) => q.latencyMs !== undefined)
      .map((q) => `${q.pairId as string | undefined}|${q.pairIndex as number | undefined}`),
  );

  for (const q of followed) {
    const k = key(q.name, q.type, q.dnsId);
    const answeredByClient = q.latencyMs !== undefined || client.responses.has(k);
    let verdict: Verdict;
    let node: string | undefined;
    if (answeredByClient) verdict = 'answered';
    else if (!client.queries.has(k)) verdict = 'not-seen-leaving';
    else {
      const reached = nodeCaptures.find((n) => n.queries.has(k));
      const answeredAt = nodeCaptures.find((n) => n.responses.has(k));
      if (answeredAt) {
        verdict = CAPTURE_HOPS.answerNeverCameBack;
        node = answeredAt.node;
      } else if (reached) {
        verdict = CAPTURE_HOPS.reachedCorednsNoAnswer;
        node = reached.node;
      } else if (covered(q.server)) verdict = CAPTURE_HOPS.neverReachedCorednsNode;
      else verdict = 'hop-unknown';
    }
    counts[verdict] += 1;
    if (verdict === 'answered') continue;
    const isHop = (Object.values(CAPTURE_HOPS) as Verdict[]).includes(verdict);
    const oneSided =
      typeof q.pairId === 'string' && answeredKeys.has(`${q.pairId}|${1 - Number(q.pairIndex)}`);
    if (isHop) {
      const hop = verdict as CaptureHop;
      if (q.server === discovery.clusterIp) lostViaClusterIp[hop] = (lostViaClusterIp[hop] ?? 0) + 1;
      const byServer = (lostByServer[q.server] ??= {});
      byServer[hop] = (byServer[hop] ?? 0) + 1;
      if (oneSided) oneSidedAt[hop] = (oneSidedAt[hop] ?? 0) + 1;
    }
    const upstreams = verdict === CAPTURE_HOPS.reachedCorednsNoAnswer && failsThroughEveryPod(q.name);
    if (upstreams)
      upstreamAt[CAPTURE_HOPS.reachedCorednsNoAnswer] =
        (upstreamAt[CAPTURE_HOPS.reachedCorednsNoAnswer] ?? 0) + 1;
    const ep = endpointByIp.get(q.server);
    const example: Example = {
      name: q.name,
      type: q.type,
      server: q.server,
      ...(ep?.pod ? { pod: ep.pod } : {}),
      ...(node ? { node } : {}),
    };
    const list = (examples[verdict] ??= []);
    if (list.length < EXAMPLES_PER_HOP) list.push(example);
    // a pod (or node) is at fault for what it left unanswered — not for one half of an A/AAAA
    // pair whose twin it answered (the conntrack-race signature's, see DNS-LATENCY)
    // — nor for a name that fails through every pod (the upstream behind them all)
    if (verdict === CAPTURE_HOPS.reachedCorednsNoAnswer && !oneSided && !upstreams) {
      if (ep?.pod) atFault.add(ep.pod);
      else if (node) atFault.add(node);
    }
    if (oneSided) oneSidedPairLosses += 1;
  }

  const lostAt: Partial<Record<CaptureHop, number>> = {};
  for (const hop of Object.values(CAPTURE_HOPS)) if (counts[hop] > 0) lostAt[hop] = counts[hop];
  const truncatedExamples = Object.entries(examples).some(
    ([v, list]) => (list?.length ?? 0) < counts[v as Verdict],
  );
  const notes: string[] = agentsNote !== undefined ? [agentsNote] : [];
  if (counts['not-seen-leaving'] > 0)
    notes.push(
      `${counts['not-seen-leaving']} unanswered quer${counts['not-seen-leaving'] === 1 ? 'y was' : 'ies were'} not seen leaving the probe pod (capture gap or local drop)`,
    );
  if (oneSidedPairLosses > 0)
    notes.push(
      `${oneSidedPairLosses} lost quer${oneSidedPairLosses === 1 ? 'y was' : 'ies were'} one half of an A/AAAA pair whose twin was answered (see DNS-LATENCY's pair statistics)`,
    );
  const upstreamTotal = Object.values(upstreamAt).reduce((a, b) => a + (b ?? 0), 0);
  if (upstreamTotal > 0)
    notes.push(
      `${upstreamTotal} lost quer${upstreamTotal === 1 ? 'y' : 'ies'} reached the CoreDNS node for a name that fails through every CoreDNS pod: the upstream's hop, not the pods' (see DNS-EXTERNAL)`,
    );
  if (probeCapture.truncated) notes.push("the probe pod's capture was truncated");
  if (probeCapture.error) notes.push(`probe capture: ${probeCapture.error}`);
  for (const f of failedNodeCaptures) notes.push(`node ${f.node}: capture unavailable (${f.reason})`);
  const excluded = all.length - followed.length;
  if (excluded > 0)
    notes.push(
      `${excluded} quer${excluded === 1 ? 'y' : 'ies'} not followed (TCP, or names not unique to the probe)`,
    );

  const lostTotal = Object.values(lostAt).reduce((a, b) => a + (b ?? 0), 0);
  const hopText = (Object.entries(lostAt) as [CaptureHop, number][])
    .map(([hop, n]) => `${n} ${HOP_WORDS[hop]}`)
    .join(', ');
  const oneSidedTotal = Object.values(oneSidedAt).reduce((a, b) => a + (b ?? 0), 0);
  const unattributedCount = counts['hop-unknown'] + counts['not-seen-leaving'];
  const summary =
    lostTotal > 0
      ? `${lostTotal} of ${followed.length} followed queries lost: ${hopText}${oneSidedTotal ? ` (${oneSidedTotal} one half of an A/AAAA pair whose twin was answered)` : ''}${atFault.size ? `; at ${[...atFault].sort().join(', ')}` : ''}`
      : unattributedCount > 0
        ? `${counts.answered} of ${followed.length} followed queries answered; ${unattributedCount} unanswered at a hop the captures cannot name`
        : `${counts.answered} of ${followed.length} followed queries answered, none lost (${nodeCaptures.length} CoreDNS node capture(s))`;
  const evidence = {
    summary,
    followed: followed.length,
    counts,
    lostAt,
    lostViaClusterIp,
    oneSidedPairLosses: oneSidedAt,
    upstreamLosses: upstreamAt,
    lostByServer,
    ...(probe.nodeName ? { clientNode: probe.nodeName } : {}),
    examples,
    nodesCaptured: [...captured].sort(),
    corednsNodes: [...corednsNodes].sort(),
    provisional: nodes.length === 0,
    probeCapturePackets: probeCapture.packets.length,
    ...(atFault.size ? { resources: [...atFault].sort() } : {}),
    ...(truncatedExamples ? { truncated: true } : {}),
    ...(notes.length ? { notes } : {}),
  };
  const lost = Object.values(lostAt).reduce((a, b) => a + (b ?? 0), 0);
  if (lost > 0) return makeResult('DNS-CAPTURE', { status: 'FAIL', evidence });
  const unattributed = counts['hop-unknown'] + counts['not-seen-leaving'];
  if (unattributed > 0)
    return makeResult('DNS-CAPTURE', {
      status: 'ERROR',
      evidence: {
        ...evidence,
        ...withSummary(
          nodeCaptures.length === 0
            ? `${unattributed} probe quer${unattributed === 1 ? 'y' : 'ies'} went unanswered and no CoreDNS-node capture is available to name the hop`
            : `${unattributed} probe quer${unattributed === 1 ? 'y' : 'ies'} went unanswered on paths the node captures do not cover`,
        ),
      },
    });
  return makeResult('DNS-CAPTURE', { status: 'PASS', evidence });
}
