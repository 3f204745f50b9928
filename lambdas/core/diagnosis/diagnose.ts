/**
 * Diagnosis: from a cluster's check results to the most likely root causes (checks.md § Diagnosis).
 * Pure and deterministic. Muted results take no part. Never returns an empty list: either
 * `healthy` alone, or one or more causes (with `unknown` for FAILs no rule explains).
 */
import type { CheckResult, Confidence, DiagnosisItem, Severity, Cause } from '../schema/results.js';
import { SEVERITIES } from '../schema/results.js';
import { CAPTURE_HOPS } from './evidence-conventions.js';
import type { CaptureHop, DiagnosisEvidence } from './evidence-conventions.js';

const CONFIDENCE_RANK: Record<Confidence, number> = { confirmed: 0, likely: 1, risk: 2 };

/**
 * The part of the in-cluster data path a cause breaks: the symptom FAILs that are consequences of
 * that same broken path are explained by it (checks.md: `unknown` is only what no row explains).
 */
interface Scope {
  /** DNS-LATENCY targets (addresses) whose timeouts this cause explains */
  targets: Set<string>;
  /** DNS-INTERNAL failing through the ClusterIP is this cause's consequence */
  internal: boolean;
  /** DNS-EXTERNAL failing through the ClusterIP is this cause's consequence */
  external: boolean;
}

interface Finding {
  cause: Cause;
  confidence: Confidence;
  checks: string[];
  resources: string[];
  summary: string;
  scope?: Scope;
}

const scopeOf = (targets: Iterable<string | undefined>, internal = false, external = false): Scope => ({
  targets: new Set([...targets].filter((t): t is string => t !== undefined)),
  internal,
  external,
});

class Lookup {
  private readonly byId = new Map<string, CheckResult>();
  constructor(checks: readonly CheckResult[]) {
    for (const c of checks) if (!c.muted) this.byId.set(c.id, c);
  }
  get(id: string): CheckResult | undefined {
    return this.byId.get(id);
  }
  is(id: string, ...statuses: CheckResult['status'][]): boolean {
    const c = this.byId.get(id);
    return c !== undefined && statuses.includes(c.status);
  }
  evidence(id: string): DiagnosisEvidence {
    return (this.byId.get(id)?.evidence ?? {}) as DiagnosisEvidence;
  }
  resources(...ids: string[]): string[] {
    const out = new Set<string>();
    for (const id of ids) for (const r of this.evidence(id).resources ?? []) out.add(r);
    return [...out];
  }
  all(): CheckResult[] {
    return [...this.byId.values()];
  }
}

/**
 * The upstream row's own triggers (checks.md § Diagnosis): which checks prove it (`confirmed`)
 * and which point to it (`likely`).
 */
function upstreamTriggers(l: Lookup): { confirmed: string[]; likely: string[]; risk: string[] } {
  const confirmed = [
    'NET-UPSTREAM-REACH',
    'NET-VPC-DNS-ATTRIBUTES',
    'NET-RESOLVER-RULES',
    'NET-DNS-FIREWALL',
  ].filter((id) => l.is(id, 'FAIL'));
  const rootForwarderDead = (l.evidence('K8S-COREDNS-COREFILE').deadForwarders ?? []).some(
    (f) => f.zone === '.',
  );
  if (l.is('K8S-COREDNS-COREFILE', 'FAIL') && rootForwarderDead) confirmed.push('K8S-COREDNS-COREFILE');
  const likely = [
    ...(l.is('DNS-INTERNAL', 'PASS') && l.is('DNS-EXTERNAL', 'FAIL') && !perEndpointBlamesPods(l)
      ? ['DNS-EXTERNAL']
      : []),
    ...(externalOnlyTimeoutTargets(l).length > 0 ? ['DNS-LATENCY'] : []),
  ];
  // external names slow while internal names are fast: nothing fails yet, the upstream is slow
  const slow = l.evidence('DNS-LATENCY').slowClasses ?? [];
  const risk =
    l.is('DNS-LATENCY', 'WARN') && slow.length === 1 && slow[0] === 'external' ? ['DNS-LATENCY'] : [];
  return { confirmed, likely, risk };
}

/**
 * DNS-LATENCY's timeout targets when every one of them lost only external names (the cluster
 * name answered there) and neither pair verdict nor a bad pod accounts for them: the upstream
 * behind every CoreDNS pod times out (checks.md § Diagnosis, `upstream`). Empty otherwise.
 */
