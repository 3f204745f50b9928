/** The JSON report: the fleet report exactly (`{ scan, clusters, coverage }`, result.schema.json). */
import type { FleetReport } from '../schema/index.js';
import type { ReportModel } from './report-model.js';

/**
 * The fleet report of the model, without the previous scan (which is the previous report's), as
 * indented JSON with a final newline.
 */
export function renderJson(model: ReportModel): string {
  const { scan, clusters, coverage } = model;
  const report: FleetReport = { scan, clusters, coverage };
  return `${JSON.stringify(report, null, 2)}\n`;
}
