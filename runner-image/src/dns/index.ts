export { createQueryDns, DEFAULT_TIMEOUT_MS, DNS_PORT } from './query.js';
export type { CreateQueryDnsOptions, DnsClient, DnsPairOutcome, DnsPairQuery } from './query.js';
export type { DnsOutcome, DnsQuery, DnsTransport, QueryDns } from './types.js';
export { DnsClientError } from './errors.js';