function externalOnlyTimeoutTargets(l: Lookup): string[] {
  if (!l.is('DNS-LATENCY', 'FAIL') || perEndpointBlamesPods(l)) return [];
  const e = l.evidence('DNS-LATENCY');
  if (e.conntrackRaceSignature === true || (e.typeFilterTargets ?? []).length > 0) return [];
  const targets = e.timeoutTargets ?? [];
  const externalOnly = targets.every((t) => {
    const byTarget = e.timeoutsByTarget?.[t];
    return byTarget?.unansweredInternal === 0 && (byTarget.unansweredExternal ?? 0) > 0;
  });
  return externalOnly ? targets : [];
}

/**
 * DNS-LATENCY FAILs because one query type is always lost at some targets, paired or alone:
 * a path that drops that type, not the conntrack race (checks.md § Diagnosis). The targets.
 */
function typeFilterTargets(l: Lookup): { address: string; lostType?: 'A' | 'AAAA' }[] {
  if (!l.is('DNS-LATENCY', 'FAIL')) return [];
  return l.evidence('DNS-LATENCY').typeFilterTargets ?? [];
}

/**
 * DNS-PER-ENDPOINT attributes the failures to specific pods: it FAILs, and the external name did
 * not fail through every pod (so some pod reaches the upstream). Then an external lookup failing
 * through the ClusterIP is no evidence against the upstream: it may have landed on a bad pod.
 */
function perEndpointBlamesPods(l: Lookup): boolean {
  return (
    l.is('DNS-PER-ENDPOINT', 'FAIL') && l.evidence('DNS-PER-ENDPOINT').externalFailedThroughEveryPod !== true
  );
}

/**
 * DNS-PER-ENDPOINT failed only because the external name failed through every pod while every
 * pod answered the cluster name: the pods are fine, the upstream behind all of them is not. It
 * is the upstream's evidence when the upstream row holds on its own triggers.
 */
function perEndpointIsUpstreams(l: Lookup): boolean {
  if (!l.is('DNS-PER-ENDPOINT', 'FAIL')) return false;
  const e = l.evidence('DNS-PER-ENDPOINT');
  if (e.externalFailedThroughEveryPod !== true || e.allPodsAnswered !== true) return false;
  const { confirmed, likely } = upstreamTriggers(l);
  return confirmed.length + likely.length > 0;
}

/** The capture lost queries the upstream does not account for (another cause's to explain). */
function capturePartlyOthers(l: Lookup): boolean {
  return Object.values(CAPTURE_HOPS).some((hop) => lostCount(l, hop) > 0);
}

/** Capture losses at `hop` of names that fail through every CoreDNS pod (the upstream's). */
function upstreamCaptureLosses(l: Lookup, hop: CaptureHop): number {
  if (!l.is('DNS-CAPTURE', 'FAIL')) return 0;
  return l.evidence('DNS-CAPTURE').upstreamLosses?.[hop] ?? 0;
}

/**
 * "Every pod IP answers" (the kube-proxy and nodelocal-dns rows): DNS-PER-ENDPOINT's
 * `allPodsAnswered` when it wrote one, else its PASS.
 */
function everyPodAnswers(l: Lookup): boolean {
  const c = l.get('DNS-PER-ENDPOINT');
  if (c === undefined) return false;
  const answered = l.evidence('DNS-PER-ENDPOINT').allPodsAnswered;
  if (answered !== undefined) return answered === true && (c.status === 'PASS' || c.status === 'FAIL');
  return c.status === 'PASS';
}

/** DNS-LATENCY FAILs with the conntrack-race pair signature. */
function raceHolds(l: Lookup): boolean {
  return l.is('DNS-LATENCY', 'FAIL') && l.evidence('DNS-LATENCY').conntrackRaceSignature === true;
}

/**
 * Queries the capture lost at `hop`, less those that were one half of an A/AAAA pair whose twin
 * was answered when the conntrack-race signature holds (those are the race's, not a pod's or the
 * network path's).
 */
function lostCount(l: Lookup, hop: CaptureHop): number {
  if (!l.is('DNS-CAPTURE', 'FAIL')) return 0;
  const e = l.evidence('DNS-CAPTURE');
  const race = raceHolds(l) ? (e.oneSidedPairLosses?.[hop] ?? 0) : 0;
  return Math.max(0, (e.lostAt?.[hop] ?? 0) - race - upstreamCaptureLosses(l, hop));
}

