/**
 * What the CLI says when a command fails: one line a person can act on, and the exit code
 * (conventions.md: 1 for a tool error, 2 for unusable arguments). The errors the AWS SDK, the
 * Kubernetes client and our adapters raise are recognised anywhere in the `cause` chain (an
 * adapter wraps the SDK's error), and each becomes the fix rather than the symptom: how to
 * configure credentials, `aws sso login`, the action and role AWS denied, why a cluster endpoint
 * may not answer, the access entry to create. Anything else keeps its own message.
 */
import { ApiException } from '@kubernetes/client-node';
import { FleetApiError, FleetApiStatusError, FleetApiUnreachableError } from '../aws/api-client/index.js';
import { AssumeRoleError, AwsCallError } from '../aws/errors.js';
import { KubeAccessError, toKubeAccessError } from '../kube/errors.js';
import { CliError, EXIT } from './errors.js';
import type { ExitCode } from './errors.js';

/** The line to print (without the `fleet-dns: error: ` prefix) and the exit code. */
export interface ActionableError {
  readonly message: string;
  readonly exitCode: ExitCode;
}

/** The group the shipped RBAC binds (lambdas/kube/manifests); an access entry maps the role into it. */
const SCANNER_GROUP = 'fleet-dns-scanner';
/** Causes followed at most (a cycle or a very deep chain ends there). */
const MAX_CHAIN = 8;

const CREDENTIALS_SETUP =
  'set AWS_PROFILE to a profile made with `aws configure` (or `aws configure sso`, then `aws sso login --profile PROFILE`), or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
const EXPIRED_CODES: ReadonlySet<string> = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'TokenRefreshRequired',
]);
const EXPIRED_MESSAGE =
  /\b(session\b.*\bhas expired|token\b.*\b(is |has )?expired|expired\b.*\btoken|sso session\b.*\b(expired|invalid))/i;
const DENIED_CODES: ReadonlySet<string> = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'AuthorizationError',
]);
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
/** AWS's wording: `User: arn:… is not authorized to perform: ec2:DescribeVpcs [on resource: arn:…]`. */
const NOT_AUTHORIZED =
  /User: (arn:[^\s]+) is not authorized to perform: ([\w-]+:[\w*]+)(?: on resource:? (arn:[^\s,]+|[^\s,]+))?/;

interface ErrorFields {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  cause?: unknown;
  $metadata?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
  /** context a caller may attach to an error (any layer of the chain) */
  clusterName?: unknown;
  principalArn?: unknown;
  roleArn?: unknown;
  endpoint?: unknown;
}

