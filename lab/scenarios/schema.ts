/**
 * The lab scenario format: one YAML/JSON file per scenario, so a new scenario needs no code
 * (lab.md, "Scenarios are data"). Validated with zod; a bad file is rejected with one line per
 * problem naming the field (`nodes[1].pods[0].address: …`). See ./README.md for the format.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CAUSES, CHECK_ID_PATTERN, STATUSES, formatSchemaError } from '../../lambdas/core/schema/index.js';
import { LabScenarioError } from '../engine/errors.js';
import { applyMergePatch } from '../fake-kube-api/patch.js';

/** What may go wrong with the probe Job (lab.md "Runner Jobs and their faults"). */
export const PROBE_JOB_FAULTS = [
  'ok',
  'image-pull-error',
  'unschedulable',
  'exit-nonzero',
  'tampered-log',
  'cut-log',
  'deadline',
] as const;
/** What may go wrong with the node-agent Jobs (lab.md). */
export const NODE_AGENT_JOB_FAULTS = ['ok', 'image-pull-error', 'unschedulable', 'never-ready'] as const;
export type ProbeJobFault = (typeof PROBE_JOB_FAULTS)[number];
export type NodeAgentJobFault = (typeof NODE_AGENT_JOB_FAULTS)[number];

const ipv4 = z.ipv4({ message: 'must be an IPv4 address' });

/** An address inside the lab's range 198.18.0.0/15 (lab.md, Rules). */
const labAddress = ipv4.refine(
  (a) => /^198\.(18|19)\./.test(a),
  'must be inside 198.18.0.0/15 (lab.md: lab addresses only)',
);
/** A NodeLocal DNSCache address: the link-local 169.254.20.10 the rules allow, or a lab address. */
const nodeLocalAddress = ipv4.refine(
  (a) => a === '169.254.20.10' || /^198\.(18|19)\./.test(a),
  'must be 169.254.20.10 or inside 198.18.0.0/15',
);
const dnsName = z
  .string()
  .regex(/^(\.|([A-Za-z0-9_*-]+\.)*[A-Za-z0-9_-]+\.?)$/, 'must be a DNS name (or ".")');
const share = z.number().min(0).max(1);

const recordSet = z.record(
  dnsName,
  z.strictObject({ A: z.array(labAddress).optional(), AAAA: z.array(z.ipv6()).optional() }),
);

const zoneBehaviour = z.enum(['answer', 'servfail', 'refuse', 'nxdomain', 'drop']);

/** A zone served by an upstream server: records, and what it does with queries. */
const upstreamZone = z.strictObject({
  zone: dnsName,
  records: recordSet.default({}),
  /** @default 'answer' — names not in `records` are NXDOMAIN */
  behaviour: zoneBehaviour.default('answer'),
  delayMs: z.number().int().nonnegative().optional(),
});

/** A CoreDNS pod's failure modes (lab/dns-server ServerBehaviour, plus `tcp`). */
const corednsBehaviour = z.strictObject({
  dropShare: share.optional(),
  servfailShare: share.optional(),
  delayMs: z.number().int().nonnegative().optional(),
  dropSecondOfPair: z.boolean().optional(),
  pairWindowMs: z.number().int().positive().optional(),
  down: z.boolean().optional(),
  /** @default true — false: nothing listens on TCP 53 (connection refused) */
  tcp: z.boolean().optional(),
});