function lostAt(l: Lookup, hop: CaptureHop): boolean {
  return lostCount(l, hop) > 0;
}

/** Capture losses of queries to `server` at any of `hops` (the capture's `lostByServer`). */
function lostAtServer(l: Lookup, server: string, ...hops: CaptureHop[]): number {
  if (!l.is('DNS-CAPTURE', 'FAIL')) return 0;
  const byServer = l.evidence('DNS-CAPTURE').lostByServer?.[server] ?? {};
  return hops.reduce((n, hop) => n + (byServer[hop] ?? 0), 0);
}

/** The kube-dns ClusterIP the probe queried (DNS-LATENCY's `clusterIP` target, else DNS-INTERNAL's server). */
function clusterIpAddress(l: Lookup): string | undefined {
  const byTarget = l.evidence('DNS-LATENCY').timeoutsByTarget ?? {};
  const fromLatency = Object.entries(byTarget).find(([, t]) => t.role === 'clusterIP')?.[0];
  return fromLatency ?? l.evidence('DNS-INTERNAL').server ?? l.evidence('DNS-EXTERNAL').server;
}

/** The ClusterIP answered part of what was sent to it (the latency round, or one of the lookups). */
function clusterIpPartlyAnswers(l: Lookup): boolean {
  if (l.is('DNS-INTERNAL', 'PASS') || l.is('DNS-EXTERNAL', 'PASS')) return true;
  const ip = clusterIpAddress(l);
  const t = ip === undefined ? undefined : l.evidence('DNS-LATENCY').timeoutsByTarget?.[ip];
  return t !== undefined && t.sent - t.unanswered - (t.raceLosses ?? 0) > 0;
}

/**
 * Queries sent to the ClusterIP that left the client and never reached a CoreDNS node, while
 * the ClusterIP fails (DNS-INTERNAL) and every pod IP answers when asked directly over the same
 * network: nothing translated the ClusterIP (kube-proxy), the network path is fine.
 */
function untranslatedClusterIpLosses(l: Lookup): number {
  if (!l.is('DNS-CAPTURE', 'FAIL') || !everyPodAnswers(l)) return 0;
  if (!l.is('DNS-INTERNAL', 'FAIL') || l.evidence('DNS-INTERNAL').clusterIpFailed === false) return 0;
  return l.evidence('DNS-CAPTURE').lostViaClusterIp?.[CAPTURE_HOPS.neverReachedCorednsNode] ?? 0;
}

/** The capture lost queries at `hop` on the network path (ClusterIP translation losses aside). */
function lostOnPath(l: Lookup, hop: CaptureHop): boolean {
  if (!lostAt(l, hop)) return false;
  if (hop !== CAPTURE_HOPS.neverReachedCorednsNode) return true;
  return lostCount(l, hop) - untranslatedClusterIpLosses(l) > 0;
}

/** DNS-INTERNAL or DNS-EXTERNAL FAILs and no attempt through the ClusterIP got any answer. */
function silent(l: Lookup, id: 'DNS-INTERNAL' | 'DNS-EXTERNAL'): boolean {
  return l.is(id, 'FAIL') && l.evidence(id).noAnswer === true;
}

/**
 * What bad CoreDNS pods explain: the latency timeouts of those pods (DNS-PER-ENDPOINT's
 * `failedPods`, the capture's servers that got no answer at the pod), and — when the ClusterIP
 * round-robins onto them (it answered part of its queries, or every pod is bad) — the lookups
 * through the ClusterIP that failed the way those pods fail.
 */
