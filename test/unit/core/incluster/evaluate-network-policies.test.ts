/**
 * K8S-NETWORKPOLICY-DNS's pure evaluator on the EKS fixtures' CoreDNS pods (198.18.2.20 and
 * 198.18.3.20, ports dns 53/UDP and dns-tcp 53/TCP) and a `shop` namespace of workloads: the
 * NetworkPolicy semantics one by one, the fix YAML applied back, and additivity as a property.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { evaluateNetworkPolicies } from '../../../../lambdas/core/incluster/index.js';
import type {
  KubeNetworkPolicy,
  KubePod,
  KubeService,
  NetworkPoliciesInput,
  NetworkPolicyEgressRule,
} from '../../../../lambdas/core/incluster/index.js';
import { checkResultSchema } from '../../../../lambdas/core/schema/index.js';
import type { CheckResult } from '../../../../lambdas/core/schema/index.js';
import { corednsPods, fail, object, ok } from './fixtures.js';

const DNS_PODS = corednsPods() as unknown as KubePod[];
const SERVICE = object('Service', 'kube-dns') as unknown as KubeService;

function pod(
  name: string,
  labels: Record<string, string>,
  owner?: { kind: string; name: string },
  ns = 'shop',
): KubePod {
  return {
    metadata: {
      name,
      namespace: ns,
      labels,
      ...(owner && { ownerReferences: [{ ...owner, controller: true }] }),
    },
    spec: { containers: [{ name: 'app' }] },
    status: { phase: 'Running', podIP: `10.0.9.${name.length}` },
  };
}

const WEB = [1, 2].map((i) =>
  pod(
    `web-5d8f7c9b4-${i}abcd`,
    { app: 'web', 'pod-template-hash': '5d8f7c9b4' },
    {
      kind: 'ReplicaSet',
      name: 'web-5d8f7c9b4',
    },
  ),
);
const DB = pod('db-0', { app: 'db' }, { kind: 'StatefulSet', name: 'db' });
const OTHER = pod('api-1', { app: 'api' }, { kind: 'ReplicaSet', name: 'api-77' }, 'other');
const APP_PODS = [...WEB, DB, OTHER];

function policy(
  name: string,
  egress: NetworkPolicyEgressRule[] | undefined,
  extra: Partial<NonNullable<KubeNetworkPolicy['spec']>> = {},
  ns = 'shop',
): KubeNetworkPolicy {
  return {
    metadata: { name, namespace: ns },
    spec: {
      podSelector: {},
      policyTypes: ['Egress'],
      ...(egress !== undefined && { egress }),
      ...extra,
    },
  };
}

const KUBE_DNS_PEER = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};
const BOTH_53 = [
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 53 },
];

function evaluate(policies: KubeNetworkPolicy[], over: Partial<NetworkPoliciesInput> = {}): CheckResult {
  const result = evaluateNetworkPolicies({
    policies: ok(policies),
    pods: ok([...APP_PODS, ...DNS_PODS]),
    dnsPods: ok(DNS_PODS),
    dnsNamespace: ok({ metadata: { name: 'kube-system', labels: {} } }),
    service: ok(SERVICE),
    ...over,
  });
  expect(checkResultSchema.safeParse(result).success).toBe(true);
  return result;
}

interface FailingEntry {
  namespace: string;
  policies: string[];
  workloads: string[];
  pods: number;
  missing: { destination: string; protocols: string[] }[];
  fix: string;
}
const failingOf = (r: CheckResult): FailingEntry[] => (r.evidence.failing ?? []) as FailingEntry[];

const NODELOCAL = ok({ running: true, address: '169.254.20.10' });

const cases: {
  name: string;
  policies: KubeNetworkPolicy[];
  over?: Partial<NetworkPoliciesInput>;
  status: CheckResult['status'];
  missing?: Record<string, string[]>;
}[] = [
  {
    name: 'default-deny egress',
    policies: [policy('default-deny', undefined)],
    status: 'FAIL',
    missing: {
      'pod kube-system/coredns-787cb67946-7rtq2 (198.18.2.20)': ['UDP', 'TCP'],
      'pod kube-system/coredns-787cb67946-xk9wd (198.18.3.20)': ['UDP', 'TCP'],
    },
  },
  {
    name: 'UDP-only DNS egress',
    policies: [policy('dns-udp', [{ to: [KUBE_DNS_PEER], ports: [{ protocol: 'UDP', port: 53 }] }])],
    status: 'FAIL',
    missing: {
      'pod kube-system/coredns-787cb67946-7rtq2 (198.18.2.20)': ['TCP'],
      'pod kube-system/coredns-787cb67946-xk9wd (198.18.3.20)': ['TCP'],
    },
  },
  {
    name: 'a port without protocol is TCP only',
    policies: [policy('dns-noproto', [{ to: [KUBE_DNS_PEER], ports: [{ port: 53 }] }])],
    status: 'FAIL',
    missing: {
      'pod kube-system/coredns-787cb67946-7rtq2 (198.18.2.20)': ['UDP'],
      'pod kube-system/coredns-787cb67946-xk9wd (198.18.3.20)': ['UDP'],
    },
  },
  {
    name: 'the kube-dns pods on both protocols',
    policies: [policy('dns', [{ to: [KUBE_DNS_PEER], ports: BOTH_53 }])],
    status: 'PASS',
  },
  {
    name: 'NodeLocal running without its link-local ipBlock',
    policies: [policy('dns', [{ to: [KUBE_DNS_PEER], ports: BOTH_53 }])],
    over: { nodeLocal: NODELOCAL },
    status: 'FAIL',
    missing: { 'NodeLocal DNSCache 169.254.20.10': ['UDP', 'TCP'] },
  },
  {
    name: 'NodeLocal with its ipBlock',
    policies: [
      policy('dns', [
        { to: [KUBE_DNS_PEER], ports: BOTH_53 },
        { to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: BOTH_53 },
      ]),
    ],
    over: { nodeLocal: NODELOCAL },
    status: 'PASS',
  },
  {
    name: 'NodeLocal on the address its config binds (169.254.25.10), policy allowing the default',
    policies: [
      policy('dns', [
        { to: [KUBE_DNS_PEER], ports: BOTH_53 },
        { to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: BOTH_53 },
      ]),
    ],
    over: { nodeLocal: ok({ running: true, address: '169.254.25.10' }) },
    status: 'FAIL',
    missing: { 'NodeLocal DNSCache 169.254.25.10': ['UDP', 'TCP'] },
  },
  {
    name: 'a selector cannot reach NodeLocal (host network)',
    policies: [policy('dns', [{ to: [{ namespaceSelector: {} }], ports: BOTH_53 }])],
    over: { nodeLocal: NODELOCAL },
    status: 'FAIL',
    missing: { 'NodeLocal DNSCache 169.254.20.10': ['UDP', 'TCP'] },
  },
  {
    name: 'a port-53 rule with no `to` (NodeLocal too)',
    policies: [policy('dns-anywhere', [{ ports: BOTH_53 }])],
    over: { nodeLocal: NODELOCAL },
    status: 'PASS',
  },
  {
    name: 'a rule with `to: []` and no ports (allow all)',
    policies: [policy('allow-all', [{ to: [] }])],
    over: { nodeLocal: NODELOCAL },
    status: 'PASS',
  },
  {
    name: 'an ipBlock over the pod CIDR whose `except` holds a CoreDNS pod',
    policies: [
      policy('vpc', [
        { to: [{ ipBlock: { cidr: '198.18.0.0/16', except: ['198.18.3.0/24'] } }], ports: BOTH_53 },
      ]),
    ],
    status: 'FAIL',
    missing: { 'pod kube-system/coredns-787cb67946-xk9wd (198.18.3.20)': ['UDP', 'TCP'] },
  },
  {
    name: 'an ipBlock over the pod CIDR with an `except` missing the CoreDNS pods',
    policies: [
      policy('vpc', [
        { to: [{ ipBlock: { cidr: '198.18.0.0/16', except: ['198.18.9.0/24'] } }], ports: BOTH_53 },
      ]),
    ],
    status: 'PASS',
  },
  {
    name: 'the kube-dns ClusterIP by ipBlock only',
    policies: [policy('cluster-ip', [{ to: [{ ipBlock: { cidr: '198.19.0.10/32' } }], ports: BOTH_53 }])],
    status: 'FAIL',
    missing: {
      'pod kube-system/coredns-787cb67946-7rtq2 (198.18.2.20)': ['UDP', 'TCP'],
      'pod kube-system/coredns-787cb67946-xk9wd (198.18.3.20)': ['UDP', 'TCP'],
    },
  },
  {
    name: 'named ports dns (UDP) and dns-tcp',
    policies: [
      policy('named', [
        { to: [KUBE_DNS_PEER], ports: [{ protocol: 'UDP', port: 'dns' }, { port: 'dns-tcp' }] },
      ]),
    ],
    status: 'PASS',
  },
  {
    name: 'named port dns without protocol (TCP: no TCP port is named dns)',
    policies: [
      policy('named', [{ to: [KUBE_DNS_PEER], ports: [{ port: 'dns' }, { protocol: 'UDP', port: 'dns' }] }]),
    ],
    status: 'FAIL',
    missing: {
      'pod kube-system/coredns-787cb67946-7rtq2 (198.18.2.20)': ['TCP'],
      'pod kube-system/coredns-787cb67946-xk9wd (198.18.3.20)': ['TCP'],
    },
  },
  {
    name: 'endPort range holding 53',
    policies: [
      policy('range', [
        {
          to: [KUBE_DNS_PEER],
          ports: [
            { protocol: 'UDP', port: 1, endPort: 1024 },
            { protocol: 'TCP', port: 53, endPort: 53 },
          ],
        },
      ]),
    ],
    status: 'PASS',
  },
  {
    name: 'endPort range below 53',
    policies: [
      policy('range', [
        {
          to: [KUBE_DNS_PEER],
          ports: [
            { protocol: 'UDP', port: 1, endPort: 52 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ]),
    ],
    status: 'FAIL',
  },
  {
    name: 'two additive policies: UDP in one, TCP in the other',
    policies: [
      policy('dns-udp', [{ to: [KUBE_DNS_PEER], ports: [{ protocol: 'UDP', port: 53 }] }]),
      policy('dns-tcp', [{ to: [KUBE_DNS_PEER], ports: [{ protocol: 'TCP', port: 53 }] }], {
        podSelector: { matchLabels: {} },
      }),
    ],
    status: 'PASS',
  },
  {
    name: 'an allowing policy in another namespace does not count',
    policies: [
      policy('default-deny', []),
      policy('dns', [{ to: [KUBE_DNS_PEER], ports: BOTH_53 }], {}, 'other'),
    ],
    status: 'FAIL',
  },
  {
    name: 'namespaceSelector alone (all pods of kube-system, by its guaranteed name label)',
    policies: [
      policy('ns-only', [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
          ports: BOTH_53,
        },
      ]),
    ],
    status: 'PASS',
  },
  {
    name: 'namespaceSelector on a label kube-system does not carry',
    policies: [
      policy('ns-label', [
        { to: [{ namespaceSelector: { matchLabels: { name: 'kube-system' } } }], ports: BOTH_53 },
      ]),
    ],
    status: 'FAIL',
  },
  {
    name: 'namespaceSelector on a label kube-system carries',
    policies: [
      policy('ns-label', [
        { to: [{ namespaceSelector: { matchLabels: { name: 'kube-system' } } }], ports: BOTH_53 },
      ]),
    ],
    over: { dnsNamespace: ok({ metadata: { name: 'kube-system', labels: { name: 'kube-system' } } }) },
    status: 'PASS',
  },
  {
    name: 'podSelector alone (the policy’s own namespace, not kube-system)',
    policies: [
      policy('pod-only', [
        { to: [{ podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: BOTH_53 },
      ]),
    ],
    status: 'FAIL',
  },
  {
    name: '`{}` namespaceSelector and `{}` podSelector: every pod',
    policies: [policy('all-pods', [{ to: [{ namespaceSelector: {}, podSelector: {} }], ports: BOTH_53 }])],
    status: 'PASS',
  },
  {
    name: 'matchExpressions In',
    policies: [
      policy('expr', [
        {
          to: [
            {
              namespaceSelector: {
                matchExpressions: [
                  { key: 'kubernetes.io/metadata.name', operator: 'In', values: ['kube-system'] },
                ],
              },
              podSelector: { matchExpressions: [{ key: 'k8s-app', operator: 'Exists' }] },
            },
          ],
          ports: BOTH_53,
        },
      ]),
    ],
    status: 'PASS',
  },
  {
    name: 'matchExpressions NotIn excluding kube-dns',
    policies: [
      policy('expr', [
        {
          to: [
            {
              namespaceSelector: {},
              podSelector: {
                matchExpressions: [{ key: 'k8s-app', operator: 'NotIn', values: ['kube-dns'] }],
              },
            },
          ],
          ports: BOTH_53,
        },
      ]),
    ],
    status: 'FAIL',
  },
  {
    name: 'only Ingress policies',
    policies: [policy('ingress', undefined, { policyTypes: ['Ingress'], ingress: [] })],
    status: 'SKIPPED',
  },
  {
    name: 'no policyTypes but egress rules: restricts egress (API default)',
    policies: [
      {
        metadata: { name: 'legacy', namespace: 'shop' },
        spec: { podSelector: {}, egress: [{ ports: [{ port: 443 }] }] },
      },
    ],
    status: 'FAIL',
  },
  {
    name: 'no policyTypes and empty egress: ingress only',
    policies: [{ metadata: { name: 'legacy', namespace: 'shop' }, spec: { podSelector: {}, egress: [] } }],
    status: 'SKIPPED',
  },
  {
    name: 'an egress policy selecting no pod',
    policies: [policy('nobody', [], { podSelector: { matchLabels: { app: 'gone' } } })],
    status: 'SKIPPED',
  },
  {
    name: 'no policies at all',
    policies: [],
    status: 'SKIPPED',
  },
];

/** Applies a FAIL's fix YAML (every namespace's) to the policy set. */
function withFix(policies: KubeNetworkPolicy[], result: CheckResult): KubeNetworkPolicy[] {
  const added = failingOf(result).flatMap((f) =>
    parseAllDocuments(f.fix).map((d) => d.toJS() as KubeNetworkPolicy),
  );
  return [...policies, ...added];
}

