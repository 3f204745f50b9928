/**
 * resolv.conf as glibc reads it, and the search-list expansion one lookup goes through — the
 * "ndots amplification" of Kubernetes pods (ndots:5 plus the namespace search domains).
 *
 * @see https://man7.org/linux/man-pages/man5/resolv.conf.5.html
 * @see https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-dns-config
 */

/** glibc's defaults and caps (resolv/resolv.h, res_init.c). */
export const GLIBC_RESOLVER = {
  defaultNdots: 1,
  maxNdots: 15,
  defaultTimeout: 5,
  maxTimeout: 30,
  defaultAttempts: 2,
  maxAttempts: 5,
  /** glibc uses the first three nameservers (MAXNS) */
  maxNameservers: 3,
} as const;

/** Kubernetes' limits on a pod's DNS config (validation of dnsConfig / kubelet). */
export const KUBERNETES_DNS_LIMITS = { maxSearchDomains: 32, maxSearchChars: 2048 } as const;

export interface ResolvConf {
  readonly nameservers: readonly string[];
  /** the effective search list (the last `search` or `domain` line wins, as in glibc) */
  readonly search: readonly string[];
  /** every option as written (`ndots:5` → ndots: '5', `rotate` → rotate: true) */
  readonly options: Readonly<Record<string, string | true>>;
  /** effective values after glibc's caps */
  readonly ndots: number;
  readonly timeout: number;
  readonly attempts: number;
  /** options written past what glibc honours, lines it ignores, … (one sentence each) */
  readonly problems: readonly string[];
}

function intOption(
  options: Record<string, string | true>,
  key: string,
  fallback: number,
  cap: number,
  problems: string[],
): number {
  const raw = options[key];
  if (raw === undefined) return fallback;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isNaN(n)) {
    problems.push(`options ${key}:${String(raw)} is not a number; the resolver uses ${fallback}`);
    return fallback;
  }
  if (n > cap) {
    problems.push(`options ${key}:${n} is above glibc's cap of ${cap}; the resolver uses ${cap}`);
    return cap;
  }
  return n;
}

/**
 * Parses resolv.conf text. Never throws: what glibc would ignore is reported in `problems`.
 *
 * @example parseResolvConf('nameserver 198.19.0.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5')
 */
export function parseResolvConf(text: string): ResolvConf {
  const nameservers: string[] = [];
  let search: string[] = [];
  const options: Record<string, string | true> = {};
  const problems: string[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/[#;].*$/, '').trim();
    if (line === '') continue;
    const [keyword, ...args] = line.split(/\s+/);
    switch (keyword) {
      case 'nameserver':
        if (args[0] !== undefined) nameservers.push(args[0]);
        break;
      case 'search':
        search = args;
        break;
      case 'domain':
        search = args.slice(0, 1);
        break;
      case 'options':
        for (const opt of args) {
          const colon = opt.indexOf(':');
          if (colon < 0) options[opt] = true;
          else options[opt.slice(0, colon)] = opt.slice(colon + 1);
        }
        break;
      default:
        // sortlist and anything unknown: glibc ignores lines it does not know
        if (keyword !== 'sortlist') problems.push(`unknown line "${line}" is ignored by the resolver`);
    }
  }
  const ndots = intOption(options, 'ndots', GLIBC_RESOLVER.defaultNdots, GLIBC_RESOLVER.maxNdots, problems);
  const timeout = intOption(
    options,
    'timeout',
    GLIBC_RESOLVER.defaultTimeout,
    GLIBC_RESOLVER.maxTimeout,
    problems,
  );
  const attempts = intOption(
    options,
    'attempts',
    GLIBC_RESOLVER.defaultAttempts,
    GLIBC_RESOLVER.maxAttempts,
    problems,
  );
  if (nameservers.length > GLIBC_RESOLVER.maxNameservers)
    problems.push(
      `${nameservers.length} nameservers: glibc uses only the first ${GLIBC_RESOLVER.maxNameservers} (${nameservers.slice(GLIBC_RESOLVER.maxNameservers).join(', ')} ignored)`,
    );
  if (search.length > KUBERNETES_DNS_LIMITS.maxSearchDomains)
    problems.push(
      `${search.length} search domains: Kubernetes allows at most ${KUBERNETES_DNS_LIMITS.maxSearchDomains}`,
    );
  const searchChars = search.join(' ').length;
  if (searchChars > KUBERNETES_DNS_LIMITS.maxSearchChars)
    problems.push(
      `the search list is ${searchChars} characters: Kubernetes allows at most ${KUBERNETES_DNS_LIMITS.maxSearchChars}`,
    );
  return { nameservers, search, options, ndots, timeout, attempts, problems };
}

/**
 * The names glibc's res_search tries, in order, for one lookup of `name` that keeps getting
 * NXDOMAIN until the last try (the cost of resolving an external name from a pod):
 * a name with fewer than `ndots` dots walks the whole search list before being tried as is;
 * a name with at least `ndots` dots is tried as is first, then through the search list;
 * a fully qualified name (trailing dot) is tried only as is.
 *
 * @see https://man7.org/linux/man-pages/man5/resolv.conf.5.html (search, ndots)
 */
export function searchExpansion(name: string, conf: Pick<ResolvConf, 'ndots' | 'search'>): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const dots = (name.match(/\./g) ?? []).length;
  const viaSearch = conf.search.map((domain) => `${name}.${domain.replace(/\.$/, '')}`);
  return dots >= conf.ndots ? [name, ...viaSearch] : [...viaSearch, name];
}