const pod = z
  .strictObject({
    /** the Kubernetes pod name (must match the pod object served by the fake API, if any) */
    name: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Kubernetes object name'),
    namespace: z.string().default('default'),
    role: z.enum(['probe', 'coredns', 'client']),
    address: labAddress,
    behaviour: corednsBehaviour.optional(),
    /**
     * Prometheus text this CoreDNS pod serves on :9153/metrics; a list is served in order (one
     * text per scrape, the last repeating) so counters grow between the runner's two scrapes
     */
    metrics: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    /** the same as `metrics`, written as counter values per scrape (a CoreDNS 1.11 page is generated) */
    metricsCounters: z
      .array(
        z.strictObject({
          requests: z.number().int().nonnegative(),
          noerror: z.number().int().nonnegative(),
          nxdomain: z.number().int().nonnegative().default(0),
          servfail: z.number().int().nonnegative().default(0),
          forwarded: z.number().int().nonnegative().default(0),
        }),
      )
      .min(1)
      .optional(),
  })
  .refine(
    (p) =>
      p.role === 'coredns' ||
      (p.behaviour === undefined && p.metrics === undefined && p.metricsCounters === undefined),
    {
      message: 'behaviour and metrics are for role: coredns only',
    },
  )
  .refine((p) => p.metrics === undefined || p.metricsCounters === undefined, {
    message: 'give metrics or metricsCounters, not both',
  });

const enaCounters = z.record(z.string().regex(/^[a-z0-9_]+$/), z.number().int().nonnegative());

const node = z.strictObject({
  /** the Kubernetes node name */
  name: z.string().min(1),
  /** the node's InternalIP */
  address: labAddress,
  /** kube-proxy's DNAT rules for the Services exist in this node; @default true */
  kubeProxy: z.boolean().default(true),
  nodeLocal: z
    .strictObject({
      address: nodeLocalAddress.default('169.254.20.10'),
      /** answers queries; false = the cache is installed but does not answer (queries time out) */
      answers: z.boolean().default(true),
      /** also listens on the kube-dns ClusterIP (iptables mode, NOTRACK), as node-local-dns does by default */
      interceptsClusterIp: z.boolean().default(true),
    })
    .optional(),
  /** ENA statistics the node agent reads (`--ena-stats-file`), before and after the scan */
  ena: z
    .strictObject({
      interface: z.string().default('eth0'),
      before: enaCounters,
      after: enaCounters,
    })
    .optional(),
  pods: z.array(pod).default([]),
});

/** An iptables rule added in one lab namespace (a "hop"). */
const fault = z.strictObject({
  /** a node name, a pod name, or `vpc`, `upstream`, `api` */
  hop: z.string().min(1),
  table: z.enum(['filter', 'nat', 'raw', 'mangle']).default('filter'),
  chain: z.string().min(1),
  /** the rule after `-A CHAIN`, shell-quoted (e.g. `-p tcp --dport 53 -j DROP`) */
  rule: z.string().min(1),
});