function badPodScope(l: Lookup, fromPerEndpoint: boolean, fromCapture: boolean): Scope {
  const pe = l.evidence('DNS-PER-ENDPOINT');
  const bad = fromPerEndpoint ? (pe.failedPods ?? []) : [];
  const ip = clusterIpAddress(l);
  const noAnswerAt = (server: string): boolean =>
    fromCapture && lostAtServer(l, server, CAPTURE_HOPS.reachedCorednsNoAnswer) > 0;
  const captureServers = Object.keys(l.evidence('DNS-CAPTURE').lostByServer ?? {}).filter(noAnswerAt);
  const targets = new Set<string>([...bad.map((p) => p.address), ...captureServers.filter((a) => a !== ip)]);
  const probed = pe.pods?.length ?? 0;
  const roundRobin = bad.length > 0 && (clusterIpPartlyAnswers(l) || (probed > 0 && bad.length >= probed));
  const failing = (part: 'internal' | 'external' | 'latency'): boolean =>
    roundRobin && bad.some((p) => p.failed.includes(part));
  const viaCapture = ip !== undefined && noAnswerAt(ip);
  if (ip !== undefined && (failing('latency') || viaCapture)) targets.add(ip);
  return scopeOf(
    targets,
    l.is('DNS-INTERNAL', 'FAIL') &&
      (failing('internal') || failing('latency') || (viaCapture && silent(l, 'DNS-INTERNAL'))),
    l.is('DNS-EXTERNAL', 'FAIL') &&
      (failing('external') || failing('latency') || (viaCapture && silent(l, 'DNS-EXTERNAL'))),
  );
}

/** Each rule returns the finding it supports, or undefined. Order does not matter: results are sorted. */
type Rule = (l: Lookup) => Finding | undefined;

