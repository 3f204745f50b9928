/**
 * The check catalog: every check's metadata as data, beside (not inside) its logic — Prowler's
 * pattern. IDs are a contract (../shared/checks.md): never renamed once shipped.
 * A test asserts this list, checks.md and the implemented checks agree.
 */
import { z } from 'zod';
import { checkIdSchema, severitySchema } from '../schema/results.js';
import type { Severity } from '../schema/results.js';

export const CHECK_CATEGORIES = ['aws', 'in-cluster', 'node'] as const;
export type CheckCategory = (typeof CHECK_CATEGORIES)[number];

export const checkMetadataSchema = z.strictObject({
  id: checkIdSchema,
  /** states the passing condition */
  title: z.string().min(1),
  severity: severitySchema,
  category: z.enum(CHECK_CATEGORIES),
  /** the section of checks.md that specifies it: A AWS-side, B in-cluster (runner), C beyond the runbooks */
  section: z.enum(['A', 'B', 'C']),
  /** what goes wrong for workloads when this check fails */
  risk: z.string().min(1),
  /** one or two sentences naming the fix */
  remediation: z.string().min(1),
  /** the AWS / Kubernetes documentation the check and its fix follow */
  docUrl: z.url(),
  /** the seed article(s) the check comes from (shared/seeds) */
  seeds: z.array(z.string()).default([]),
});
export type CheckMetadata = z.infer<typeof checkMetadataSchema>;

const EKS_DNS_TROUBLESHOOTING = 'https://repost.aws/knowledge-center/eks-dns-failure';
const SG_DOC = 'https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html';
const NACL_DOC = 'https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html';
const VPC_DNS_DOC = 'https://docs.aws.amazon.com/vpc/latest/userguide/AmazonDNS-concepts.html';
const K8S_DNS_DEBUG = 'https://kubernetes.io/docs/tasks/administer-cluster/dns-debugging-resolution/';
const NODELOCAL_DOC = 'https://kubernetes.io/docs/tasks/administer-cluster/nodelocaldns/';
const ENA_METRICS_DOC =
  'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/monitoring-network-performance-ena.html';

