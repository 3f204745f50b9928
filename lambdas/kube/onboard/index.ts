/** Applying the onboarding objects with an admin kubeconfig: create-or-replace, idempotent. */
export { applyOnboarding } from './apply-onboarding.js';
export type {
  ApplyAction,
  AppliedObject,
  AppliedOnboarding,
  ApplyOnboardingInput,
} from './apply-onboarding.js';
