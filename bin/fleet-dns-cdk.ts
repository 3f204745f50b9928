#!/usr/bin/env node
/**
 * The CDK app (cdk.json `"app"`): the central stack `FleetDns` and the member-account stack
 * `FleetDnsMember` (the scanner role; deploy it with StackSets, lib/README.md § Deploy). Both are
 * checked with cdk-nag's AWS Solutions rules at synth: an unsuppressed error fails the synth.
 */
import { App, Aspects, DefaultStackSynthesizer } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readFleetDnsConfig, readMemberConfig } from '../lib/config.js';
import { FleetDnsMemberStack } from '../lib/fleet-dns-member-stack.js';
import { FleetDnsStack } from '../lib/fleet-dns-stack.js';

const app = new App();
// Environment-agnostic unless the CLI's profile gives one: the app does no lookups.
const env =
  process.env.CDK_DEFAULT_ACCOUNT && process.env.CDK_DEFAULT_REGION
    ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }
    : undefined;

new FleetDnsStack(app, 'FleetDns', {
  description: 'fleet-dns: fleet-wide DNS health scanner for Amazon EKS (central account)',
  config: readFleetDnsConfig(app.node),
  ...(env ? { env } : {}),
});
new FleetDnsMemberStack(app, 'FleetDnsMember', {
  description: 'fleet-dns: the scanner role of a member account (read-only EC2/EKS describes)',
  config: readMemberConfig(app.node),
  // StackSets deploy the template as is into accounts that were never bootstrapped: no assets,
  // and no BootstrapVersion parameter pointing at an SSM parameter that is not there.
  synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
  ...(env ? { env } : {}),
});
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