const rules: Rule[] = [
  // network-path: SG/NACL blocks UDP, or the capture lost queries between the nodes.
  (l) => {
    const checks = ['NET-SG-DNS-UDP', 'NET-NACL-DNS-UDP'].filter((id) => l.is(id, 'FAIL'));
    const captureHops = [CAPTURE_HOPS.neverReachedCorednsNode, CAPTURE_HOPS.answerNeverCameBack].filter((h) =>
      lostOnPath(l, h),
    );
    const filtered = typeFilterTargets(l);
    if (checks.length === 0 && captureHops.length === 0 && filtered.length === 0) return undefined;
    // TCP twins failing too are the same blocked path, not a separate cause.
    for (const id of ['NET-SG-DNS-TCP', 'NET-NACL-DNS-TCP']) if (l.is(id, 'FAIL')) checks.push(id);
    if (captureHops.length > 0) checks.push('DNS-CAPTURE');
    // The servers whose queries the capture lost on the path: their timeouts are this cause's
    // (the ClusterIP's untranslated losses are kube-proxy's, not the path's).
    const ip = clusterIpAddress(l);
    const servers = Object.keys(l.evidence('DNS-CAPTURE').lostByServer ?? {}).filter((server) => {
      const neverReached = lostAtServer(l, server, CAPTURE_HOPS.neverReachedCorednsNode);
      const untranslated = server === ip ? untranslatedClusterIpLosses(l) : 0;
      return (
        captureHops.length > 0 &&
        (neverReached - untranslated > 0 || lostAtServer(l, server, CAPTURE_HOPS.answerNeverCameBack) > 0)
      );
    });
    const viaClusterIp = ip !== undefined && servers.includes(ip);
    // A query type always lost, paired or alone: the path from the client node drops it. The
    // resources name the client node, and the capture's hop when it saw where.
    const filterResources: string[] = [];
    if (filtered.length > 0) {
      checks.push('DNS-LATENCY');
      const node = l.evidence('DNS-LATENCY').clientNode ?? l.evidence('DNS-CAPTURE').clientNode;
      if (node !== undefined) filterResources.push(node);
      const lostAt = l.is('DNS-CAPTURE', 'FAIL') ? (l.evidence('DNS-CAPTURE').lostAt ?? {}) : {};
      for (const hop of Object.values(CAPTURE_HOPS))
        if ((lostAt[hop] ?? 0) > 0) filterResources.push(`hop: ${hop}`);
    }
    const lostTypes = [...new Set(filtered.map((t) => t.lostType ?? 'one type'))].join('/');
    return {
      cause: 'network-path',
      confidence: 'confirmed',
      checks,
      resources: [
        ...new Set([...filterResources, ...l.resources(...checks.filter((id) => id !== 'DNS-LATENCY'))]),
      ],
      scope: scopeOf(
        [...servers, ...filtered.map((t) => t.address)],
        viaClusterIp && silent(l, 'DNS-INTERNAL'),
        viaClusterIp && silent(l, 'DNS-EXTERNAL'),
      ),
      summary:
        filtered.length > 0
          ? `Every ${lostTypes} query is lost on the way, paired or alone: the path from ${filterResources[0] ?? 'the client node'} drops that query type (not the conntrack race).`
          : captureHops.length > 0 && checks.length === 1
            ? `DNS packets were lost on the network between client and CoreDNS (${captureHops.join(', ')}).`
            : 'Security groups or network ACLs block DNS between client ENIs and CoreDNS pods.',
    };
  },
  // tcp-blocked: TCP fails where UDP works.
  (l) => {
    const checks: string[] = [];
    if (l.is('DNS-TCP-FALLBACK', 'FAIL')) checks.push('DNS-TCP-FALLBACK');
    if (l.is('NET-SG-DNS-TCP', 'FAIL') && l.is('NET-SG-DNS-UDP', 'PASS')) checks.push('NET-SG-DNS-TCP');
    if (l.is('NET-NACL-DNS-TCP', 'FAIL') && l.is('NET-NACL-DNS-UDP', 'PASS')) checks.push('NET-NACL-DNS-TCP');
    if (checks.length === 0) return undefined;
    return {
      cause: 'tcp-blocked',
      confidence: 'confirmed',
      checks,
      resources: l.resources(...checks),
      summary: 'DNS over TCP is blocked while UDP works: truncated (large) answers will fail.',
    };
  },
  (l) => {
    const checks = ['K8S-DNS-SERVICE', 'K8S-DNS-ENDPOINTS'].filter((id) => l.is(id, 'FAIL'));
    if (checks.length === 0) return undefined;
    // Nothing stands behind the ClusterIP: lookups through it fail, its latency round times out.
    return {
      cause: 'no-endpoints',
      confidence: 'confirmed',
      checks,
      resources: l.resources(...checks),
      scope: scopeOf(
        [clusterIpAddress(l)],
        l.evidence('DNS-INTERNAL').clusterIpFailed === true,
        silent(l, 'DNS-EXTERNAL'),
      ),
      summary: 'The kube-dns Service is missing or has no ready endpoints: every lookup through it fails.',
    };
  },
  (l) => {
    const confirmedBy = ['K8S-COREDNS-PODS', 'K8S-COREDNS-RESOURCES'].filter((id) => l.is(id, 'FAIL'));
    if (lostAt(l, CAPTURE_HOPS.reachedCorednsNoAnswer)) confirmedBy.push('DNS-CAPTURE');
    const perEndpoint =
      l.is('DNS-PER-ENDPOINT', 'FAIL') && !perEndpointIsUpstreams(l) ? ['DNS-PER-ENDPOINT'] : [];
    const checks = [...confirmedBy, ...perEndpoint];
    if (checks.length === 0) return undefined;
    return {
      cause: 'coredns-pod',
      // A pod that fails direct queries could also sit behind a blocked path; pod state or the capture proves it.
      confidence: confirmedBy.length > 0 ? 'confirmed' : 'likely',
      checks,
      resources: l.resources(...checks),
      summary: 'One or more CoreDNS pods do not answer (or are not ready); queries routed to them fail.',
      scope: badPodScope(l, perEndpoint.length > 0, confirmedBy.includes('DNS-CAPTURE')),
    };
  },
  (l) => clusterIpFinding(l, 'kube-proxy'),
  (l) => clusterIpFinding(l, 'nodelocal-dns'),
  (l) => {
    const { confirmed, likely, risk } = upstreamTriggers(l);
    const checks = [...confirmed, ...likely];
    if (checks.length === 0 && risk.length > 0)
      return {
        cause: 'upstream',
        confidence: 'risk',
        checks: risk,
        resources: l.resources(...risk),
        summary:
          'External names resolve slowly while cluster names are fast: the upstream resolver CoreDNS forwards to is slow.',
      };
    if (checks.length === 0) return undefined;
    const resources = l.resources(...checks.filter((id) => id !== 'DNS-LATENCY'));
    // With the upstream proven dead, an external lookup failing is its symptom too (even when
    // the ClusterIP fails as well, so DNS-INTERNAL does not PASS).
    if (confirmed.length > 0 && l.is('DNS-EXTERNAL', 'FAIL') && !checks.includes('DNS-EXTERNAL'))
      checks.push('DNS-EXTERNAL');
    // The external name failing through every CoreDNS pod is this cause's, not the pods'.
    if (perEndpointIsUpstreams(l)) checks.push('DNS-PER-ENDPOINT');
    // The capture's losses of such names after they reached the CoreDNS node: the upstream's hop.
    if (upstreamCaptureLosses(l, CAPTURE_HOPS.reachedCorednsNoAnswer) > 0 && !capturePartlyOthers(l))
      checks.push('DNS-CAPTURE');
    return {
      cause: 'upstream',
      confidence: confirmed.length > 0 ? 'confirmed' : 'likely',
      checks,
      resources,
      // the latency round's external-only timeouts are the upstream's
      scope: scopeOf(externalOnlyTimeoutTargets(l)),
      summary: 'Cluster names resolve but the upstream resolver CoreDNS forwards to does not answer.',
    };
  },
  (l) => {
    const dead = (l.evidence('K8S-COREDNS-COREFILE').deadForwarders ?? []).filter((f) => f.zone !== '.');
    if (!l.is('K8S-COREDNS-COREFILE', 'FAIL') || dead.length === 0) return undefined;
    return {
      cause: 'stub-domain',
      confidence: 'confirmed',
      checks: ['K8S-COREDNS-COREFILE'],
      resources: [...new Set(dead.flatMap((f) => [f.zone, f.forwarder]))],
      summary: `A stub domain forwards to a server that does not answer: ${dead.map((f) => `${f.zone} → ${f.forwarder}`).join(', ')}.`,
    };
  },
  (l) => {
    if (!raceHolds(l)) return undefined;
    // The capture's losses that were one half of an A/AAAA pair whose twin was answered are
    // this signature seen on the wire.
    const oneSided = Object.values(l.evidence('DNS-CAPTURE').oneSidedPairLosses ?? {}).some(
      (n) => (n ?? 0) > 0,
    );
    const capture = l.is('DNS-CAPTURE', 'FAIL') && oneSided ? ['DNS-CAPTURE'] : [];
    return {
      cause: 'conntrack-race',
      confidence: 'confirmed',
      checks: ['DNS-LATENCY', ...capture],
      resources: l.resources('DNS-LATENCY'),
      summary:
        'One of each parallel A/AAAA pair goes unanswered (the conntrack insertion race): lookups wait the 5 s timeout.',
    };
  },
  (l) => {
    const metrics = l.evidence('DNS-UPSTREAM-METRICS').upstreamPpsVerdict;
    const byConfidence: [Confidence, string[]][] = [
      ['confirmed', l.is('NODE-LINKLOCAL-ALLOWANCE', 'FAIL') ? ['NODE-LINKLOCAL-ALLOWANCE'] : []],
      ['likely', l.is('DNS-UPSTREAM-METRICS', 'FAIL') && metrics === 'FAIL' ? ['DNS-UPSTREAM-METRICS'] : []],
      [
        'risk',
        [
          ...(l.is('NET-COREDNS-ENI-SPREAD', 'WARN') ? ['NET-COREDNS-ENI-SPREAD'] : []),
          ...(l.is('DNS-UPSTREAM-METRICS', 'WARN') && metrics === 'WARN' ? ['DNS-UPSTREAM-METRICS'] : []),
        ],
      ],
    ];
    const first = byConfidence.find(([, ids]) => ids.length > 0);
    if (!first) return undefined;
    const checks = byConfidence.flatMap(([, ids]) => ids);
    return {
      cause: 'resolver-throttling',
      confidence: first[0],
      checks,
      resources: l.resources(...checks),
      summary:
        first[0] === 'risk'
          ? 'CoreDNS traffic to the VPC resolver is concentrated (shared ENIs or a high packet rate): the 1024 packets/s per-ENI quota is at risk.'
          : 'Packets to the VPC resolver exceed its 1024 packets/s per-ENI quota and are dropped.',
    };
  },
  (l) => {
    if (!l.is('K8S-NETWORKPOLICY-DNS', 'FAIL')) return undefined;
    return {
      cause: 'network-policy',
      confidence: 'confirmed',
      checks: ['K8S-NETWORKPOLICY-DNS'],
      resources: l.resources('K8S-NETWORKPOLICY-DNS'),
      summary: 'NetworkPolicies cut egress-restricted pods off the DNS servers (UDP and TCP 53).',
    };
  },
  (l) => {
    if (!l.is('NODE-CONNTRACK-ALLOWANCE', 'FAIL')) return undefined;
    return {
      cause: 'conntrack-exhaustion',
      confidence: 'confirmed',
      checks: ['NODE-CONNTRACK-ALLOWANCE'],
      resources: l.resources('NODE-CONNTRACK-ALLOWANCE'),
      summary:
        "The instance's connection-tracking allowance is exhausted: new flows, DNS included, are dropped.",
    };
  },
  (l) => {
    const resolv = l.evidence('DNS-RESOLV-CONF');
    const nxWarn =
      l.is('DNS-UPSTREAM-METRICS', 'WARN', 'FAIL') &&
      l.evidence('DNS-UPSTREAM-METRICS').nxdomainShareVerdict === 'WARN';
    if (!nxWarn || (resolv.ndots ?? 0) < 2 || (resolv.search ?? []).length === 0) return undefined;
    return {
      cause: 'ndots-amplification',
      confidence: 'risk',
      checks: ['DNS-UPSTREAM-METRICS', 'DNS-RESOLV-CONF'],
      resources: l.resources('DNS-UPSTREAM-METRICS', 'DNS-RESOLV-CONF'),
      summary: `Most answers are NXDOMAIN: with ndots:${resolv.ndots} and ${resolv.search?.length} search domains each external lookup is tried under every search domain first.`,
    };
  },
];