export interface Amplification {
  readonly name: string;
  /** names tried until (and including) the name itself, as `searchExpansion` orders them */
  readonly names: readonly string[];
  /** record types glibc asks per name (getaddrinfo with AF_UNSPEC: A and AAAA) */
  readonly typesPerName: number;
  /** queries one lookup sends when only the last name exists */
  readonly queries: number;
}

/**
 * How many queries one lookup of an existing external `name` costs: every search-list name
 * tried before the name itself gets NXDOMAIN (checks.md, DNS-RESOLV-CONF: ndots:5 with 4
 * search domains → 5 names × A+AAAA = 10 queries).
 */
export function amplification(
  name: string,
  conf: Pick<ResolvConf, 'ndots' | 'search'>,
  typesPerName = 2,
): Amplification {
  const expansion = searchExpansion(name, conf);
  const bare = name.replace(/\.$/, '');
  const upTo = expansion.indexOf(bare);
  const names = upTo < 0 ? expansion : expansion.slice(0, upTo + 1);
  return { name, names, typesPerName, queries: names.length * typesPerName };
}

/**
 * AWS's own link-local services: the VPC resolver (169.254.169.253), instance metadata
 * (169.254.169.254), the time sync service (169.254.169.123) and the ECS task metadata
 * endpoint (169.254.170.2). Link-local, yet never NodeLocal DNSCache.
 *
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/AmazonDNS-concepts.html
 */
export const AWS_LINK_LOCAL_SERVICES = [
  '169.254.169.253',
  '169.254.169.254',
  '169.254.169.123',
  '169.254.170.2',
] as const;

/**
 * Whether a nameserver address can be NodeLocal DNSCache: an IPv4 link-local address
 * (169.254.0.0/16 — 169.254.20.10 by default, 169.254.25.10 on some distributions) that is not
 * one of AWS's link-local services. A pod whose nameserver is 169.254.169.253 talks to the VPC
 * resolver directly and cannot resolve Services.
 *
 * @see https://kubernetes.io/docs/tasks/administer-cluster/nodelocaldns/
 */
export function isNodeLocalCandidate(address: string): boolean {
  return (
    /^169\.254\.\d{1,3}\.\d{1,3}$/.test(address) &&
    !(AWS_LINK_LOCAL_SERVICES as readonly string[]).includes(address)
  );
}