const RAW_CATALOG = [
  // ── A. AWS-side checks ────────────────────────────────────────────────────────────────
  {
    id: 'NET-VPC-DNS-ATTRIBUTES',
    title: 'The VPC has DNS support and DNS hostnames enabled',
    severity: 'high',
    category: 'aws',
    section: 'A',
    risk: 'Without enableDnsSupport the Amazon-provided resolver does not answer, so CoreDNS has no upstream; without enableDnsHostnames nodes cannot resolve a private-only cluster endpoint.',
    remediation:
      'Enable both attributes: `aws ec2 modify-vpc-attribute --vpc-id VPC --enable-dns-support` and `--enable-dns-hostnames`.',
    docUrl: 'https://docs.aws.amazon.com/vpc/latest/userguide/AmazonDNS-concepts.html#vpc-dns-support',
    seeds: [],
  },
  {
    id: 'NET-DHCP-OPTIONS',
    title: "The VPC's DHCP options use AmazonProvidedDNS",
    severity: 'medium',
    category: 'aws',
    section: 'A',
    risk: "CoreDNS forwards to the node's resolv.conf, so custom DHCP name servers become the cluster's upstream and every external lookup depends on them.",
    remediation:
      'Use AmazonProvidedDNS in the DHCP options set, or make sure the custom name servers are reachable from every CoreDNS ENI and sized for the cluster (Route 53 Resolver rules are the usual alternative).',
    docUrl: 'https://docs.aws.amazon.com/vpc/latest/userguide/DHCPOptionSet.html',
    seeds: [],
  },
  {
    id: 'NET-SG-DNS-UDP',
    title: 'Security groups allow UDP/53 from every client ENI to every CoreDNS pod',
    severity: 'high',
    category: 'aws',
    section: 'A',
    risk: 'Pods whose node or branch ENI may not send UDP/53 to a CoreDNS pod time out on lookups that land on that pod (kube-proxy spreads queries across pods).',
    remediation:
      "Allow UDP 53 in the client groups' egress and in the CoreDNS pods' (node or pod) groups' ingress, e.g. the EKS cluster security group allows all traffic between its members.",
    docUrl: SG_DOC,
    seeds: ['000', '004'],
  },
  {
    id: 'NET-SG-DNS-TCP',
    title: 'Security groups allow TCP/53 from every client ENI to every CoreDNS pod',
    severity: 'high',
    category: 'aws',
    section: 'A',
    risk: 'Answers larger than 512 bytes are truncated over UDP and retried over TCP; if TCP/53 is blocked those lookups fail.',
    remediation:
      "Allow TCP 53 wherever UDP 53 is allowed: in the client groups' egress and the CoreDNS groups' ingress.",
    docUrl: SG_DOC,
    seeds: ['000'],
  },
  {
    id: 'NET-NACL-DNS-UDP',
    title: 'Network ACLs allow UDP/53 requests and replies between client and CoreDNS subnets',
    severity: 'high',
    category: 'aws',
    section: 'A',
    risk: 'NACLs are stateless: a missing inbound rule for port 53 or for the reply to the client ephemeral ports (32768-60999 on Linux) drops DNS between subnets, partly or wholly.',
    remediation:
      "Allow UDP 53 into the CoreDNS subnets and the replies to 1024-65535 into the client subnets (both directions in each subnet's NACL), as AWS recommends.",
    docUrl: NACL_DOC,
    seeds: ['000'],
  },
  {
    id: 'NET-NACL-DNS-TCP',
    title: 'Network ACLs allow TCP/53 requests and replies between client and CoreDNS subnets',
    severity: 'high',
    category: 'aws',
    section: 'A',
    risk: 'Truncated answers retried over TCP fail when a NACL blocks TCP/53 or the TCP reply to the ephemeral ports.',
    remediation:
      "Allow TCP 53 into the CoreDNS subnets and the replies to 1024-65535 into the client subnets, in each subnet's NACL.",
    docUrl: NACL_DOC,
    seeds: ['000'],
  },
  {
    id: 'NET-COREDNS-ENI-SPREAD',
    title: 'Every CoreDNS pod sits on its own ENI and its own instance',
    severity: 'medium',
    category: 'aws',
    section: 'A',
    risk: 'The VPC resolver allows 1024 packets/s per ENI; CoreDNS pods sharing an ENI share that budget, and pods on one instance fail together.',
    remediation:
      'Spread CoreDNS with required pod anti-affinity on kubernetes.io/hostname (or topology spread constraints), and scale replicas with query volume.',
    docUrl: 'https://docs.aws.amazon.com/eks/latest/best-practices/scale-cluster-services.html',
    seeds: ['000'],
  },
  {
    id: 'NET-UPSTREAM-REACH',
    title: 'Every upstream DNS server CoreDNS forwards to is reachable from each CoreDNS ENI',
    severity: 'high',
    category: 'aws',
    section: 'A',
    risk: 'External and stub-domain lookups fail when an in-VPC custom resolver is blocked by security groups or NACLs.',
    remediation:
      'Allow UDP and TCP 53 from the CoreDNS ENIs to the custom resolver (SG egress and both NACLs), or forward to the Amazon-provided resolver.',
    docUrl: VPC_DNS_DOC,
    seeds: ['002'],
  },
  {
    id: 'EKS-COREDNS-ADDON',
    title: 'The CoreDNS and kube-proxy add-ons are versions EKS lists as compatible',
    severity: 'medium',
    category: 'aws',
    section: 'A',
    risk: 'An add-on version not compatible with the cluster (or the upgrade target) version can break DNS or service routing after an upgrade.',
    remediation:
      'Update the add-on to a compatible version (`aws eks update-addon --addon-name coredns --addon-version V`) before upgrading the control plane; prefer the default version.',
    docUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/managing-coredns.html',
    seeds: [],
  },
  {
    id: 'EKS-ENDPOINT-ACCESS',
    title: 'The scanner can reach and authenticate to the cluster API',
    severity: 'info',
    category: 'aws',
    section: 'A',
    risk: 'Without cluster access the placement-dependent and in-cluster checks cannot run, so DNS faults go unseen.',
    remediation:
      'Route the scanner to the endpoint (private endpoints), add an EKS access entry mapping the scanner role to the fleet-dns-scanner group, and apply the fleet-dns RBAC (`fleet-dns onboard`).',
    docUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html',
    seeds: [],
  },
  // ── B. In-cluster checks ──────────────────────────────────────────────────────────────
  {
    id: 'K8S-DNS-SERVICE',
    title: 'The kube-dns Service exists with a ClusterIP and 53/UDP and 53/TCP ports',
    severity: 'critical',
    category: 'in-cluster',
    section: 'B',
    risk: 'Pods resolve through the kube-dns ClusterIP: without the Service (or its ports) every lookup fails.',
    remediation: 'Restore the kube-dns Service in kube-system (reinstall or update the CoreDNS add-on).',
    docUrl: K8S_DNS_DEBUG,
    seeds: ['000', '004'],
  },
  {
    id: 'K8S-DNS-ENDPOINTS',
    title: 'The kube-dns Service has at least two ready endpoints',
    severity: 'critical',
    category: 'in-cluster',
    section: 'B',
    risk: 'With no ready endpoints every lookup through the ClusterIP fails; with one, a single pod failure is an outage.',
    remediation:
      'Check why CoreDNS pods are not ready (`kubectl -n kube-system describe pod -l k8s-app=kube-dns`) and run at least two replicas.',
    docUrl: K8S_DNS_DEBUG,
    seeds: ['000'],
  },
  {
    id: 'K8S-COREDNS-PODS',
    title: 'CoreDNS pods are ready, stable, replicated and spread, with a PodDisruptionBudget',
    severity: 'high',
    category: 'in-cluster',
    section: 'B',
    risk: 'Crashing or unready CoreDNS pods drop a share of lookups; a single replica or no PDB turns node maintenance into a DNS outage.',
    remediation:
      'Fix the crash cause (the last termination reason names OOMKilled etc.), run 2 or more replicas with anti-affinity or topology spread, and keep a PodDisruptionBudget.',
    docUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/coredns-autoscaling.html',
    seeds: ['000'],
  },
  {
    id: 'K8S-COREDNS-COREFILE',
    title: "The Corefile's forwarders answer and it uses cache, loop, ready and lameduck",
    severity: 'medium',
    category: 'in-cluster',
    section: 'B',
    risk: 'A dead forwarder in a stub domain silently breaks that zone (seed 002); missing cache/loop/lameduck costs latency or causes loops and errors during rollouts.',
    remediation:
      'Remove or fix forwarders that do not answer; keep `cache`, `loop`, `ready`, and `health { lameduck 5s }`; set `max_concurrent` on non-VPC forwarders.',
    docUrl: 'https://coredns.io/plugins/forward/',
    seeds: ['002', '003'],
  },
  {
    id: 'K8S-KUBE-PROXY',
    title: 'kube-proxy is ready on every node and its logs show no sync errors',
    severity: 'high',
    category: 'in-cluster',
    section: 'B',
    risk: 'Without a working kube-proxy on a node, the kube-dns ClusterIP is not translated to CoreDNS pods there and every lookup from that node fails.',
    remediation:
      'Fix the failing kube-proxy pods (API-server reachability, RBAC, iptables/nft restore errors in its logs) and keep the kube-proxy add-on compatible with the cluster version.',
    docUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/managing-kube-proxy.html',
    seeds: ['000', '004'],
  },
  {
    id: 'K8S-NODELOCAL-DNS',
    title: 'NodeLocal DNSCache, when installed, answers and forwards cluster zones to CoreDNS',
    severity: 'medium',
    category: 'in-cluster',
    section: 'B',
    risk: 'A NodeLocal cache that does not answer breaks every lookup on its node; one forwarding cluster zones elsewhere serves stale or wrong answers (seed 002).',
    remediation:
      'Restart or fix the node-local-dns pod on the failing node; forward cluster.local and reverse zones to the kube-dns-upstream Service or CoreDNS pods.',
    docUrl: NODELOCAL_DOC,
    seeds: ['002'],
  },
  {
    id: 'DNS-RESOLV-CONF',
    title: "Pods' resolv.conf points at cluster DNS with options resolvers honour",
    severity: 'medium',
    category: 'in-cluster',
    section: 'B',
    risk: 'A pod whose nameserver is not cluster DNS cannot resolve Services; options past glibc limits are silently capped.',
    remediation:
      'Use dnsPolicy ClusterFirst (or a dnsConfig pointing at the kube-dns ClusterIP / NodeLocal address); lower ndots (e.g. 2) for pods that mostly resolve external names.',
    docUrl: 'https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-dns-config',
    seeds: ['000', '004'],
  },
  {
    id: 'DNS-INTERNAL',
    title: 'kubernetes.default resolves to the kubernetes Service ClusterIP via kube-dns over UDP',
    severity: 'critical',
    category: 'in-cluster',
    section: 'B',
    risk: 'Service discovery inside the cluster fails.',
    remediation:
      'Follow the diagnosis: check kube-dns endpoints, kube-proxy on the node, and the network path to CoreDNS pods.',
    docUrl: K8S_DNS_DEBUG,
    seeds: ['000', '003', '004'],
  },
  {
    id: 'DNS-EXTERNAL',
    title: 'An external name resolves through the kube-dns ClusterIP',
    severity: 'high',
    category: 'in-cluster',
    section: 'B',
    risk: 'Workloads cannot reach anything outside the cluster by name.',
    remediation:
      "Check CoreDNS's forwarders (the VPC resolver, DHCP options, custom upstreams) and the resolver quota.",
    docUrl: EKS_DNS_TROUBLESHOOTING,
    seeds: ['000', '003'],
  },
  {
    id: 'DNS-PER-ENDPOINT',
    title: 'Every CoreDNS pod answers internal and external queries sent to it directly',
    severity: 'high',
    category: 'in-cluster',
    section: 'B',
    risk: 'One bad CoreDNS pod hides behind ClusterIP round-robin and fails a share of all lookups.',
    remediation:
      'Inspect and restart the named pods; check their node (security groups, NACLs, ENI allowance).',
    docUrl: EKS_DNS_TROUBLESHOOTING,
    seeds: ['000', '003'],
  },
  {
    id: 'DNS-TCP-FALLBACK',
    title: 'DNS over TCP answers through the ClusterIP and every CoreDNS pod',
    severity: 'medium',
    category: 'in-cluster',
    section: 'B',
    risk: 'Truncated UDP answers are retried over TCP; if TCP fails, large answers fail.',
    remediation:
      'Allow TCP 53 wherever UDP 53 is allowed (security groups, NACLs, network policies) and make sure kube-dns exposes 53/TCP.',
    docUrl: 'https://datatracker.ietf.org/doc/html/rfc7766',
    seeds: ['000'],
  },
  {
    id: 'DNS-LATENCY',
    title: 'DNS latency is within threshold and parallel A/AAAA queries are both answered',
    severity: 'medium',
    category: 'in-cluster',
    section: 'B',
    risk: "The conntrack insertion race drops one of glibc's parallel A/AAAA queries, so lookups wait for the 5 s timeout.",
    remediation:
      'Run NodeLocal DNSCache (or `options single-request-reopen` / use-vc in dnsConfig) to avoid the conntrack race; scale CoreDNS when latency is load.',
    docUrl: NODELOCAL_DOC,
    seeds: ['004'],
  },
  {
    id: 'DNS-CAPTURE',
    title: 'Every probe query is seen leaving the client, reaching CoreDNS and answered back',
    severity: 'medium',
    category: 'in-cluster',
    section: 'B',
    risk: 'Queries lost between hops show where the data path breaks: the network, CoreDNS, or the return path.',
    remediation:
      'Act on the hop named in the evidence: the network path (SG/NACL/kube-proxy) when queries never reached the CoreDNS node, CoreDNS when they reached it unanswered.',
    docUrl: EKS_DNS_TROUBLESHOOTING,
    seeds: ['000', '003', '004'],
  },
  {
    id: 'DNS-UPSTREAM-METRICS',
    title: 'CoreDNS metrics show healthy upstreams and a resolver packet rate well under 1024/s per ENI',
    severity: 'medium',
    category: 'in-cluster',
    section: 'B',
    risk: 'SERVFAIL bursts, failing forwarders or an upstream rate near the 1024 packets/s per-ENI quota mean dropped lookups.',
    remediation:
      'Scale CoreDNS across more nodes/ENIs, enable NodeLocal DNSCache, lower ndots, and fix failing forwarders.',
    docUrl: 'https://coredns.io/plugins/metrics/',
    seeds: ['000'],
  },
  // ── Node checks (the node agent on CoreDNS nodes) ─────────────────────────────────────
  {
    id: 'NODE-LINKLOCAL-ALLOWANCE',
    title: 'No packets to link-local services (VPC resolver) were dropped by the ENA allowance',
    severity: 'high',
    category: 'node',
    section: 'B',
    risk: 'The VPC resolver drops packets past 1024/s per ENI; CoreDNS upstream lookups then time out.',
    remediation:
      'Spread CoreDNS over more instances/ENIs, add NodeLocal DNSCache, and cut query volume (ndots, caching).',
    docUrl: ENA_METRICS_DOC,
    seeds: ['000'],
  },
  {
    id: 'NODE-CONNTRACK-ALLOWANCE',
    title: "No packets were dropped by the instance's connection-tracking allowance",
    severity: 'medium',
    category: 'node',
    section: 'B',
    risk: 'When the ENA conntrack allowance is exhausted new flows (DNS queries included) are dropped.',
    remediation:
      'Use a larger instance type, reduce tracked connections (NodeLocal DNSCache with NOTRACK), or spread CoreDNS.',
    docUrl: ENA_METRICS_DOC,
    seeds: ['004'],
  },
  // ── C. Beyond the runbooks (checks.md § C) ────────────────────────────────────────────
  {
    id: 'K8S-NETWORKPOLICY-DNS',
    title: 'Every pod restricted by an egress NetworkPolicy may still reach cluster DNS on UDP and TCP 53',
    severity: 'high',
    category: 'in-cluster',
    section: 'C',
    risk: 'NetworkPolicies are additive allow-lists: once a policy selects a pod for Egress, DNS is blocked unless some policy allows port 53 to the kube-dns pods (and to NodeLocal DNSCache where it runs), so every lookup from those pods times out.',
    remediation:
      'Add an egress rule allowing UDP and TCP 53 to the kube-dns pods (namespaceSelector kubernetes.io/metadata.name: kube-system + podSelector k8s-app: kube-dns), and to the NodeLocal DNSCache address where it runs.',
    docUrl: 'https://kubernetes.io/docs/concepts/services-networking/network-policies/',
    seeds: [],
  },
  {
    id: 'NET-RESOLVER-RULES',
    title: "The Route 53 Resolver rules associated with the cluster's VPC forward to endpoints that work",
    severity: 'high',
    category: 'aws',
    section: 'C',
    risk: 'A FORWARD rule whose outbound endpoint is down, or whose endpoint IPs cannot reach its targets, makes every name under its domain fail (or fail intermittently, through one endpoint IP), for CoreDNS and nodes alike.',
    remediation:
      'Fix the outbound endpoint (status, security groups, the NACLs of its subnets) so each of its IPs reaches a target on port 53 UDP and TCP, spread its IPs over at least two subnets, and keep the names the cluster needs on the VPC resolver.',
    docUrl:
      'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-forwarding-outbound-queries.html',
    seeds: [],
  },
  {
    id: 'NET-DNS-FIREWALL',
    title: 'Route 53 Resolver DNS Firewall blocks none of the names the cluster needs',
    severity: 'high',
    category: 'aws',
    section: 'C',
    risk: 'A DNS Firewall rule that blocks the cluster endpoint, STS, EC2, ECR or an image registry breaks node joins, image pulls and IAM for pods; a firewall that fails closed turns a firewall outage into a DNS outage.',
    remediation:
      'Allow the names the cluster needs ahead of the blocking rule (a higher-priority ALLOW rule or a narrower domain list), and consider FirewallFailOpen ENABLED for the VPC.',
    docUrl: 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-dns-firewall.html',
    seeds: [],
  },
  {
    id: 'EKS-COMPUTE-MODE',
    title: "The cluster's compute mode is known, so checks that do not apply to it are skipped",
    severity: 'info',
    category: 'aws',
    section: 'C',
    risk: 'On Fargate, EKS Auto Mode or with a kube-proxy-free CNI some DNS checks do not apply; judging them anyway gives false failures and hides real ones.',
    remediation:
      'Nothing to fix: the evidence names the mode (managed or self-managed nodes, Fargate, EKS Auto Mode, kube-proxy replacement); an ERROR means the scanner could not read it (grant eks:DescribeCluster and read access to the kube-system DaemonSets).',
    docUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/eks-compute.html',
    seeds: [],
  },
  {
    id: 'K8S-COREDNS-RESOURCES',
    title: 'CoreDNS has the memory and CPU it needs and scales with the cluster',
    severity: 'medium',
    category: 'in-cluster',
    section: 'C',
    risk: 'An OOMKilled or CPU-throttled CoreDNS drops and delays queries cluster-wide, and a fixed replica count falls behind as nodes are added.',
    remediation:
      'Raise the CoreDNS memory limit (and CPU request), and scale it with the cluster: the EKS CoreDNS add-on autoscaling, or the cluster-proportional-autoscaler / an HPA.',
    docUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/coredns-autoscaling.html',
    seeds: [],
  },
] as const satisfies readonly (Omit<CheckMetadata, 'severity' | 'seeds'> & {
  severity: Severity;
  seeds: readonly string[];
})[];

export type CheckId = (typeof RAW_CATALOG)[number]['id'];

/** The catalog, validated once at load: a malformed entry is a bug and fails every test. */
export const CHECK_CATALOG: readonly CheckMetadata[] = RAW_CATALOG.map((entry) =>
  checkMetadataSchema.parse(entry),
);

const BY_ID = new Map<string, CheckMetadata>(CHECK_CATALOG.map((m) => [m.id, m]));

export const CHECK_IDS: readonly CheckId[] = RAW_CATALOG.map((e) => e.id);

export function isCheckId(value: string): value is CheckId {
  return BY_ID.has(value);
}

/** The metadata of a check; throws for an ID not in the catalog (a programming error). */
export function checkMetadata(id: CheckId): CheckMetadata {
  const meta = BY_ID.get(id);
  if (!meta) throw new Error(`unknown check id ${id}`);
  return meta;
}
