/**
 * The one line and exit code the CLI prints for the errors the AWS SDK, the Kubernetes client
 * and our adapters raise: built from the libraries' own exception classes, as they throw them.
 */
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { ExpiredTokenException } from '@aws-sdk/client-sts';
import { CredentialsProviderError } from '@smithy/core/config';
import { ApiException } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { FleetApiStatusError, FleetApiUnreachableError } from '../../../lambdas/aws/api-client/index.js';
import { AssumeRoleError, toAwsCallError } from '../../../lambdas/aws/errors.js';
import { actionableError, roleOfPrincipal } from '../../../lambdas/cli/actionable-errors.js';
import { CliError, EXIT, UsageError } from '../../../lambdas/cli/errors.js';
import { registerCommand } from '../../../lambdas/cli/program.js';
import { runCliInProcess } from '../../support/cli-io.js';
import { toKubeAccessError } from '../../../lambdas/kube/errors.js';
import { ec2Error, stsAccessDenied } from '../aws/support/fake-aws.js';

const SCANNER_SESSION = 'arn:aws:sts::111122223333:assumed-role/fleet-dns-scanner/fleet-dns-scan';
const SCANNER_ROLE = 'arn:aws:iam::111122223333:role/fleet-dns-scanner';

const savedProfile = process.env.AWS_PROFILE;
afterEach(() => {
  if (savedProfile === undefined) delete process.env.AWS_PROFILE;
  else process.env.AWS_PROFILE = savedProfile;
});

/** The Kubernetes client's answer to a request the API server refused (its own exception class). */
function kubeStatus(code: 401 | 403, reason: string, message: string): ApiException<string> {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code });
  return new ApiException(
    code,
    `HTTP-Code: ${code}\nMessage: Unknown API Status Code!\nBody: ${body}`,
    body,
    {
      'content-type': 'application/json',
    },
  );
}

/** What node-fetch (the Kubernetes client's transport) rejects with when a connection fails. */
function fetchSystemError(url: string, code: string, detail: string): Error {
  return Object.assign(new Error(`request to ${url} failed, reason: ${detail}`), {
    name: 'FetchError',
    type: 'system',
    code,
    errno: code,
  });
}