describe('evaluateNetworkPolicies', () => {
  it.each(cases)('$name → $status', ({ policies, over, status, missing }) => {
    const result = evaluate(policies, over);
    expect(result.status).toBe(status);
    if (missing !== undefined) {
      const got = Object.fromEntries(
        failingOf(result).flatMap((f) => f.missing.map((m) => [m.destination, m.protocols])),
      );
      expect(got).toEqual(missing);
    }
    if (status === 'SKIPPED') expect(result.evidence.reason).toMatch(/NetworkPolic/);
  });

  it.each(cases.filter((c) => c.status === 'FAIL'))(
    '$name: the fix YAML, pasted, makes it PASS',
    ({ policies, over }) => {
      const before = evaluate(policies, over);
      const after = evaluate(withFix(policies, before), over);
      expect(after.status, JSON.stringify(after.evidence.failing)).toBe('PASS');
    },
  );

  it('names the failing namespace, its policies, its workloads by owner, and the resources', () => {
    const result = evaluate([
      policy('default-deny', []),
      policy('web-out', [{ ports: [{ port: 443 }] }], { podSelector: { matchLabels: { app: 'web' } } }),
    ]);
    expect(result.status).toBe('FAIL');
    const [shop, ...rest] = failingOf(result);
    expect(rest).toEqual([]);
    expect(shop).toMatchObject({
      namespace: 'shop',
      policies: ['default-deny', 'web-out'],
      workloads: ['Deployment/web', 'StatefulSet/db'],
      pods: 3,
    });
    expect(result.evidence.resources).toEqual([
      'namespace/shop',
      'networkpolicy/shop/default-deny',
      'networkpolicy/shop/web-out',
    ]);
    expect(result.evidence.summary).toContain('3 of 3 egress-restricted pods');
    // one fix policy covering everything, copying default-deny's selector (isolates nothing new)
    const docs = parseAllDocuments(shop!.fix).map((d) => d.toJS());
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-dns-egress', namespace: 'shop' },
      spec: { podSelector: {}, policyTypes: ['Egress'] },
    });
  });

  it('spells out three failing namespaces in the summary, counts the rest, lists all in `failing`', () => {
    const namespaces = ['a', 'b', 'c', 'd', 'e'];
    const result = evaluate(
      namespaces.map((ns) => policy('deny', [], {}, ns)),
      { pods: ok(namespaces.map((ns) => pod(`p-${ns}`, { app: 'x' }, undefined, ns))) },
    );
    expect(failingOf(result).map((f) => f.namespace)).toEqual(namespaces);
    expect(result.evidence.summary).toMatch(
      /^5 of 5 egress-restricted pods .*: a \(deny: .*; c \(deny: .*; and 2 more namespaces$/,
    );
    expect(result.evidence.summary).not.toContain('d (deny');
    expect(failingOf(result)[4]?.workloads).toEqual(['Pod/p-e']);
  });

  it('the fix selects only pods some egress policy already selected (it isolates no new pod)', () => {
    const policies = [
      policy('web-deny', [], { podSelector: { matchLabels: { app: 'web' } } }),
      policy('db-deny', [], {
        podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['db'] }] },
      }),
    ];
    const result = evaluate(policies);
    const docs = parseAllDocuments(failingOf(result)[0]!.fix).map((d) => d.toJS() as KubeNetworkPolicy);
    expect(docs.map((d) => d.metadata?.name).sort()).toEqual([
      'allow-dns-egress-db-deny',
      'allow-dns-egress-web-deny',
    ]);
    expect(docs.map((d) => d.spec?.podSelector)).toEqual(
      expect.arrayContaining(policies.map((p) => p.spec?.podSelector)),
    );
    expect(evaluate(withFix(policies, result)).status).toBe('PASS');
  });

  it('notes an ipBlock that allows only the kube-dns ClusterIP', () => {
    const result = evaluate([
      policy('cluster-ip', [{ to: [{ ipBlock: { cidr: '198.19.0.0/24' } }], ports: BOTH_53 }]),
    ]);
    expect(result.evidence.notes).toEqual([expect.stringContaining('ClusterIP 198.19.0.10')]);
  });

  it('does not judge host-network or finished pods', () => {
    const host: KubePod = { ...pod('host-agent', { app: 'web' }), spec: { hostNetwork: true } };
    const done: KubePod = { ...pod('job-1', { app: 'web' }), status: { phase: 'Succeeded' } };
    const result = evaluate([policy('web-deny', [], { podSelector: { matchLabels: { app: 'web' } } })], {
      pods: ok([WEB[0]!, host, done]),
    });
    expect(failingOf(result)[0]?.pods).toBe(1);
  });

  it('a CoreDNS targetPort other than 53 is the port a policy must allow', () => {
    const svc = structuredClone(SERVICE) as {
      spec: { ports: { port: number; targetPort: number | string }[] };
    };
    for (const p of svc.spec.ports) if (p.port === 53) p.targetPort = 5353;
    const result = evaluate([policy('dns', [{ to: [KUBE_DNS_PEER], ports: BOTH_53 }])], {
      service: ok(svc as KubeService),
    });
    expect(result.status).toBe('FAIL');
    expect(
      evaluate(withFix([policy('dns', [{ to: [KUBE_DNS_PEER], ports: BOTH_53 }])], result), {
        service: ok(svc as KubeService),
      }).status,
    ).toBe('PASS');
  });

  it('ERROR when a read it needs failed, naming the permission', () => {
    const denied = evaluate([], {
      policies: fail(403, 'list', 'networkpolicies.networking.k8s.io', undefined),
    });
    expect(denied.status).toBe('ERROR');
    expect(denied.evidence.reason).toContain('"list" on "networkpolicies.networking.k8s.io"');
    expect(evaluate([policy('default-deny', [])], { pods: fail(500, 'list', 'pods') }).status).toBe('ERROR');
    expect(
      evaluate([policy('default-deny', [])], { dnsNamespace: fail(403, 'get', 'namespaces') }).status,
    ).toBe('ERROR');
    expect(
      evaluate([policy('default-deny', [])], { nodeLocal: fail(403, 'list', 'daemonsets.apps') }).status,
    ).toBe('ERROR');
    // nothing restricts egress: the namespace read is not needed
    expect(evaluate([], { dnsNamespace: fail(403, 'get', 'namespaces') }).status).toBe('SKIPPED');
  });

  describe('additivity (fast-check)', () => {
    const peers = fc.constantFrom<object>(
      KUBE_DNS_PEER,
      { namespaceSelector: {} },
      { podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } },
      { ipBlock: { cidr: '198.18.0.0/16', except: ['198.18.3.0/24'] } },
      { ipBlock: { cidr: '169.254.20.10/32' } },
      { ipBlock: { cidr: '198.18.2.20/32' } },
    );
    const ports = fc.constantFrom<object>(
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
      { port: 53 },
      { protocol: 'UDP', port: 'dns' },
      { port: 'dns-tcp' },
      { protocol: 'UDP', port: 50, endPort: 60 },
      { port: 443 },
    );
    const rule = fc.record(
      { to: fc.array(peers, { maxLength: 2 }), ports: fc.array(ports, { maxLength: 3 }) },
      { requiredKeys: [] },
    ) as fc.Arbitrary<NetworkPolicyEgressRule>;
    const selector = fc.constantFrom({}, { matchLabels: { app: 'web' } }, { matchLabels: { app: 'db' } });
    const pol = (name: string): fc.Arbitrary<KubeNetworkPolicy> =>
      fc
        .record({ sel: selector, egress: fc.array(rule, { maxLength: 3 }) })
        .map(({ sel, egress }) => policy(name, egress, { podSelector: sel }));
    const set = fc
      .array(fc.nat(), { minLength: 1, maxLength: 3 })
      .chain((ids) => fc.tuple(...ids.map((_, i) => pol(`p${i}`))));

    it('another policy over pods already restricted never loses reachability', () => {
      fc.assert(
        fc.property(set, fc.array(rule, { maxLength: 3 }), fc.boolean(), (policies, extraRules, nl) => {
          const over = nl ? { nodeLocal: NODELOCAL } : {};
          const before = evaluate(policies, over);
          // the extra policy selects exactly the pods of an existing one: no pod is newly isolated
          const extra = policy('extra', extraRules, { podSelector: policies[0]!.spec?.podSelector ?? {} });
          const after = evaluate([...policies, extra], over);
          const failingPods = (r: CheckResult): number => failingOf(r).reduce((n, f) => n + f.pods, 0);
          expect(failingPods(after)).toBeLessThanOrEqual(failingPods(before));
          if (before.status === 'PASS') expect(after.status).toBe('PASS');
          for (const f of failingOf(after)) {
            const was = failingOf(before).find((b) => b.namespace === f.namespace);
            for (const m of f.missing) {
              const prior = was?.missing.find((x) => x.destination === m.destination)?.protocols ?? [];
              expect(prior).toEqual(expect.arrayContaining(m.protocols));
            }
          }
        }),
        { numRuns: 300 },
      );
    });

    it('every FAIL is fixed by its own fix YAML', () => {
      fc.assert(
        fc.property(set, fc.boolean(), (policies, nl) => {
          const over = nl ? { nodeLocal: NODELOCAL } : {};
          const before = evaluate(policies, over);
          if (before.status !== 'FAIL') return;
          expect(evaluate(withFix(policies, before), over).status).toBe('PASS');
        }),
        { numRuns: 200 },
      );
    });
  });
});
