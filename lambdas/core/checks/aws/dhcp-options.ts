import { makeResult } from '../../catalog/make-result.js';
import type { CheckResult } from '../../schema/results.js';
import type { NetworkSnapshot } from '../../snapshot/network-snapshot-schema.js';
import type { AuditContext } from './audit-context.js';
import { collectionErrorResult, errorResult } from './evidence.js';

const ID = 'NET-DHCP-OPTIONS';
export const AMAZON_PROVIDED_DNS = 'AmazonProvidedDNS';

/** The VPC's `domain-name-servers`, or an explanation of why they are unknown. */
export type DhcpNameServers =
  | {
      readonly known: true;
      readonly servers: readonly string[];
      readonly optionsId: string | undefined;
      /** set when the servers were inferred from an absent `dhcpOptions` */
      readonly note?: string;
    }
  | { readonly known: false; readonly reason: string };

/**
 * The DHCP options' `domain-name-servers` (what nodes' resolv.conf — and so CoreDNS's
 * `forward . /etc/resolv.conf` — uses). An empty list means none configured: AmazonProvidedDNS.
 * An absent `dhcpOptions` means none too (network-snapshot.md: absent data not named in
 * `collectionErrors` is "none"), unless `ec2:DescribeDhcpOptions` failed: then they are unknown.
 */
export function dhcpNameServers(snapshot: NetworkSnapshot): DhcpNameServers {
  const options = snapshot.dhcpOptions;
  const vpcOptionsId = snapshot.vpc.DhcpOptionsId;
  if (!options) {
    const failed = snapshot.collectionErrors.find((e) => e.call === 'ec2:DescribeDhcpOptions');
    if (failed) {
      return {
        known: false,
        reason: `DHCP options set ${vpcOptionsId ?? '(unknown)'} of ${snapshot.vpc.VpcId} not collected: ${failed.call} failed (${failed.code ?? 'no error code'}${failed.message ? `: ${failed.message}` : ''})`,
      };
    }
    // "default" (or no id) means no options set is associated: instances use the Amazon DNS server.
    if (vpcOptionsId === undefined || vpcOptionsId === 'default')
      return { known: true, servers: [], optionsId: vpcOptionsId };
    return {
      known: true,
      servers: [],
      optionsId: vpcOptionsId,
      note: `DHCP options set ${vpcOptionsId} is not in the snapshot (absent means none): no domain-name-servers, so AmazonProvidedDNS`,
    };
  }
  const servers = options.DhcpConfigurations.filter((c) => c.Key === 'domain-name-servers')
    .flatMap((c) => c.Values.map((v) => v.Value))
    .filter((v): v is string => v !== undefined && v.trim() !== '')
    .flatMap((v) => v.split(',').map((s) => s.trim()));
  return { known: true, servers, optionsId: options.DhcpOptionsId ?? vpcOptionsId };
}

/**
 * NET-DHCP-OPTIONS: custom `domain-name-servers` become CoreDNS's upstream.
 *
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/DHCPOptionSet.html
 */
export function checkDhcpOptions(ctx: AuditContext): CheckResult {
  const errors = ctx.collectionErrorsFor(ID);
  if (errors.length > 0) return collectionErrorResult(ID, errors);
  const found = dhcpNameServers(ctx.snapshot);
  if (!found.known) return errorResult(ID, found.reason);
  const custom = found.servers.filter((s) => s !== AMAZON_PROVIDED_DNS);
  const evidence = {
    dhcpOptionsId: found.optionsId ?? null,
    domainNameServers: found.servers.length > 0 ? found.servers : [AMAZON_PROVIDED_DNS],
    ...(found.servers.length === 0
      ? { notes: [found.note ?? 'no domain-name-servers option: instances use AmazonProvidedDNS'] }
      : {}),
  };
  if (custom.length > 0) {
    return makeResult(ID, {
      status: 'WARN',
      evidence: {
        summary: `custom DHCP name servers ${custom.join(', ')}: CoreDNS forwards to them through the nodes' resolv.conf`,
        ...evidence,
        customNameServers: custom,
        resources: [found.optionsId, ...custom].filter((r): r is string => r !== undefined),
      },
    });
  }
  return makeResult(ID, {
    status: 'PASS',
    evidence: {
      summary: `DHCP options ${found.optionsId ?? '(default)'} use AmazonProvidedDNS`,
      ...evidence,
    },
  });
}
