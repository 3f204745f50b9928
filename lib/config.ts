/**
 * The app's configuration: CDK context keys (cdk.json `context`, or `-c key=value`), each with a
 * documented default, read once and validated as data. No lookups: everything the app needs is
 * given here, so `cdk synth` works offline on a fresh clone (design.md § Decisions).
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';

/** The retentions CloudWatch Logs accepts (a finite set of day counts). */
const RETENTION_DAYS: readonly number[] = Object.values(RetentionDays).filter(
  (v): v is number => typeof v === 'number' && v > 0 && v !== RetentionDays.INFINITE,
);

/** Which accounts a fleet scan covers (lambdas/aws `AccountSelection`, as context). */
export type AccountsConfig =
  | { readonly mode: 'current' }
  | { readonly mode: 'list'; readonly accounts: readonly string[] }
  | { readonly mode: 'organization'; readonly organizationalUnits: readonly string[] };

/** Which regions a fleet scan covers in each account (lambdas/aws `RegionSelection`). */
export type RegionsConfig =
  { readonly mode: 'enabled' } | { readonly mode: 'list'; readonly regions: readonly string[] };

/** The VPC the cluster-facing Lambdas run in (private cluster endpoints): ids only, no lookup. */
export interface LambdaVpcConfig {
  readonly vpcId: string;
  /** private subnets with a route to the clusters' endpoints and to AWS APIs (NAT or endpoints) */
  readonly subnetIds: readonly string[];
  /** the Availability Zone of each subnet, in the same order (Vpc.fromVpcAttributes needs them) */
  readonly availabilityZones: readonly string[];
  /** groups whose egress allows 443 to the endpoints; the clusters' groups must allow them in */
  readonly securityGroupIds: readonly string[];
}

/** Everything the central stack is configured with. */
export interface FleetDnsConfig {
  /** @default { mode: 'current' } (context `fleet-dns:accounts` = "current") */
  readonly accounts: AccountsConfig;
  /** account ids never scanned @default [] */
  readonly excludeAccounts: readonly string[];
  /** @default { mode: 'enabled' } (context `fleet-dns:regions` = "enabled") */
  readonly regions: RegionsConfig;
  /** EventBridge Scheduler expression of the nightly scan @default 'cron(0 2 * * ? *)' */
  readonly scheduleExpression: string;
  /** IANA time zone the cron is read in @default 'UTC' */
  readonly scheduleTimeZone: string;
  /** account×region items collected at once (Distributed Map MaxConcurrency) @default 40 */
  readonly mapMaxConcurrency: number;
  /** % of account×region items that may fail before the scan fails @default 10 */
  readonly toleratedFailurePercentage: number;
  /** clusters of one account×region scanned at once (inline Map MaxConcurrency) @default 4 */
  readonly clusterConcurrency: number;
  /** seconds between runner status polls @default 30 */
  readonly waitSeconds: number;
  /** status polls before collecting anyway (the runner's deadline) @default 40 */
  readonly maxPolls: number;
  /** the member role's name @default 'fleet-dns-scanner' */
  readonly scannerRoleName: string;
  /** the ExternalId the member roles require @default 'fleet-dns' (change it) */
  readonly externalId: string;
  /** @default undefined (Lambdas outside any VPC) */
  readonly vpc?: LambdaVpcConfig;
  /** export each stored result's findings to Security Hub (ASFF) @default false */
  readonly securityHubExport: boolean;
  /** days the Lambda, state machine and API logs are kept (a CloudWatch Logs retention) @default 90 */
  readonly logRetentionDays: number;
  /** days work items, staged AWS results and Map results are kept in S3 @default 14 */
  readonly scanObjectsExpireDays: number;
  /** days offloaded evidence, pcaps and reports are kept in S3 @default 400 */
  readonly evidenceExpireDays: number;
  /**
   * route private-only clusters of these accounts to the member-side dispatcher
   * @default undefined (context `fleet-dns:memberDispatcher` = false: every cluster centrally)
   */
  readonly memberDispatch?: MemberDispatchConfig;
}

/** The central side of the member-side runner dispatcher (private-only clusters). */
export interface MemberDispatchConfig {
  /** the accounts whose private-only clusters go to their member dispatcher ("all": every account) */
  readonly accounts: 'all' | readonly string[];
  /** the member function's name, the same in every member account @default 'fleet-dns-member-dispatcher' */
  readonly functionName: string;
  /** the state machine role's fixed name, which the member functions let invoke them @default 'fleet-dns-scan-state-machine' */
  readonly stateMachineRoleName: string;
}

