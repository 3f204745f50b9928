/** A fleet JSON report (conventions.md): `{ scan, clusters: [ClusterResult…], coverage }`. */
import { fleetReportSchema, formatSchemaError } from '../schema/index.js';
import type { ClusterResult, CoverageGap, FleetReport, ScanRef } from '../schema/index.js';
import { ResultsError } from './errors.js';

/** What a fleet report is made of. */
export interface FleetReportInput {
  /** the scan, finished */
  readonly scan: ScanRef;
  readonly clusters: readonly ClusterResult[];
  /** accounts, regions or clusters that could not be scanned, and why; @default none */
  readonly gaps?: readonly CoverageGap[];
}

/**
 * The fleet report of one scan: every cluster result carries that scan, and the coverage counts
 * the accounts and account×regions that have clusters in the report.
 *
 * @throws ResultsError when the report does not match the result schema (a bug of the producer)
 */
export function buildFleetReport(input: FleetReportInput): FleetReport {
  const { scan, clusters } = input;
  const report: FleetReport = {
    scan,
    clusters: clusters.map((c) => ({ ...c, scan })),
    coverage: {
      accounts: new Set(clusters.map((c) => c.cluster.accountId)).size,
      regions: new Set(clusters.map((c) => `${c.cluster.accountId} ${c.cluster.region}`)).size,
      clustersScanned: clusters.length,
      gaps: [...(input.gaps ?? [])],
    },
  };
  const valid = fleetReportSchema.safeParse(report);
  if (!valid.success)
    throw new ResultsError(
      `the fleet report does not match the result schema: ${formatSchemaError(valid.error)}`,
    );
  return report;
}