/**
 * kube-proxy vs NodeLocal DNSCache: both explain "the ClusterIP fails while every pod IP answers";
 * which one depends on whether NodeLocal intercepts the ClusterIP on that node.
 */
function clusterIpFinding(l: Lookup, cause: 'kube-proxy' | 'nodelocal-dns'): Finding | undefined {
  const ownCheck = cause === 'kube-proxy' ? 'K8S-KUBE-PROXY' : 'K8S-NODELOCAL-DNS';
  const intercepts = l.evidence('K8S-NODELOCAL-DNS').interceptsClusterIP === true;
  const clusterIpOnly =
    l.is('DNS-INTERNAL', 'FAIL') &&
    l.evidence('DNS-INTERNAL').clusterIpFailed !== false &&
    everyPodAnswers(l) &&
    (cause === 'nodelocal-dns' ? intercepts : !intercepts);
  const confirmed = l.is(ownCheck, 'FAIL');
  if (!confirmed && !clusterIpOnly) return undefined;
  // The capture's ClusterIP queries that never reached a CoreDNS node are this cause's evidence.
  const capture = clusterIpOnly && cause === 'kube-proxy' && untranslatedClusterIpLosses(l) > 0;
  const checks = [
    ...(confirmed ? [ownCheck] : []),
    ...(clusterIpOnly ? ['DNS-INTERNAL', 'DNS-PER-ENDPOINT'] : []),
    ...(capture ? ['DNS-CAPTURE'] : []),
  ];
  // The broken path: the ClusterIP on this node when it fails while the pods answer (or when
  // NodeLocal, which intercepts it, does not answer); NodeLocal's own address when it is silent.
  const ip = clusterIpAddress(l);
  const clusterIpDead = clusterIpOnly || (cause === 'nodelocal-dns' && confirmed && intercepts);
  const nodeLocalAddress =
    cause === 'nodelocal-dns' && confirmed ? l.evidence('K8S-NODELOCAL-DNS').address : undefined;
  const scope = scopeOf(
    [clusterIpDead ? ip : undefined, nodeLocalAddress],
    clusterIpDead && (clusterIpOnly || silent(l, 'DNS-INTERNAL')),
    clusterIpDead && silent(l, 'DNS-EXTERNAL'),
  );
  return {
    cause,
    confidence: confirmed ? 'confirmed' : 'likely',
    checks,
    scope,
    // the pods answer: what is at fault is the ClusterIP path (and the own check's resources)
    resources: l.resources(...checks.filter((id) => id !== 'DNS-PER-ENDPOINT')),
    summary:
      cause === 'kube-proxy'
        ? 'The kube-dns ClusterIP is not translated to CoreDNS pods on this node (kube-proxy), though every pod answers directly.'
        : 'NodeLocal DNSCache on this node does not answer (or intercepts the ClusterIP and fails), though every CoreDNS pod answers directly.',
  };
}

