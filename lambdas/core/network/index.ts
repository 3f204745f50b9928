/**
 * Shared network evaluators for every NET-* check: CIDR math, port intervals, security groups,
 * network ACLs, ENI/address ownership, cluster clients, CoreDNS placement, DNS paths and the grouped
 * pair audit. See README.md for the reasoning and the AWS documentation it follows.
 */
export * from './cidr.js';
export * from './ports.js';
export * from './protocol.js';
export * from './security-groups.js';
export * from './nacl.js';
export * from './eni-index.js';
export * from './cluster-clients.js';
export * from './dns-pod-placement.js';
export * from './network-model.js';
export * from './amazon-dns.js';
export * from './dns-path.js';
export * from './dns-pair-audit.js';
export { NetworkEvaluationError, AddressParseError } from './errors.js';
