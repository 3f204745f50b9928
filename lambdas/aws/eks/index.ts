export { collectClusterAddons, loadAddonVersions } from './addons.js';
export type { AddonVersionsResult, ClusterAddons } from './addons.js';
export { CLUSTER_ID_HEADER, createEksToken, EKS_TOKEN_PREFIX, stsHost } from './eks-token.js';
export type { EksToken, EksTokenOptions } from './eks-token.js';
export {
  awsAuthMapRolesEntry,
  ensureScannerAccessEntry,
  iamRoleArnProblem,
  parseIamRoleArn,
  SCANNER_USERNAME,
} from './access-entry.js';
export type {
  AuthenticationModeName,
  EnsureScannerAccessInput,
  IamRoleArn,
  ScannerAccess,
} from './access-entry.js';