function worstSeverity(l: Lookup, ids: readonly string[]): number {
  let worst: number = SEVERITIES.length;
  for (const id of ids) {
    const sev = l.get(id)?.severity as Severity | undefined;
    if (sev !== undefined) worst = Math.min(worst, SEVERITIES.indexOf(sev));
  }
  return worst;
}

/**
 * Diagnoses a cluster from its check results.
 *
 * @example diagnose(results)[0] // { cause: 'network-path', confidence: 'confirmed', checks: ['NET-SG-DNS-UDP'], … }
 */
export function diagnose(checks: readonly CheckResult[]): DiagnosisItem[] {
  const l = new Lookup(checks);
  const findings = rules.map((rule) => rule(l)).filter((f): f is Finding => f !== undefined);
  const partly = attributeSymptoms(l, findings);

  // unknown: unmuted FAILs no finding explains (or explains only in part); or, when nothing
  // FAILs, the ERRORs that would decide.
  const explained = new Set(
    findings
      .filter((f) => f.confidence !== 'risk')
      .flatMap((f) => f.checks)
      .filter((id) => !partly.has(id)),
  );
  const all = l.all();
  const unexplainedFails = all.filter((c) => c.status === 'FAIL' && !explained.has(c.id)).map((c) => c.id);
  const anyFail = all.some((c) => c.status === 'FAIL');
  const errors = all.filter((c) => c.status === 'ERROR').map((c) => c.id);
  if (unexplainedFails.length > 0) {
    findings.push({
      cause: 'unknown',
      confidence: 'likely',
      checks: unexplainedFails,
      resources: l.resources(...unexplainedFails),
      summary: `Failing checks no known cause explains: ${unexplainedFails.join(', ')}.`,
    });
  } else if (!anyFail && errors.length > 0) {
    findings.push({
      cause: 'unknown',
      confidence: 'likely',
      checks: errors,
      resources: l.resources(...errors),
      summary: `Checks that would decide could not run: ${errors.join(', ')}.`,
    });
  }

  if (findings.length === 0) {
    return [
      {
        cause: 'healthy',
        confidence: 'confirmed',
        checks: [],
        resources: [],
        summary: `No unmuted check failed or errored (${all.length} evaluated).`,
      },
    ];
  }
  return findings
    .map((f, index) => ({ f, index }))
    .sort(
      (a, b) =>
        CONFIDENCE_RANK[a.f.confidence] - CONFIDENCE_RANK[b.f.confidence] ||
        worstSeverity(l, a.f.checks) - worstSeverity(l, b.f.checks) ||
        a.index - b.index,
    )
    .map(({ f }) => ({
      cause: f.cause,
      confidence: f.confidence,
      checks: [...new Set(f.checks)],
      resources: f.resources,
      summary: f.summary,
    }));
}

