export { stepFunctionsScanStarter } from './start-fleet-scan.js';
export type {
  FleetScanRequest,
  StartedFleetScan,
  StepFunctionsScanStarterOptions,
} from './start-fleet-scan.js';