/** The member side of the dispatcher: the function the central state machine invokes. */
export interface MemberDispatcherConfig {
  /** @default 'fleet-dns-member-dispatcher' */
  readonly functionName: string;
  /** the central state machine role's name (the only principal allowed to invoke) @default 'fleet-dns-scan-state-machine' */
  readonly stateMachineRoleName: string;
  /** where the function runs: subnets that route to this account's private cluster endpoints */
  readonly vpc: LambdaVpcConfig;
  /** the runner image (the central stack's RunnerImageUri output) */
  readonly runnerImageUri: string;
  /** @default 90 */
  readonly logRetentionDays: number;
}

/** What the member-account stack is configured with. */
export interface MemberConfig {
  /** the account of the central stack; default: the member stack's own account (one-account setup) */
  readonly centralAccountId?: string;
  readonly scannerRoleName: string;
  readonly externalId: string;
  /** the member-side runner dispatcher @default undefined (context `fleet-dns:memberDispatcher` = false) */
  readonly dispatcher?: MemberDispatcherConfig;
}

/** The context keys, beside their defaults (cdk.json mirrors these; lib/README.md documents them). */
export const CONTEXT_DEFAULTS = {
  'fleet-dns:accounts': 'current',
  'fleet-dns:organizationalUnits': [],
  'fleet-dns:excludeAccounts': [],
  'fleet-dns:regions': 'enabled',
  'fleet-dns:scheduleExpression': 'cron(0 2 * * ? *)',
  'fleet-dns:scheduleTimeZone': 'UTC',
  'fleet-dns:mapMaxConcurrency': 40,
  'fleet-dns:toleratedFailurePercentage': 10,
  'fleet-dns:clusterConcurrency': 4,
  'fleet-dns:waitSeconds': 30,
  'fleet-dns:maxPolls': 40,
  'fleet-dns:scannerRoleName': 'fleet-dns-scanner',
  'fleet-dns:externalId': 'fleet-dns',
  'fleet-dns:centralAccountId': null,
  'fleet-dns:vpc': null,
  'fleet-dns:securityHubExport': false,
  'fleet-dns:logRetentionDays': 90,
  'fleet-dns:scanObjectsExpireDays': 14,
  'fleet-dns:evidenceExpireDays': 400,
  'fleet-dns:memberDispatcher': false,
  'fleet-dns:memberDispatcherVpc': null,
  'fleet-dns:memberDispatcherFunctionName': 'fleet-dns-member-dispatcher',
  'fleet-dns:stateMachineRoleName': 'fleet-dns-scan-state-machine',
  'fleet-dns:runnerImageUri': null,
} as const;

export type ContextKey = keyof typeof CONTEXT_DEFAULTS;

/** A configuration problem naming the context key, the allowed values and the value given. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`fleet-dns context: ${problems.join('; ')}`);
  }
}

const ACCOUNT_ID = /^[0-9]{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** Reads context values, `-c` strings included (`-c fleet-dns:maxPolls=60` arrives as "60"). */
class ContextReader {
  readonly problems: string[] = [];
  constructor(private readonly node: Pick<Node, 'tryGetContext'>) {}

  raw(key: ContextKey): unknown {
    const value: unknown = this.node.tryGetContext(key);
    return value === undefined ? CONTEXT_DEFAULTS[key] : value;
  }