/** `err` and its causes, outermost first. */
function chainOf(err: unknown): ErrorFields[] {
  const chain: ErrorFields[] = [];
  let current: unknown = err;
  while (current !== null && typeof current === 'object' && chain.length < MAX_CHAIN) {
    if (chain.includes(current as ErrorFields)) break;
    chain.push(current as ErrorFields);
    current = (current as ErrorFields).cause;
  }
  return chain;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
/** The AWS error code of an SDK error (`name` of a service exception), else the errno `code`. */
const codeOf = (e: ErrorFields): string | undefined =>
  e instanceof AwsCallError
    ? e.code
    : (text(e.Code) ?? (e.$metadata !== undefined ? text(e.name) : text(e.code)));
/** The first string a layer of the chain carries in `field`. */
const contextOf = (chain: readonly ErrorFields[], field: keyof ErrorFields): string | undefined => {
  for (const e of chain) {
    const value = text(e[field]);
    if (value !== undefined) return value;
  }
  return undefined;
};

/** The IAM role an STS assumed-role ARN is a session of (`arn:aws:iam::ACCOUNT:role/NAME`), else the ARN. */
export function roleOfPrincipal(principal: string): string {
  const assumed = /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(principal);
  return assumed ? `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}` : principal;
}

function missingCredentials(e: ErrorFields): ActionableError | undefined {
  const message = text(e.message) ?? '';
  if (e.name !== 'CredentialsProviderError' && !/Could not load credentials from any providers/.test(message))
    return undefined;
  if (EXPIRED_MESSAGE.test(message)) return undefined; // an expired SSO session says so: expiredCredentials
  // The chain's own reason when it is more than "none found" (a profile that does not exist…).
  const reason =
    /Could not load credentials from any providers/.test(message) || message === '' ? '' : ` (${message})`;
  return { message: `no AWS credentials found${reason}: ${CREDENTIALS_SETUP}`, exitCode: EXIT.TOOL_ERROR };
}

function expiredCredentials(e: ErrorFields): ActionableError | undefined {
  const code = codeOf(e);
  const message = text(e.message) ?? '';
  if (!(code !== undefined && EXPIRED_CODES.has(code)) && !EXPIRED_MESSAGE.test(message)) return undefined;
  const profile = /profile=([\w.@-]+)/.exec(message)?.[1] ?? text(process.env.AWS_PROFILE) ?? 'PROFILE';
  return {
    message: `the AWS credentials have expired${code && EXPIRED_CODES.has(code) ? ` (${code})` : ''}: run \`aws sso login --profile ${profile}\` (or refresh the session keys you exported), then try again`,
    exitCode: EXIT.TOOL_ERROR,
  };
}

function accessDenied(e: ErrorFields, chain: readonly ErrorFields[]): ActionableError | undefined {
  const code = codeOf(e);
  const denied =
    (e instanceof AwsCallError && e.kind === 'denied' && !EXPIRED_CODES.has(e.code)) ||
    (e instanceof AssumeRoleError && DENIED_CODES.has(e.code)) ||
    (e.$metadata !== undefined && code !== undefined && DENIED_CODES.has(code));
  if (!denied) return undefined;
  const message = e instanceof AwsCallError ? e.awsMessage : (text(e.message) ?? '');
  const parsed = NOT_AUTHORIZED.exec(message);
  const action = parsed?.[2] ?? (e instanceof AwsCallError ? e.call : undefined);
  const principal = parsed?.[1];
  const role = principal !== undefined ? roleOfPrincipal(principal) : contextOf(chain, 'roleArn');
  if (e instanceof AssumeRoleError)
    return {
      message: `cannot assume ${e.roleArn} (${e.code})${principal ? ` as ${principal}` : ''}: its trust policy must allow ${role ? roleOfPrincipal(role) : 'your identity'} to call sts:AssumeRole (with the external id, if it requires one), and your identity needs sts:AssumeRole on it`,
      exitCode: EXIT.TOOL_ERROR,
    };
  const on = parsed?.[3] !== undefined ? ` on ${parsed[3]}` : '';
  return {
    message: `AWS denied ${action ?? 'the call'}${on} (${code ?? 'AccessDenied'}) to ${role ?? 'the credentials in use'}: allow ${action ?? 'it'} in ${role ? "that role's" : 'their'} IAM policy (and check SCPs and permission boundaries)`,
    exitCode: EXIT.TOOL_ERROR,
  };
}

function kubeAccessOf(e: ErrorFields): KubeAccessError | undefined {
  if (e instanceof KubeAccessError) return e;
  if (e instanceof ApiException) return toKubeAccessError('the cluster API', e);
  return undefined;
}

function noAccessEntry(e: ErrorFields, chain: readonly ErrorFields[]): ActionableError | undefined {
  const access = kubeAccessOf(e);
  if (access === undefined || (access.failure !== 'unauthorized' && access.failure !== 'forbidden'))
    return undefined;
  const cluster = contextOf(chain, 'clusterName') ?? 'CLUSTER';
  const role = contextOf(chain, 'principalArn') ?? contextOf(chain, 'roleArn') ?? 'ROLE_ARN';
  const status = access.httpStatus ?? (access.failure === 'unauthorized' ? 401 : 403);
  const seen =
    access.failure === 'unauthorized'
      ? 'rejected the scanner’s identity'
      : `forbade ${access.what} to the scanner’s identity`;
  return {
    message: `the Kubernetes API of cluster ${cluster} ${seen} (HTTP ${status}): give the role an access entry with \`aws eks create-access-entry --cluster-name ${cluster} --principal-arn ${roleOfPrincipal(role)} --kubernetes-groups ${SCANNER_GROUP}\`, and apply the scanner's RBAC with \`fleet-dns onboard\``,
    exitCode: EXIT.TOOL_ERROR,
  };
}

/** Where a connection failure was going: a field some layer set, else the errno's address. */
function endpointOf(chain: readonly ErrorFields[]): string | undefined {
  const named = contextOf(chain, 'endpoint');
  if (named !== undefined) return named;
  for (const e of chain) {
    // node-fetch (the Kubernetes client) says `request to https://HOST/path failed, reason: …`
    const requested = /\brequest to (https?:\/\/[^/\s]+)/.exec(text(e.message) ?? '');
    if (requested) return requested[1];
  }
  for (const e of chain) {
    const address = text(e.address) ?? text(e.hostname);
    if (address !== undefined) return typeof e.port === 'number' ? `${address}:${e.port}` : address;
    const inMessage = /\b(?:connect|getaddrinfo) [A-Z]+ ([^\s]+)/.exec(text(e.message) ?? '');
    if (inMessage) return inMessage[1];
  }
  return undefined;
}

function unreachable(e: ErrorFields, chain: readonly ErrorFields[]): ActionableError | undefined {
  const access = kubeAccessOf(e);
  const code = e instanceof AwsCallError ? e.code : text(e.code);
  const kubeDown = access !== undefined && (access.failure === 'unreachable' || access.failure === 'timeout');
  if (!kubeDown && !(code !== undefined && NETWORK_CODES.has(code))) return undefined;
  // the system error's code, from whichever layer carries it (the adapter wraps it)
  const systemCode = chain.map((c) => text(c.code)).find((c) => c !== undefined && NETWORK_CODES.has(c));
  const why =
    code ?? systemCode ?? (access?.failure === 'timeout' ? 'no answer in time' : 'connection failed');
  const endpoint = endpointOf(chain);
  if (chain.some((c) => c instanceof AwsCallError))
    return {
      message: `the AWS endpoint${endpoint ? ` ${endpoint}` : ''} could not be reached (${why}): check the network, proxy and DNS, and any AWS_ENDPOINT_URL* override`,
      exitCode: EXIT.TOOL_ERROR,
    };
  const cluster = contextOf(chain, 'clusterName');
  return {
    message: `the cluster endpoint${endpoint ? ` ${endpoint}` : ''}${cluster ? ` of ${cluster}` : ''} could not be reached (${why}): the cluster likely allows private endpoint access only (run from a network that routes to its VPC, or allow your address in publicAccessCidrs), or the network, proxy or DNS is in the way`,
    exitCode: EXIT.TOOL_ERROR,
  };
}

function fleetApi(e: ErrorFields): ActionableError | undefined {
  if (e instanceof FleetApiStatusError) {
    if (e.status === 400)
      return { message: `the fleet-dns API refused the request: ${e.apiMessage}`, exitCode: EXIT.USAGE };
    if (e.status === 403) {
      const hint = /Missing Authentication Token/i.test(e.apiMessage)
        ? 'the URL names no API resource (check the stage in the URL)'
        : /not authorized to perform: execute-api:Invoke/i.test(e.apiMessage)
          ? 'the credentials in use need execute-api:Invoke on this API (the API is IAM-authorised)'
          : /security token|signature/i.test(e.apiMessage)
            ? 'the credentials in use are not valid for this account (check AWS_PROFILE, or run `aws sso login`)'
            : 'check that the credentials in use (AWS_PROFILE) may call execute-api:Invoke on this API';
      return {
        message: `the fleet-dns API refused the signed request (HTTP 403: ${e.apiMessage}): ${hint}`,
        exitCode: EXIT.TOOL_ERROR,
      };
    }
    return { message: `the fleet-dns API failed ${e.message}`, exitCode: EXIT.TOOL_ERROR };
  }
  if (e instanceof FleetApiUnreachableError)
    return {
      message: `${e.message}: check the URL (--api) and the network`,
      exitCode: EXIT.TOOL_ERROR,
    };
  if (e instanceof FleetApiError) return { message: e.message, exitCode: EXIT.TOOL_ERROR };
  return undefined;
}

/** The matchers, most specific first: each looks at one layer of the chain. */
const MATCHERS: readonly ((e: ErrorFields, chain: readonly ErrorFields[]) => ActionableError | undefined)[] =
  [expiredCredentials, missingCredentials, accessDenied, noAccessEntry, fleetApi, unreachable];

/**
 * The line and exit code for an error a command threw: a {@link CliError}'s own message and code
 * (the command chose its words), else the first matcher that recognises a layer of the cause
 * chain, else the error's message with exit code 1 (tool error).
 */
export function actionableError(err: unknown): ActionableError {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  const chain = chainOf(err);
  for (const match of MATCHERS)
    for (const e of chain) {
      const found = match(e, chain);
      if (found !== undefined) return found;
    }
  return { message: err instanceof Error ? err.message : String(err), exitCode: EXIT.TOOL_ERROR };
}
