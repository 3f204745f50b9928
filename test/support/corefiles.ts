/** Corefiles shared by tests: one copy of each, so every test parses the same text. */

/** The Corefile of the EKS CoreDNS add-on (lives with the fake AWS world, which builds clusters with it). */
export { EKS_DEFAULT_COREFILE } from '../../lab/fake-aws/world.js';
