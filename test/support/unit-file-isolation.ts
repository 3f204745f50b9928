/**
 * Setup file of the unit project, run before each unit test file.
 *
 * Unit files share their worker (`isolate: false` in vitest.config.ts): a worker imports the SDKs,
 * the CDK and the schemas once instead of once per file. Measured on the 2-core CI machine: the
 * unit phase took ~450 s isolated (344 s of it importing) and ~210 s shared.
 *
 * The price is that one file's leftovers in the process would reach the next file. So:
 *  - what a file may legitimately change for itself is put back after it: environment variables
 *    (written directly or with vi.stubEnv), stubbed globals, fake timers, spies, the working
 *    directory, the exit code;
 *  - an AWS SDK client class whose `send` is still stubbed by aws-sdk-client-mock after the file
 *    is a mistake in that file (it must `restore()` its stub): the file fails, naming the class,
 *    instead of another file failing later with `undefined` answers.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, vi } from 'vitest';

const MOCKABLE_CLIENTS: ReadonlyArray<{ name: string; prototype: object }> = [
  EC2Client,
  EKSClient,
  EventBridgeClient,
  OrganizationsClient,
  Route53ResolverClient,
  S3Client,
  SecurityHubClient,
  SFNClient,
  STSClient,
];

const envBefore = { ...process.env };
const cwdBefore = process.cwd();

/** `send` replaced on the class itself by a sinon stub (aws-sdk-client-mock's `mockClient(Class)`). */
function stubbedSend(prototype: object): boolean {
  if (!Object.prototype.hasOwnProperty.call(prototype, 'send')) return false;
  const send = (prototype as { send?: { restore?: unknown } }).send;
  return typeof send?.restore === 'function';
}

afterAll(() => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  vi.useRealTimers();
  vi.restoreAllMocks();
  for (const key of Object.keys(process.env)) if (!(key in envBefore)) delete process.env[key];
  Object.assign(process.env, envBefore);
  if (process.cwd() !== cwdBefore) process.chdir(cwdBefore);
  process.exitCode = undefined;

  const leaked = MOCKABLE_CLIENTS.filter((c) => stubbedSend(c.prototype));
  for (const c of leaked) (c.prototype as { send: { restore(): void } }).send.restore();
  if (leaked.length > 0)
    throw new Error(
      `this file left ${leaked.map((c) => c.name).join(', ')}.send stubbed: call restore() on its mockClient stub after the file (afterAll)`,
    );
});
