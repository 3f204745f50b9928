/**
 * What every section-A check shares for one snapshot: the network model, the cluster's clients,
 * the CoreDNS placement, the pair audit (computed once, on first use) and the "missing data"
 * rules of network-snapshot.md, decided here once for every check.
 */
import type { CheckId } from '../../catalog/check-catalog.js';
import { clusterClientEnis } from '../../network/cluster-clients.js';
import type { ClientEni } from '../../network/cluster-clients.js';
import { auditDnsPairs } from '../../network/dns-pair-audit.js';
import type { DnsPairAudit } from '../../network/dns-pair-audit.js';
import { placeDnsPods } from '../../network/dns-pod-placement.js';
import type { DnsPodPlacement } from '../../network/dns-pod-placement.js';
import { buildNetworkModel } from '../../network/network-model.js';
import type { NetworkModel } from '../../network/network-model.js';
import type { PortInterval } from '../../network/ports.js';
import { checksNamedBy } from '../../snapshot/checks-fed-by.js';
import type { NetworkSnapshot, SnapshotCollectionError } from '../../snapshot/network-snapshot-schema.js';

/** Options of the AWS-side audit. */
export interface AwsAuditOptions {
  /**
   * The client's ephemeral (source) port range that DNS replies go to.
   * @default { from: 32768, to: 60999 } (Linux `net.ipv4.ip_local_port_range`)
   */
  readonly ephemeralRange?: { readonly from: number; readonly to: number };
  /** An EKS version to judge add-on compatibility against (e.g. `1.33`), besides the current one. */
  readonly targetVersion?: string;
}

/** Why placement-dependent checks cannot run, if they cannot. */
export type PlacementState =
  | { readonly state: 'not-consulted'; readonly reason: string }
  | { readonly state: 'no-pods'; readonly reason: string }
  | { readonly state: 'ready'; readonly placement: DnsPodPlacement };

export class AuditContext {
  readonly model: NetworkModel;
  private cachedClients: ClientEni[] | undefined;
  private cachedPlacement: PlacementState | undefined;
  private cachedPairs: DnsPairAudit | undefined;

  constructor(
    readonly snapshot: NetworkSnapshot,
    readonly ephemeralRange: PortInterval,
    readonly targetVersion: string | undefined,
  ) {
    this.model = buildNetworkModel(snapshot);
  }

  /** The `collectionErrors` entries whose failure leaves `checkId` without input. */
  collectionErrorsFor(checkId: CheckId): SnapshotCollectionError[] {
    return this.snapshot.collectionErrors.filter((e) => checksNamedBy(e).includes(checkId));
  }

  get clients(): ClientEni[] {
    this.cachedClients ??= clusterClientEnis(this.snapshot, this.model.enis);
    return this.cachedClients;
  }

  get placement(): PlacementState {
    if (!this.cachedPlacement) {
      const k8s = this.snapshot.kubernetes;
      if (!k8s) {
        this.cachedPlacement = {
          state: 'not-consulted',
          reason:
            'the snapshot has no kubernetes block: CoreDNS pod and node placement were not collected, so the paths to CoreDNS cannot be evaluated',
        };
      } else if (k8s.access && !k8s.access.reachable) {
        this.cachedPlacement = {
          state: 'not-consulted',
          reason: `the cluster API was not reachable (${k8s.access.reason ?? 'no reason given'}): CoreDNS pod and node placement are unknown`,
        };
      } else if (k8s.dnsPods.length === 0) {
        this.cachedPlacement = {
          state: 'no-pods',
          reason:
            'no CoreDNS pods in the snapshot: there is no path to evaluate (K8S-DNS-ENDPOINTS reports the outage itself)',
        };
      } else {
        this.cachedPlacement = { state: 'ready', placement: placeDnsPods(this.snapshot, this.model.enis) };
      }
    }
    return this.cachedPlacement;
  }

  /** The pair audit; only valid when `placement.state === 'ready'`. */
  pairAudit(placement: DnsPodPlacement): DnsPairAudit {
    this.cachedPairs ??= auditDnsPairs(this.model, this.clients, placement.placed, {
      ephemeralRange: this.ephemeralRange,
    });
    return this.cachedPairs;
  }
}