describe('actionable errors', () => {
  it('missing credentials (the default chain found none): how to configure them, exit 1', () => {
    const err = new CredentialsProviderError('Could not load credentials from any providers', {
      tryNextLink: false,
    });
    const direct = actionableError(err);
    expect(direct.exitCode).toBe(EXIT.TOOL_ERROR);
    expect(direct.message).toBe(
      'no AWS credentials found: set AWS_PROFILE to a profile made with `aws configure` (or `aws configure sso`, then `aws sso login --profile PROFILE`), or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
    // as an adapter raises it: the SDK's error wrapped in AwsCallError
    const wrapped = toAwsCallError('ec2:DescribeVpcs', err);
    expect(wrapped).toBeDefined();
    expect(actionableError(wrapped)).toEqual(direct);
  });

  it('an expired SSO session: `aws sso login --profile P` with the profile in use', () => {
    process.env.AWS_PROFILE = 'fleet-admin';
    const err = new CredentialsProviderError(
      'The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login with the corresponding profile.',
      { tryNextLink: false },
    );
    const line = actionableError(toAwsCallError('sts:GetCallerIdentity', err));
    expect(line).toEqual({
      message:
        'the AWS credentials have expired: run `aws sso login --profile fleet-admin` (or refresh the session keys you exported), then try again',
      exitCode: EXIT.TOOL_ERROR,
    });
    // the token provider names the profile itself
    const named = new CredentialsProviderError(
      "The SSO session token associated with profile=team-dev was not found or is invalid. To refresh this SSO session run 'aws sso login' with the corresponding profile.",
      { tryNextLink: false },
    );
    expect(actionableError(named).message).toContain('`aws sso login --profile team-dev`');
  });

  it('an expired token (ExpiredTokenException, ExpiredToken): names the code, `aws sso login`', () => {
    delete process.env.AWS_PROFILE;
    const sts = new ExpiredTokenException({
      message: 'The security token included in the request is expired',
      $metadata: { httpStatusCode: 400 },
    });
    expect(actionableError(sts)).toEqual({
      message:
        'the AWS credentials have expired (ExpiredTokenException): run `aws sso login --profile PROFILE` (or refresh the session keys you exported), then try again',
      exitCode: EXIT.TOOL_ERROR,
    });
    const ec2 = toAwsCallError(
      'ec2:DescribeVpcs',
      ec2Error('ExpiredToken', 'The security token included in the request is expired', 400),
    );
    expect(actionableError(ec2).message).toMatch(
      /^the AWS credentials have expired \(ExpiredToken\): run `aws sso login/,
    );
  });

  it('AccessDenied: the action, the resource and the role (from the assumed-role session), exit 1', () => {
    const sdk = new EC2ServiceException({
      name: 'UnauthorizedOperation',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: `You are not authorized to perform this operation. User: ${SCANNER_SESSION} is not authorized to perform: ec2:DescribeVpcs on resource: arn:aws:ec2:eu-west-1:111122223333:vpc/* because no identity-based policy allows the ec2:DescribeVpcs action.`,
    });
    const expected = {
      message: `AWS denied ec2:DescribeVpcs on arn:aws:ec2:eu-west-1:111122223333:vpc/* (UnauthorizedOperation) to ${SCANNER_ROLE}: allow ec2:DescribeVpcs in that role's IAM policy (and check SCPs and permission boundaries)`,
      exitCode: EXIT.TOOL_ERROR,
    };
    expect(actionableError(sdk)).toEqual(expected);
    expect(actionableError(toAwsCallError('ec2:DescribeVpcs', sdk))).toEqual(expected);
    // EC2's bare wording (no principal): the adapter's call names the action
    const bare = toAwsCallError(
      'ec2:DescribeNetworkAcls',
      ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403),
    );
    expect(actionableError(bare).message).toBe(
      'AWS denied ec2:DescribeNetworkAcls (UnauthorizedOperation) to the credentials in use: allow ec2:DescribeNetworkAcls in their IAM policy (and check SCPs and permission boundaries)',
    );
  });

  it('AssumeRole denied: the member role, the caller, and its trust policy', () => {
    const member = 'arn:aws:iam::444455556666:role/fleet-dns-member';
    const sts = stsAccessDenied(member);
    const failure = toAwsCallError('sts:AssumeRole', sts)!;
    const err = new AssumeRoleError(member, failure.code, failure.awsMessage, { cause: sts });
    expect(actionableError(err)).toEqual({
      message: `cannot assume ${member} (AccessDenied) as arn:aws:sts::111122223333:assumed-role/fleet-dns-central/scan: its trust policy must allow arn:aws:iam::111122223333:role/fleet-dns-central to call sts:AssumeRole (with the external id, if it requires one), and your identity needs sts:AssumeRole on it`,
      exitCode: EXIT.TOOL_ERROR,
    });
  });

  it('a cluster endpoint that does not answer: names the endpoint and the likely reason', () => {
    const endpoint = 'https://0A1B2C3D4E5F.gr7.eu-west-1.eks.amazonaws.com';
    const refused = toKubeAccessError(
      'list nodes',
      fetchSystemError(
        `${endpoint}/api/v1/nodes?limit=500`,
        'ECONNREFUSED',
        'connect ECONNREFUSED 10.0.1.5:443',
      ),
    );
    expect(actionableError(refused)).toEqual({
      message: `the cluster endpoint ${endpoint} could not be reached (ECONNREFUSED): the cluster likely allows private endpoint access only (run from a network that routes to its VPC, or allow your address in publicAccessCidrs), or the network, proxy or DNS is in the way`,
      exitCode: EXIT.TOOL_ERROR,
    });
    // node's own error (no URL in it): the address it was connecting to, and the cluster a caller named
    const timedOut = Object.assign(new Error('connect ETIMEDOUT 10.0.1.5:443'), {
      code: 'ETIMEDOUT',
      address: '10.0.1.5',
      port: 443,
      syscall: 'connect',
    });
    const named = Object.assign(new Error('collecting prod-a failed', { cause: timedOut }), {
      clusterName: 'prod-a',
    });
    expect(actionableError(named).message).toMatch(
      /^the cluster endpoint 10\.0\.1\.5:443 of prod-a could not be reached \(ETIMEDOUT\): the cluster likely allows private endpoint access only/,
    );
    const unknownHost = toKubeAccessError(
      'list pods',
      fetchSystemError(
        `${endpoint}/api/v1/pods`,
        'ENOTFOUND',
        `getaddrinfo ENOTFOUND 0a1b2c3d4e5f.gr7.eu-west-1.eks.amazonaws.com`,
      ),
    );
    expect(actionableError(unknownHost).message).toContain(`${endpoint} could not be reached (ENOTFOUND)`);
  });

  it('an AWS endpoint that does not answer is not mistaken for a cluster', () => {
    const down = Object.assign(new Error('connect EHOSTUNREACH 10.9.9.9:443'), { code: 'EHOSTUNREACH' });
    const failure = toAwsCallError(
      'eks:DescribeCluster',
      Object.assign(down, { $fleetDnsEndpoint: 'https://eks.eu-west-1.amazonaws.com' }),
    );
    expect(actionableError(failure).message).toBe(
      'the AWS endpoint https://eks.eu-west-1.amazonaws.com could not be reached (EHOSTUNREACH): check the network, proxy and DNS, and any AWS_ENDPOINT_URL* override',
    );
  });

  it('no access entry (Kubernetes 401 / 403): the exact create-access-entry command and `fleet-dns onboard`', () => {
    const unauthorized = toKubeAccessError('list nodes', kubeStatus(401, 'Unauthorized', 'Unauthorized'));
    // the caller knows the cluster and the scanner's role
    const inScan = Object.assign(new Error('scan of prod-a failed', { cause: unauthorized }), {
      clusterName: 'prod-a',
      principalArn: SCANNER_SESSION,
    });
    expect(actionableError(inScan)).toEqual({
      message: `the Kubernetes API of cluster prod-a rejected the scanner’s identity (HTTP 401): give the role an access entry with \`aws eks create-access-entry --cluster-name prod-a --principal-arn ${SCANNER_ROLE} --kubernetes-groups fleet-dns-scanner\`, and apply the scanner's RBAC with \`fleet-dns onboard\``,
      exitCode: EXIT.TOOL_ERROR,
    });
    // the client's own exception, unwrapped and without context: placeholders to fill in
    const forbidden = kubeStatus(
      403,
      'Forbidden',
      'nodes is forbidden: User "arn:aws:sts::111122223333:assumed-role/fleet-dns-scanner/x" cannot list resource "nodes" in API group "" at the cluster scope',
    );
    expect(actionableError(forbidden).message).toBe(
      "the Kubernetes API of cluster CLUSTER forbade the cluster API to the scanner’s identity (HTTP 403): give the role an access entry with `aws eks create-access-entry --cluster-name CLUSTER --principal-arn ROLE_ARN --kubernetes-groups fleet-dns-scanner`, and apply the scanner's RBAC with `fleet-dns onboard`",
    );
  });

  it('the fleet-dns API: a 400 is a usage error with its message, a 403 names the credentials, unreachable is exit 1', () => {
    expect(
      actionableError(
        new FleetApiStatusError(400, 'invalid-parameter', 'targetVersion: expected 1.33', 'GET /x'),
      ),
    ).toEqual({
      message: 'the fleet-dns API refused the request: targetVersion: expected 1.33',
      exitCode: EXIT.USAGE,
    });
    const denied = actionableError(
      new FleetApiStatusError(
        403,
        'HTTP 403',
        `User: ${SCANNER_SESSION} is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:eu-west-1:111122223333:abc/prod/GET/summary`,
        'GET /prod/summary',
      ),
    );
    expect(denied.exitCode).toBe(EXIT.TOOL_ERROR);
    expect(denied.message).toMatch(
      /HTTP 403: .*: the credentials in use need execute-api:Invoke on this API/,
    );
    const down = new FleetApiUnreachableError('http://127.0.0.1:9/summary', 'ECONNREFUSED', '');
    expect(actionableError(down)).toEqual({
      message:
        'the fleet-dns API at http://127.0.0.1:9/summary could not be reached: ECONNREFUSED: check the URL (--api) and the network',
      exitCode: EXIT.TOOL_ERROR,
    });
  });

  it("a command's own CliError and an unknown error keep their message", () => {
    expect(actionableError(new UsageError('--port "x": expected a port'))).toEqual({
      message: '--port "x": expected a port',
      exitCode: EXIT.USAGE,
    });
    expect(actionableError(new CliError('forbidden', EXIT.TOOL_ERROR)).exitCode).toBe(EXIT.TOOL_ERROR);
    expect(actionableError(new TypeError('x is not a function'))).toEqual({
      message: 'x is not a function',
      exitCode: EXIT.TOOL_ERROR,
    });
  });

  it('roleOfPrincipal: an assumed-role session is its role; other ARNs stay', () => {
    expect(roleOfPrincipal(SCANNER_SESSION)).toBe(SCANNER_ROLE);
    expect(roleOfPrincipal('arn:aws-cn:sts::111122223333:assumed-role/r/s')).toBe(
      'arn:aws-cn:iam::111122223333:role/r',
    );
    expect(roleOfPrincipal('arn:aws:iam::111122223333:user/alice')).toBe(
      'arn:aws:iam::111122223333:user/alice',
    );
  });
});

// A command that fails as the scan does when the cluster refuses the scanner (this file's own program).
registerCommand((program) => {
  program.command('fail-for-test').action(() => {
    throw toKubeAccessError('list nodes', kubeStatus(401, 'Unauthorized', 'Unauthorized'));
  });
});

describe('runCli prints one line for an error', () => {
  it('no stack trace without --debug; the stack with it; exit 1 both times', async () => {
    const plain = await runCliInProcess(['fail-for-test']);
    expect(plain.code).toBe(EXIT.TOOL_ERROR);
    expect(plain.stdout).toBe('');
    expect(plain.stderr.split('\n')).toEqual([
      expect.stringMatching(
        /^fleet-dns: error: the Kubernetes API of cluster CLUSTER rejected the scanner’s identity \(HTTP 401\): give the role an access entry with `aws eks create-access-entry /,
      ),
      '',
    ]);
    const debug = await runCliInProcess(['--debug', 'fail-for-test']);
    expect(debug.code).toBe(EXIT.TOOL_ERROR);
    const [first, ...rest] = debug.stderr.split('\n');
    expect(first).toBe(plain.stderr.split('\n')[0]);
    expect(rest[0]).toMatch(/^KubeAccessError: list nodes: HTTP 401/);
    expect(rest.some((line) => /^\s+at /.test(line))).toBe(true);
  });
});
