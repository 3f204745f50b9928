/**
 * The runner's DNS client contract: every probe (resolution checks, per-endpoint, TCP fallback,
 * latency, Corefile forwarders, NodeLocal) sends its queries through a `QueryDns` function, so
 * the probe budget and the observation log see every packet the runner sends.
 */

export type DnsTransport = 'udp' | 'tcp';

export interface DnsQuery {
  /** IPv4/IPv6 address of the server (ClusterIP, pod IP, NodeLocal address, forwarder) */
  readonly server: string;
  /** @default 53 */
  readonly port?: number;
  readonly name: string;
  /** record type, e.g. 'A', 'AAAA', 'SRV' */
  readonly type: string;
  readonly transport: DnsTransport;
  /** @default 2000 */
  readonly timeoutMs?: number;
}

/** What came of one query. Never throws for a network failure: `outcome` says what happened. */
export type DnsOutcome =
  | {
      readonly outcome: 'answer';
      /** NOERROR, NXDOMAIN, SERVFAIL, REFUSED, … */
      readonly rcode: string;
      /** rdata of the answer section as text (addresses for A/AAAA) */
      readonly answers: readonly string[];
      readonly truncated: boolean;
      readonly latencyMs: number;
    }
  | { readonly outcome: 'timeout'; readonly latencyMs: number }
  | { readonly outcome: 'error'; readonly error: string; readonly latencyMs: number };

export type QueryDns = (query: DnsQuery) => Promise<DnsOutcome>;
