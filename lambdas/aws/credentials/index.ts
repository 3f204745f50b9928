export {
  assumeRole,
  assumeRoleCredentials,
  getCallerIdentity,
  roleArnFor,
  scanSessionName,
} from './assume-role.js';
export type { AssumeRoleOptions, CallerIdentity } from './assume-role.js';