const kubeRef = z.strictObject({
  apiVersion: z.string().optional(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
});

const apiFault = z.strictObject({
  path: z.string(),
  /** only requests of this identity: the runner (`system:serviceaccount:fleet-dns:fleet-dns-runner`) or the scanner (`fleet-dns-scanner`) */
  user: z.string().optional(),
  method: z.union([z.string(), z.array(z.string())]).optional(),
  status: z
    .union([
      z.literal(401),
      z.literal(403),
      z.literal(404),
      z.literal(409),
      z.literal(429),
      z.literal(500),
      z.literal(503),
    ])
    .optional(),
  delayMs: z.number().int().nonnegative().optional(),
  times: z.number().int().positive().optional(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
  message: z.string().optional(),
});

const checkId = z.string().regex(CHECK_ID_PATTERN, 'not a check ID (e.g. DNS-INTERNAL)');

/** The scenario document. */
export const scenarioSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    description: z.string().min(1),
    cluster: z
      .strictObject({
        id: z.string().default('111122223333:eu-west-1:lab'),
        domain: dnsName.default('cluster.local'),
      })
      .default({ id: '111122223333:eu-west-1:lab', domain: 'cluster.local' }),
    kube: z
      .strictObject({
        /** start from the objects in test/fixtures/kube; @default true */
        fixtures: z.boolean().default(true),
        /** more object files or directories, relative to the scenario file */
        include: z.array(z.string()).default([]),
        /** inline objects (added, or replacing a fixture object of the same kind/namespace/name) */
        objects: z
          .array(
            z.looseObject({
              apiVersion: z.string(),
              kind: z.string(),
              metadata: z.looseObject({ name: z.string() }),
            }),
          )
          .default([]),
        /** RFC 7386 merge patches on objects by reference */
        patches: z.array(kubeRef.extend({ merge: z.record(z.string(), z.unknown()) })).default([]),
        /** objects to leave out */
        remove: z.array(kubeRef).default([]),
        /** `namespace/pod[/container]` → log text */
        podLogs: z.record(z.string(), z.string()).default({}),
        /** faults of the fake Kubernetes API */
        faults: z.array(apiFault).default([]),
      })
      .default({
        fixtures: true,
        include: [],
        objects: [],
        patches: [],
        remove: [],
        podLogs: {},
        faults: [],
      }),
    /** replaces the `coredns` ConfigMap's Corefile, and drives the CoreDNS stand-ins' forwarding */
    corefile: z.string().optional(),
    /** the NodeLocal DNSCache Corefile (ConfigMap `node-local-dns` in kube-system) */
    nodeLocalCorefile: z.string().optional(),
    nodes: z.array(node).min(2, 'at least two nodes: a query must really leave the client node (lab.md)'),
    upstream: z
      .strictObject({
        /** the "VPC resolver" (198.18.0.2): zones it is authoritative for */
        zones: z.array(upstreamZone).default([]),
        /** what the resolver does with every query (`drop` = dead upstream); @default 'answer' */
        behaviour: zoneBehaviour.default('answer'),
        /** more servers in the upstream namespace (stub-domain forwarders); `dead` ones drop everything */
        servers: z
          .array(
            z.strictObject({
              address: labAddress,
              zones: z.array(upstreamZone).default([]),
              dead: z.boolean().default(false),
            }),
          )
          .default([]),
      })
      .default({ zones: [], behaviour: 'answer', servers: [] }),
    faults: z.array(fault).default([]),
    probe: z
      .strictObject({
        /** the probe pod's resolv.conf; @default ClusterFirst with the kube-dns ClusterIP, ndots:5 */
        resolvConf: z.string().optional(),
        /** extra arguments for `runner probe` */
        args: z.array(z.string()).default([]),
      })
      .default({ args: [] }),
    /** how the runner's Jobs go (lab.md "Runner Jobs and their faults"); @default both ok */
    runnerJobs: z
      .strictObject({
        probe: z.enum(PROBE_JOB_FAULTS).default('ok'),
        nodeAgents: z.enum(NODE_AGENT_JOB_FAULTS).default('ok'),
        /** each Job's activeDeadlineSeconds (60–3600; the node agents capture for 30 s less) @default 300 */
        activeDeadlineSeconds: z.number().int().min(60).max(3600).default(300),
      })
      .default({ probe: 'ok', nodeAgents: 'ok', activeDeadlineSeconds: 300 }),
    expect: z.strictObject({
      /** check ID → expected status; checks not listed are not asserted */
      checks: z.record(checkId, z.enum(STATUSES)).default({}),
      /** causes the diagnosis must contain */
      diagnosis: z.array(z.enum(CAUSES)).min(1, 'name at least one cause (healthy for a healthy cluster)'),
      /** causes it must not contain */
      notDiagnosis: z.array(z.enum(CAUSES)).default([]),
      /** checks whose evidence must record Kubernetes API retries (`evidence.apiRetries`, checks.md "Transient failures") */
      apiRetried: z.array(checkId).default([]),
      /** check ID → text its `evidence.reason` must contain (the ERRORs of checks.md "Runner failures") */
      reasons: z.record(checkId, z.string().min(1)).default({}),
    }),
  })
  .superRefine((s, ctx) => {
    const probes = s.nodes.flatMap((n) => n.pods.filter((p) => p.role === 'probe'));
    if (probes.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['nodes'],
        message: `exactly one pod with role: probe is required (found ${probes.length})`,
      });
    }
    const seen = new Map<string, string>();
    const claim = (address: string, what: string, where: (string | number)[]): void => {
      const other = seen.get(address);
      if (other)
        ctx.addIssue({
          code: 'custom',
          path: where,
          message: `address ${address} is already used by ${other}`,
        });
      seen.set(address, what);
    };
    for (const reserved of ['198.18.0.1', '198.18.0.2', '198.18.0.100'])
      seen.set(reserved, 'the lab infrastructure');
    for (const server of s.upstream.servers) seen.set(server.address, `upstream server ${server.address}`);
    s.nodes.forEach((n, i) => {
      claim(n.address, `node ${n.name}`, ['nodes', i, 'address']);
      n.pods.forEach((p, j) => claim(p.address, `pod ${p.name}`, ['nodes', i, 'pods', j, 'address']));
    });
    const hops = new Set([
      'vpc',
      'upstream',
      'api',
      ...s.nodes.map((n) => n.name),
      ...s.nodes.flatMap((n) => n.pods.map((p) => p.name)),
    ]);
    s.faults.forEach((f, i) => {
      if (!hops.has(f.hop))
        ctx.addIssue({
          code: 'custom',
          path: ['faults', i, 'hop'],
          message: `unknown hop "${f.hop}" (a node or pod name, vpc, upstream or api)`,
        });
    });
  });

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioNode = Scenario['nodes'][number];
export type ScenarioPod = ScenarioNode['pods'][number];
export type ScenarioFault = Scenario['faults'][number];