  /** JSON given as a string on the command line is parsed; anything else is taken as is. */
  json(key: ContextKey): unknown {
    const value = this.raw(key);
    if (typeof value !== 'string' || !/^\s*[[{]/.test(value)) return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      this.problems.push(`${key}: not valid JSON (${value})`);
      return CONTEXT_DEFAULTS[key];
    }
  }

  integer(key: ContextKey, min: number, max: number): number {
    const value = this.raw(key);
    const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      this.problems.push(
        `${key}: must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
      );
      return min;
    }
    return n;
  }

  oneOf(key: ContextKey, allowed: readonly number[]): number {
    const value = this.raw(key);
    const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !allowed.includes(n)) {
      this.problems.push(`${key}: must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
      return allowed[0] ?? 0;
    }
    return n;
  }

  boolean(key: ContextKey): boolean {
    const value = this.raw(key);
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    this.problems.push(`${key}: must be true or false, got ${JSON.stringify(value)}`);
    return false;
  }

  text(key: ContextKey, pattern: RegExp, allowed: string): string {
    const value = this.raw(key);
    if (typeof value !== 'string' || !pattern.test(value)) {
      this.problems.push(`${key}: must be ${allowed}, got ${JSON.stringify(value)}`);
      return '';
    }
    return value;
  }

  stringList(key: ContextKey, pattern: RegExp, allowed: string): string[] {
    const value = this.json(key);
    const list = typeof value === 'string' ? value.split(',').filter((s) => s !== '') : value;
    if (!Array.isArray(list) || !list.every((v) => typeof v === 'string' && pattern.test(v))) {
      this.problems.push(`${key}: must be a list of ${allowed}, got ${JSON.stringify(value)}`);
      return [];
    }
    return list as string[];
  }
}

function readAccounts(ctx: ContextReader): AccountsConfig {
  const value = ctx.json('fleet-dns:accounts');
  if (value === 'current') return { mode: 'current' };
  if (value === 'organization')
    return {
      mode: 'organization',
      organizationalUnits: ctx.stringList(
        'fleet-dns:organizationalUnits',
        /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/,
        'OU or root ids (ou-…, r-…)',
      ),
    };
  const accounts = ctx.stringList(
    'fleet-dns:accounts',
    ACCOUNT_ID,
    '"current", "organization" or 12-digit account ids',
  );
  return { mode: 'list', accounts };
}

function readRegions(ctx: ContextReader): RegionsConfig {
  const value = ctx.json('fleet-dns:regions');
  if (value === 'enabled') return { mode: 'enabled' };
  return { mode: 'list', regions: ctx.stringList('fleet-dns:regions', REGION, '"enabled" or region names') };
}

function readVpc(
  ctx: ContextReader,
  key: 'fleet-dns:vpc' | 'fleet-dns:memberDispatcherVpc' = 'fleet-dns:vpc',
): LambdaVpcConfig | undefined {
  const value = ctx.json(key);
  if (value === null || value === undefined || value === '') return undefined;
  const v = value as Partial<Record<keyof LambdaVpcConfig, unknown>>;
  const ids = (field: keyof LambdaVpcConfig, pattern: RegExp): string[] | undefined => {
    const list = v[field];
    return Array.isArray(list) &&
      list.length > 0 &&
      list.every((s) => typeof s === 'string' && pattern.test(s))
      ? (list as string[])
      : undefined;
  };
  const subnetIds = ids('subnetIds', /^subnet-[0-9a-f]+$/);
  const availabilityZones = ids('availabilityZones', /^[a-z]{2}(-[a-z]+)+-\d+[a-z]$/);
  const securityGroupIds = ids('securityGroupIds', /^sg-[0-9a-f]+$/);
  const vpcId = typeof v.vpcId === 'string' && /^vpc-[0-9a-f]+$/.test(v.vpcId) ? v.vpcId : undefined;
  if (
    !vpcId ||
    !subnetIds ||
    !availabilityZones ||
    !securityGroupIds ||
    subnetIds.length !== availabilityZones.length
  ) {
    ctx.problems.push(
      `${key}: must be { vpcId: "vpc-…", subnetIds: ["subnet-…"], availabilityZones: (one per subnet), securityGroupIds: ["sg-…"] }` +
        `, got ${JSON.stringify(value)}`,
    );
    return undefined;
  }
  return { vpcId, subnetIds, availabilityZones, securityGroupIds };
}

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * `fleet-dns:memberDispatcher`: false (off), true (every account) or a list of account ids (only
 * those; the member stack reads any non-empty list as on).
 */
function readMemberDispatchAccounts(ctx: ContextReader): 'all' | string[] | undefined {
  const value = ctx.json('fleet-dns:memberDispatcher');
  if (value === false || value === 'false' || value === null) return undefined;
  if (value === true || value === 'true') return 'all';
  const accounts = ctx.stringList(
    'fleet-dns:memberDispatcher',
    ACCOUNT_ID,
    'true, false or 12-digit account ids',
  );
  return accounts.length > 0 ? accounts : undefined;
}

function readDispatcherNames(ctx: ContextReader): { functionName: string; stateMachineRoleName: string } {
  return {
    functionName: ctx.text('fleet-dns:memberDispatcherFunctionName', FUNCTION_NAME, 'a Lambda function name'),
    stateMachineRoleName: ctx.text('fleet-dns:stateMachineRoleName', ROLE_NAME, 'an IAM role name'),
  };
}
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/**
 * The central stack's configuration from `node`'s context, defaults applied.
 *
 * @throws ConfigError naming every bad key, the allowed values and the value given
 */
export function readFleetDnsConfig(node: Pick<Node, 'tryGetContext'>): FleetDnsConfig {
  const ctx = new ContextReader(node);
  const vpc = readVpc(ctx);
  const config: FleetDnsConfig = {
    accounts: readAccounts(ctx),
    excludeAccounts: ctx.stringList('fleet-dns:excludeAccounts', ACCOUNT_ID, '12-digit account ids'),
    regions: readRegions(ctx),
    scheduleExpression: ctx.text(
      'fleet-dns:scheduleExpression',
      /^(cron|rate)\(.+\)$/,
      'an EventBridge Scheduler cron(…) or rate(…) expression',
    ),
    scheduleTimeZone: ctx.text(
      'fleet-dns:scheduleTimeZone',
      /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/,
      'an IANA time zone',
    ),
    mapMaxConcurrency: ctx.integer('fleet-dns:mapMaxConcurrency', 1, 10_000),
    toleratedFailurePercentage: ctx.integer('fleet-dns:toleratedFailurePercentage', 0, 100),
    clusterConcurrency: ctx.integer('fleet-dns:clusterConcurrency', 1, 40),
    waitSeconds: ctx.integer('fleet-dns:waitSeconds', 5, 600),
    maxPolls: ctx.integer('fleet-dns:maxPolls', 1, 500),
    scannerRoleName: ctx.text('fleet-dns:scannerRoleName', ROLE_NAME, 'an IAM role name'),
    externalId: ctx.text('fleet-dns:externalId', EXTERNAL_ID, 'an ExternalId (2–1224 of [\\w+=,.@:/-])'),
    ...(vpc ? { vpc } : {}),
    securityHubExport: ctx.boolean('fleet-dns:securityHubExport'),
    logRetentionDays: ctx.oneOf('fleet-dns:logRetentionDays', RETENTION_DAYS),
    scanObjectsExpireDays: ctx.integer('fleet-dns:scanObjectsExpireDays', 1, 3653),
    evidenceExpireDays: ctx.integer('fleet-dns:evidenceExpireDays', 1, 3653),
  };
  const dispatchAccounts = readMemberDispatchAccounts(ctx);
  const withDispatch: FleetDnsConfig = dispatchAccounts
    ? { ...config, memberDispatch: { accounts: dispatchAccounts, ...readDispatcherNames(ctx) } }
    : config;
  if (ctx.problems.length > 0) throw new ConfigError(ctx.problems);
  return withDispatch;
}

/**
 * The member stack's configuration from `node`'s context.
 *
 * @throws ConfigError naming every bad key
 */
export function readMemberConfig(node: Pick<Node, 'tryGetContext'>): MemberConfig {
  const ctx = new ContextReader(node);
  const central = ctx.raw('fleet-dns:centralAccountId');
  if (central !== null && central !== '' && (typeof central !== 'string' || !ACCOUNT_ID.test(central)))
    ctx.problems.push(
      `fleet-dns:centralAccountId: must be a 12-digit account id, got ${JSON.stringify(central)}`,
    );
  const config: MemberConfig = {
    ...(typeof central === 'string' && ACCOUNT_ID.test(central) ? { centralAccountId: central } : {}),
    scannerRoleName: ctx.text('fleet-dns:scannerRoleName', ROLE_NAME, 'an IAM role name'),
    externalId: ctx.text('fleet-dns:externalId', EXTERNAL_ID, 'an ExternalId (2–1224 of [\\w+=,.@:/-])'),
    ...(readMemberDispatchAccounts(ctx) ? { dispatcher: readMemberDispatcher(ctx) } : {}),
  };
  if (ctx.problems.length > 0) throw new ConfigError(ctx.problems);
  return config;
}

/**
 * The member dispatcher's settings: a VPC and the runner image are required — outside a VPC it
 * could not reach a private-only endpoint, which is all it is for.
 */
function readMemberDispatcher(ctx: ContextReader): MemberDispatcherConfig {
  const vpc = readVpc(ctx, 'fleet-dns:memberDispatcherVpc');
  if (!vpc && !ctx.problems.some((p) => p.startsWith('fleet-dns:memberDispatcherVpc')))
    ctx.problems.push(
      "fleet-dns:memberDispatcherVpc: required with fleet-dns:memberDispatcher (the subnets that route to this account's private cluster endpoints)",
    );
  const image = ctx.raw('fleet-dns:runnerImageUri');
  if (typeof image !== 'string' || !/^\S+[:@]\S+$/.test(image))
    ctx.problems.push(
      `fleet-dns:runnerImageUri: required with fleet-dns:memberDispatcher (the central stack's RunnerImageUri output), got ${JSON.stringify(image)}`,
    );
  return {
    ...readDispatcherNames(ctx),
    vpc: vpc ?? { vpcId: '', subnetIds: [], availabilityZones: [], securityGroupIds: [] },
    runnerImageUri: typeof image === 'string' ? image : '',
    logRetentionDays: ctx.oneOf('fleet-dns:logRetentionDays', RETENTION_DAYS),
  };
}

/**
 * The IAM path of the central roles that enter member accounts (discover, collect-region). The
 * member role trusts the central account's principals under this path (aws:PrincipalArn), so it
 * can be deployed before the central stack exists (a role ARN as Principal must already exist).
 */
export const COLLECTOR_ROLE_PATH = '/fleet-dns/collector/';