/**
 * Lays the in-cluster symptom FAILs at the door of the causes whose broken path they follow from
 * (each finding's scope): DNS-INTERNAL / DNS-EXTERNAL through the ClusterIP, and DNS-LATENCY by
 * the targets that timed out. Returns the symptom checks only partly explained (some failing
 * target no cause covers): they stay `unknown` as well.
 */
function attributeSymptoms(l: Lookup, findings: Finding[]): Set<string> {
  const partly = new Set<string>();
  const explaining = findings.filter((f) => f.confidence !== 'risk');
  for (const id of ['DNS-INTERNAL', 'DNS-EXTERNAL'] as const) {
    if (!l.is(id, 'FAIL')) continue;
    for (const f of explaining)
      if ((id === 'DNS-INTERNAL' ? f.scope?.internal : f.scope?.external) && !f.checks.includes(id))
        f.checks.push(id);
  }
  if (l.is('DNS-LATENCY', 'FAIL')) {
    const e = l.evidence('DNS-LATENCY');
    // Without per-target evidence only the pair signature explains it (conntrack-race).
    const timeoutTargets = e.timeoutTargets ?? [];
    const raceTargets = e.raceTargets ?? (e.conntrackRaceSignature === true ? ['(signature)'] : []);
    const known = e.timeoutTargets !== undefined || e.conntrackRaceSignature === true;
    const covered = new Set<string>();
    for (const f of explaining) {
      const hits = timeoutTargets.filter((t) => f.scope?.targets.has(t));
      if (hits.length === 0) continue;
      hits.forEach((t) => covered.add(t));
      if (!f.checks.includes('DNS-LATENCY')) f.checks.push('DNS-LATENCY');
    }
    const raceCovered = raceTargets.length === 0 || explaining.some((f) => f.cause === 'conntrack-race');
    const allCovered = known && raceCovered && timeoutTargets.every((t) => covered.has(t));
    if (!allCovered) partly.add('DNS-LATENCY');
  }
  return partly;
}