/**
 * Validates a parsed scenario document.
 * @throws LabScenarioError with one line per problem, each naming the field
 */
export function parseScenario(document: unknown, source = 'scenario'): Scenario {
  const result = scenarioSchema.safeParse(document);
  if (!result.success) throw new LabScenarioError(`${source}: ${formatSchemaError(result.error, 10)}`);
  return result.data;
}

/** A scenario and the directory it came from (relative `kube.include` paths resolve there). */
export interface LoadedScenario {
  readonly scenario: Scenario;
  readonly file: string;
  readonly dir: string;
}

/**
 * Reads and validates one scenario file (`.yaml`, `.yml` or `.json`).
 * @throws LabScenarioError naming the file and the fields at fault
 */
export function loadScenario(file: string): LoadedScenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new LabScenarioError(`${file}: ${(error as Error).message}`, { cause: error });
  }
  let document: unknown;
  try {
    document = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new LabScenarioError(
      `${file}: not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return {
    scenario: parseScenario(resolveExtends(document, file, []), path.basename(file)),
    file,
    dir: path.dirname(file),
  };
}

/**
 * `extends: other.yaml` — the document is an RFC 7386 merge patch on the other scenario (objects
 * merge, lists and scalars replace); `expect` is never inherited: every scenario states its own.
 */
function resolveExtends(document: unknown, file: string, chain: string[]): unknown {
  if (document === null || typeof document !== 'object' || !('extends' in document)) return document;
  const { extends: base, ...rest } = document as { extends: unknown } & Record<string, unknown>;
  if (typeof base !== 'string')
    throw new LabScenarioError(`${path.basename(file)}: extends: must be a file name`);
  const baseFile = path.resolve(path.dirname(file), base);
  if (chain.includes(baseFile))
    throw new LabScenarioError(`${path.basename(file)}: extends: cycle through ${path.basename(baseFile)}`);
  let baseText: string;
  try {
    baseText = readFileSync(baseFile, 'utf8');
  } catch (error) {
    throw new LabScenarioError(`${path.basename(file)}: extends: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const baseDoc = resolveExtends(
    /\.json$/i.test(baseFile) ? JSON.parse(baseText) : parseYaml(baseText),
    baseFile,
    [...chain, baseFile],
  );
  const { expect: _inherited, ...baseWithoutExpect } = baseDoc as Record<string, unknown>;
  return applyMergePatch(baseWithoutExpect, rest);
}
