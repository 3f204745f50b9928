import { CHECK_IDS } from '../../catalog/check-catalog.js';
import type { CheckId } from '../../catalog/check-catalog.js';
import { LINUX_EPHEMERAL_RANGE, portIntervalProblem } from '../../network/ports.js';
import type { CheckResult } from '../../schema/results.js';
import type { NetworkSnapshot } from '../../snapshot/network-snapshot-schema.js';
import { AuditContext } from './audit-context.js';
import type { AwsAuditOptions } from './audit-context.js';
import { checkCorednsAddon, parseEksVersion } from './coredns-addon.js';
import { checkComputeMode } from './compute-mode.js';
import { checkCorednsEniSpread } from './coredns-eni-spread.js';
import { checkDhcpOptions } from './dhcp-options.js';
import { checkDnsFirewall } from './dns-firewall.js';
import { checkDnsPairs } from './dns-pair-checks.js';
import { checkEndpointAccess } from './endpoint-access.js';
import { AwsAuditError } from './errors.js';
import { checkResolverRules } from './resolver-rules.js';
import { checkUpstreamReach } from './upstream-reach.js';
import { checkVpcDnsAttributes } from './vpc-dns-attributes.js';

type AwsCheck = (ctx: AuditContext) => CheckResult;

/** The implementation of every AWS-side check: section A, and the § C checks the snapshot decides. */
const AWS_CHECKS: Partial<Record<CheckId, AwsCheck>> = {
  'NET-VPC-DNS-ATTRIBUTES': checkVpcDnsAttributes,
  'NET-DHCP-OPTIONS': checkDhcpOptions,
  'NET-SG-DNS-UDP': (ctx) => checkDnsPairs(ctx, 'security-groups', 'udp'),
  'NET-SG-DNS-TCP': (ctx) => checkDnsPairs(ctx, 'security-groups', 'tcp'),
  'NET-NACL-DNS-UDP': (ctx) => checkDnsPairs(ctx, 'network-acls', 'udp'),
  'NET-NACL-DNS-TCP': (ctx) => checkDnsPairs(ctx, 'network-acls', 'tcp'),
  'NET-COREDNS-ENI-SPREAD': checkCorednsEniSpread,
  'NET-UPSTREAM-REACH': checkUpstreamReach,
  'EKS-COREDNS-ADDON': checkCorednsAddon,
  'EKS-ENDPOINT-ACCESS': checkEndpointAccess,
  // § C
  'EKS-COMPUTE-MODE': checkComputeMode,
  // § C, from the @2 Resolver data (SKIPPED on an @1 snapshot).
  'NET-RESOLVER-RULES': checkResolverRules,
  'NET-DNS-FIREWALL': checkDnsFirewall,
};

/**
 * The AWS-side check ids this audit evaluates, in catalog order: the ones with an evaluator above
 * (the catalog also holds § C checks whose evaluators are not written yet).
 */
export const AWS_CHECK_IDS: readonly CheckId[] = CHECK_IDS.filter((id) => AWS_CHECKS[id] !== undefined);

function validatedRange(range: { from: number; to: number } | undefined): { from: number; to: number } {
  if (range === undefined) return LINUX_EPHEMERAL_RANGE;
  const problem = portIntervalProblem(range);
  if (problem !== undefined) throw new AwsAuditError(`ephemeralRange: ${problem}`);
  return { from: range.from, to: range.to };
}

function validatedTargetVersion(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const version = parseEksVersion(text);
  if (version === undefined)
    throw new AwsAuditError(
      `targetVersion ${JSON.stringify(text)}: expected an EKS version MAJOR.MINOR, e.g. 1.33`,
    );
  return version;
}

/**
 * The AWS-side DNS path audit: one result per AWS-side check (the ten of section A, and
 * EKS-COMPUTE-MODE and the two Resolver checks of § C, always, in catalog order),
 * a pure function of the snapshot. Findings never throw; unusable options do ({@link AwsAuditError}):
 * an ephemeral range that is not a port range, a target version that is not `MAJOR.MINOR`.
 *
 * @example
 * const checks = auditNetworkSnapshot(parseNetworkSnapshot(json), { targetVersion: '1.33' });
 * checks.find((c) => c.id === 'NET-SG-DNS-UDP')?.status // 'PASS' | 'FAIL' | 'ERROR' | 'SKIPPED'
 * @see ../../../../../shared/checks.md (§A) and ../../../../../shared/network-snapshot.md
 */
export function auditNetworkSnapshot(
  snapshot: NetworkSnapshot,
  options: AwsAuditOptions = {},
): CheckResult[] {
  const ctx = new AuditContext(
    snapshot,
    validatedRange(options.ephemeralRange),
    validatedTargetVersion(options.targetVersion),
  );
  return AWS_CHECK_IDS.map((id) => {
    const check = AWS_CHECKS[id];
    if (!check) throw new AwsAuditError(`no implementation for AWS-side check ${id}`);
    return check(ctx);
  });
}
