/**
 * The fake AWS as a real HTTP endpoint on 127.0.0.1, so the demo runs the real collectors — real
 * SDK clients, signing, retries, wire parsing — with no AWS account: point `AWS_ENDPOINT_URL_*`
 * at it ({@link FakeAwsEndpoint.env}). One server speaks every service's protocol, routed by the
 * SigV4 credential scope (`Credential=KEY/DATE/REGION/SERVICE/aws4_request`): EC2 in ec2Query,
 * STS in awsQuery, EKS in restJson1, Organizations in awsJson1_1. The account is read from the
 * access key (the static fake key is `currentAccountId`'s; AssumeRole hands out keys that name
 * the assumed account), the region from the scope. Signatures are not verified. Answers come
 * from answers.ts — the same code the tests' mocks use.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DescribeDhcpOptions$,
  DescribeNetworkAcls$,
  DescribeNetworkInterfaces$,
  DescribeRegions$,
  DescribeSecurityGroups$,
  DescribeSubnets$,
  DescribeVpcAttribute$,
  DescribeVpcs$,
  GetManagedPrefixListEntries$,
} from '@aws-sdk/client-ec2';
import { DescribeAddon$, DescribeAddonVersions$, DescribeCluster$, ListClusters$ } from '@aws-sdk/client-eks';
import { ListAccounts$ } from '@aws-sdk/client-organizations';
import { AssumeRole$, GetCallerIdentity$ } from '@aws-sdk/client-sts';
import type { StaticOperationSchema } from '@smithy/types';
import { answerResolver, createFakeAwsAnswers, UnknownFakeOperationError } from './answers.js';
import type { FakeAwsService, PerOperation } from './answers.js';
import { accountOfAccessKey, FAKE_ACCESS_KEY_ID } from './world.js';
import type { FakeAwsOptions, FakeRegionWorld } from './world.js';
import {
  escapeXml,
  MalformedRequestError,
  operationParts,
  readQueryInput,
  writeJson,
  writeXmlMembers,
} from './wire.js';

/** The operation schemas of what answers.ts serves: the wire names come from them. */
const SCHEMAS: PerOperation<StaticOperationSchema> = {
  ec2: {
    DescribeVpcs: DescribeVpcs$,
    DescribeVpcAttribute: DescribeVpcAttribute$,
    DescribeDhcpOptions: DescribeDhcpOptions$,
    DescribeSubnets: DescribeSubnets$,
    DescribeSecurityGroups: DescribeSecurityGroups$,
    DescribeNetworkAcls: DescribeNetworkAcls$,
    DescribeNetworkInterfaces: DescribeNetworkInterfaces$,
    GetManagedPrefixListEntries: GetManagedPrefixListEntries$,
    DescribeRegions: DescribeRegions$,
  },
  eks: {
    ListClusters: ListClusters$,
    DescribeCluster: DescribeCluster$,
    DescribeAddon: DescribeAddon$,
    DescribeAddonVersions: DescribeAddonVersions$,
  },
  sts: { GetCallerIdentity: GetCallerIdentity$, AssumeRole: AssumeRole$ },
  organizations: { ListAccounts: ListAccounts$ },
};

const lookup = (table: Record<string, StaticOperationSchema>, operation: string) =>
  Object.hasOwn(table, operation) ? table[operation] : undefined;

/** Where the SDK finds no config or credentials file (it treats a missing file as empty). */
const NO_FILE = '/nonexistent/fleet-dns-fake-aws/no-such-file';

const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const ORGANIZATIONS_TARGET = 'AWSOrganizationsV20161128';

/** One request the endpoint routed to an operation. */
export interface FakeAwsCall {
  readonly service: string;
  readonly operation: string;
  readonly accountId: string;
  readonly region: string;
  /** answered with the service's throttling error instead ({@link FakeAwsEndpointOptions.throttle}) */
  readonly throttled?: true;
}

/** One API family's token bucket, per account×region, in simulated seconds. */
export interface FakeAwsBucket {
  /** tokens when full: the requests a quiet account×region may send at once */
  readonly burst: number;
  /** tokens added per simulated second (the sustained rate) */
  readonly refillPerSecond: number;
}

/**
 * AWS's request throttling, per account×region and API family. A request that finds its
 * family's bucket empty is answered as AWS answers it — EC2 `RequestLimitExceeded` (HTTP 503,
 * ec2Query error XML), EKS `ThrottlingException` (HTTP 429, restJson1) — so the real SDK's retry
 * strategy sees real wire errors. STS and Organizations are not throttled.
 */
export interface FakeAwsThrottleOptions {
  /**
   * EC2's bucket for non-mutating (Describe*) actions, shared by all of them.
   * @default { burst: 100, refillPerSecond: 20 } (AWS's published default)
   * @see https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html
   */
  readonly ec2?: FakeAwsBucket;
  /**
   * EKS's bucket, shared by every EKS action. AWS publishes no figure for the EKS control-plane
   * read APIs (only that they throttle with ThrottlingException), so this is a conservative guess.
   * @default { burst: 10, refillPerSecond: 10 }
   */
  readonly eks?: FakeAwsBucket;
}

export interface FakeAwsEndpointOptions extends FakeAwsOptions {
  /**
   * The region of the static environment (`AWS_REGION` in {@link FakeAwsEndpoint.env}).
   * @default the first world's region, else 'eu-west-1'
   */
  readonly region?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** throttle EC2 and EKS requests like AWS @default none (every request answered) */
  readonly throttle?: FakeAwsThrottleOptions;
  /**
   * Service latency of each EC2/EKS request, uniform in [min, max] simulated milliseconds,
   * spent before the request is metered and answered. @default none
   */
  readonly latencyMs?: { readonly min: number; readonly max: number };
  /**
   * Simulated seconds per wall-clock second (benchmarks: k = 10 runs a 10-minute fleet in one):
   * the buckets refill k× faster and latencies are k× shorter. @default 1
   */
  readonly timeScale?: number;
  /** a number in [0, 1) for the latency draw @default Math.random */
  readonly random?: () => number;
  /** the buckets' clock, wall milliseconds (tests move it by hand) @default performance.now */
  readonly clock?: () => number;
}

/** Default buckets of {@link FakeAwsThrottleOptions}. */
export const AWS_THROTTLE_DEFAULTS = {
  ec2: { burst: 100, refillPerSecond: 20 },
  eks: { burst: 10, refillPerSecond: 10 },
} as const satisfies Required<FakeAwsThrottleOptions>;

/** The throttling error each throttled family answers with, as AWS sends it. */
const THROTTLED: Record<'ec2' | 'eks', WireError> = {
  ec2: { status: 503, code: 'RequestLimitExceeded', message: 'Request limit exceeded.' },
  eks: { status: 429, code: 'ThrottlingException', message: 'Rate exceeded' },
};

/**
 * Token buckets per family×account×region on a wall clock, refilled `timeScale`× faster than
 * their simulated rate. `admit` takes a token or says the request is throttled.
 */
export function createThrottle(
  throttle: FakeAwsThrottleOptions,
  timeScale = 1,
  now: () => number = () => performance.now(),
): { admit(family: 'ec2' | 'eks', accountId: string, region: string): boolean } {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    admit(family, accountId, region) {
      const spec = throttle[family] ?? AWS_THROTTLE_DEFAULTS[family];
      const key = `${family}/${accountId}/${region}`;
      const t = now();
      const b = buckets.get(key) ?? { tokens: spec.burst, at: t };
      b.tokens = Math.min(spec.burst, b.tokens + ((t - b.at) / 1000) * spec.refillPerSecond * timeScale);
      b.at = t;
      buckets.set(key, b);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
  };
}

export interface FakeAwsEndpoint {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /**
   * The environment that points the SDK's default chain and endpoint resolution here: every
   * served service's `AWS_ENDPOINT_URL_*` (and `AWS_ENDPOINT_URL`, so no other service reaches
   * real AWS either), static fake keys, the region, IMDS disabled. It also blanks what would
   * otherwise win over the fake keys or bring the developer's ~/.aws in: the SDK skips
   * environment keys whenever `AWS_PROFILE` is set, so it is set empty, as is
   * `AWS_SESSION_TOKEN`, and the config and credentials files point at a path that does not exist.
   */
  readonly env: Record<string, string>;
  /** every request routed to an operation, in arrival order */
  calls(): FakeAwsCall[];
  close(): Promise<void>;
}

/** An error, before it is put in some protocol's shape. */
interface WireError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /** the exception's modeled members (e.g. EKS ResourceNotFoundException's `clusterName`), for JSON bodies */
  readonly members?: Record<string, string>;
}

/** An SDK exception's own modeled string members: not the `$`-prefixed metadata, not name/message/stack. */
function modeledMembers(err: Error): Record<string, string> {
  const skip = new Set(['name', 'message', 'stack', 'Message']);
  return Object.fromEntries(
    Object.entries(err).filter(
      (e): e is [string, string] => typeof e[1] === 'string' && !e[0].startsWith('$') && !skip.has(e[0]),
    ),
  );
}

/** What an SDK exception (or anything else answers.ts throws) is on the wire. */
function wireError(err: unknown, query: boolean): WireError {
  if (err instanceof UnknownFakeOperationError) {
    return { status: 400, code: query ? 'InvalidAction' : 'UnknownOperationException', message: err.message };
  }
  if (err instanceof MalformedRequestError) {
    return {
      status: 400,
      code: query ? 'MalformedQueryString' : 'SerializationException',
      message: err.message,
    };
  }
  if (err instanceof Error) {
    const modeled = err as Error & { $metadata?: { httpStatusCode?: number }; $fault?: string };
    const status = modeled.$metadata?.httpStatusCode ?? (modeled.$fault === 'client' ? 400 : 500);
    if (!modeled.$fault) return { status: 500, code: 'InternalFailure', message: err.message };
    return { status, code: err.name, message: err.message, members: modeledMembers(err) };
  }
  return { status: 500, code: 'InternalFailure', message: String(err) };
}

interface Scope {
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/ec2/aws4_request, SignedHeaders=…, Signature=…` */
export function parseCredentialScope(authorization: string | undefined): Scope | undefined {
  const m = /Credential=([^/,\s]+)\/[0-9]{8}\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request/.exec(
    authorization ?? '',
  );
  return m ? { accessKeyId: m[1] ?? '', region: m[2] ?? '', service: m[3] ?? '' } : undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts the endpoint; `close()` it when done. */
export async function startFakeAwsEndpoint(
  worlds: readonly FakeRegionWorld[],
  options: FakeAwsEndpointOptions,
): Promise<FakeAwsEndpoint> {
  const answer = createFakeAwsAnswers(worlds, options);
  const calls: FakeAwsCall[] = [];
  const timeScale = options.timeScale ?? 1;
  const throttle = options.throttle ? createThrottle(options.throttle, timeScale, options.clock) : undefined;
  /** the throttling error to answer with, if the caller's bucket is empty (recorded as throttled) */
  const throttled = (family: 'ec2' | 'eks', caller: FakeAwsCall): WireError | undefined => {
    if (!throttle || throttle.admit(family, caller.accountId, caller.region)) return undefined;
    const last = calls.at(-1);
    if (last) calls[calls.length - 1] = { ...last, throttled: true };
    return THROTTLED[family];
  };
  const random = options.random ?? Math.random;
  const latency = (service: string): Promise<void> | undefined => {
    const l = options.latencyMs;
    if (!l || (service !== 'ec2' && service !== 'eks')) return undefined;
    return sleep((l.min + random() * (l.max - l.min)) / timeScale);
  };
  const isService = (s: string): s is FakeAwsService => Object.hasOwn(SCHEMAS, s);

  const send = (res: ServerResponse, status: number, type: string, body: string, headers = {}) => {
    res.writeHead(status, { 'content-type': type, 'x-amzn-requestid': randomUUID(), ...headers });
    res.end(body);
  };

  /** ec2Query and awsQuery: a form body with Action=…, XML answers. */
  const serveQuery = (res: ServerResponse, service: 'ec2' | 'sts', body: string, caller: FakeAwsCall) => {
    const ec2 = service === 'ec2';
    const requestId = randomUUID();
    const fail = (e: WireError) =>
      ec2
        ? send(
            res,
            e.status,
            'text/xml',
            `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(e.code)}</Code><Message>${escapeXml(e.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
          )
        : send(
            res,
            e.status,
            'text/xml',
            `<ErrorResponse xmlns="${STS_NAMESPACE}"><Error><Type>${e.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${escapeXml(e.code)}</Code><Message>${escapeXml(e.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
          );
    const params = new URLSearchParams(body);
    const action = params.get('Action') ?? '';
    params.delete('Action');
    params.delete('Version');
    calls.push({ ...caller, operation: action });
    const limited = ec2 ? throttled('ec2', caller) : undefined;
    if (limited) {
      fail(limited);
      return;
    }
    const schema = lookup(SCHEMAS[service], action);
    try {
      if (!schema) throw new UnknownFakeOperationError(service, action);
      const { input, output } = operationParts(schema);
      const result = answer(service, action, readQueryInput(input, params, ec2), caller);
      const members = writeXmlMembers(output, result);
      send(
        res,
        200,
        'text/xml',
        ec2
          ? `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NAMESPACE}"><requestId>${requestId}</requestId>${members}</${action}Response>`
          : `<${action}Response xmlns="${STS_NAMESPACE}"><${action}Result>${members}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
      );
    } catch (err) {
      fail(wireError(err, true));
    }
  };

  /** restJson1 (EKS): the operation is the one whose `http` trait matches method and path. */
  const serveRestJson = (res: ServerResponse, req: IncomingMessage, caller: FakeAwsCall) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const fail = (e: WireError) =>
      send(res, e.status, 'application/json', JSON.stringify({ ...e.members, message: e.message }), {
        'x-amzn-errortype': e.code,
      });
    for (const [operation, schema] of Object.entries(SCHEMAS.eks)) {
      const { traits, input, output } = operationParts(schema);
      const [method, uri] = traits.http as [string, string, number];
      const labels: string[] = [];
      const pattern = new RegExp(
        `^${uri.replace(/\{([^}]+)\}/g, (_m, label: string) => (labels.push(label), '([^/]+)'))}$`,
      );
      const m = pattern.exec(url.pathname);
      if (req.method !== method || !m) continue;
      calls.push({ ...caller, operation });
      const limited = throttled('eks', caller);
      if (limited) {
        fail(limited);
        return;
      }
      try {
        const values: Record<string, unknown> = {};
        labels.forEach((label, i) => (values[label] = decodeURIComponent(m[i + 1] ?? '')));
        for (const [name, member] of input.structIterator()) {
          const query = member.getMergedTraits().httpQuery;
          if (typeof query !== 'string' || !url.searchParams.has(query)) continue;
          values[name] = member.isListSchema()
            ? url.searchParams.getAll(query)
            : member.isNumericSchema()
              ? Number(url.searchParams.get(query))
              : url.searchParams.get(query);
          if (typeof values[name] === 'number' && !Number.isFinite(values[name])) {
            throw new MalformedRequestError(`${query}: not a number`);
          }
        }
        const result = answer('eks', operation, values, caller);
        send(res, 200, 'application/json', JSON.stringify(writeJson(output, result, true)));
      } catch (err) {
        fail(wireError(err, false));
      }
      return;
    }
    calls.push({ ...caller, operation: `${req.method ?? ''} ${url.pathname}` });
    fail({
      status: 400,
      code: 'UnknownOperationException',
      message: `no operation at ${req.method} ${url.pathname}`,
    });
  };

  /** awsJson1_1 (Organizations): X-Amz-Target names the operation, the body is the input. */
  const serveJson = (res: ServerResponse, req: IncomingMessage, body: string, caller: FakeAwsCall) => {
    const fail = (e: WireError) =>
      send(
        res,
        e.status,
        'application/x-amz-json-1.1',
        JSON.stringify({ ...e.members, __type: e.code, message: e.message }),
      );
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(`${ORGANIZATIONS_TARGET}.`)
      ? target.slice(ORGANIZATIONS_TARGET.length + 1)
      : target;
    calls.push({ ...caller, operation });
    try {
      const schema = lookup(SCHEMAS.organizations, operation);
      if (!schema) throw new UnknownFakeOperationError('organizations', operation);
      let input: unknown;
      try {
        input = body === '' ? {} : JSON.parse(body);
      } catch {
        throw new MalformedRequestError('the body is not JSON');
      }
      if (typeof input !== 'object' || input === null)
        throw new MalformedRequestError('the body is not an object');
      const result = answer('organizations', operation, input as Record<string, unknown>, caller);
      send(
        res,
        200,
        'application/x-amz-json-1.1',
        JSON.stringify(writeJson(operationParts(schema).output, result, false)),
      );
    } catch (err) {
      fail(wireError(err, false));
    }
  };

  /**
   * Route 53 Resolver (awsJson1_1, target `Route53Resolver.<Operation>`), answered by hand: its
   * client (3.654.0 here) ships no Smithy operation schemas to derive the wire from, and the
   * fake's answers are empty lists, which need no serde.
   */
  const serveResolver = (res: ServerResponse, req: IncomingMessage, caller: FakeAwsCall) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('Route53Resolver.')
      ? target.slice('Route53Resolver.'.length)
      : target;
    calls.push({ ...caller, operation });
    try {
      send(res, 200, 'application/x-amz-json-1.1', JSON.stringify(answerResolver(operation)));
    } catch (err) {
      const e = wireError(err, false);
      send(
        res,
        e.status,
        'application/x-amz-json-1.1',
        JSON.stringify({ ...e.members, __type: e.code, message: e.message }),
      );
    }
  };

  const server = createServer((req, res) => {
    readBody(req)
      .then(async (body) => {
        const scope = parseCredentialScope(req.headers.authorization);
        await latency(scope?.service ?? '');
        if (!scope) {
          send(res, 403, 'text/plain', 'MissingAuthenticationToken: no SigV4 Authorization header');
          return;
        }
        const accountId = accountOfAccessKey(scope.accessKeyId, options.currentAccountId);
        if (accountId && scope.service === 'route53resolver') {
          serveResolver(res, req, { service: scope.service, operation: '', accountId, region: scope.region });
          return;
        }
        if (!accountId || !isService(scope.service)) {
          const what = accountId ? `service ${scope.service}` : `access key ${scope.accessKeyId}`;
          send(res, accountId ? 400 : 403, 'text/plain', `fake AWS serves no ${what}`);
          return;
        }
        const caller = { service: scope.service, operation: '', accountId, region: scope.region };
        if (scope.service === 'ec2' || scope.service === 'sts') serveQuery(res, scope.service, body, caller);
        else if (scope.service === 'eks') serveRestJson(res, req, caller);
        else serveJson(res, req, body, caller);
      })
      .catch((err: unknown) => {
        if (!res.headersSent) send(res, 500, 'text/plain', String(err));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const region = options.region ?? worlds[0]?.region ?? 'eu-west-1';
  return {
    url,
    env: {
      AWS_ENDPOINT_URL: url,
      AWS_ENDPOINT_URL_EC2: url,
      AWS_ENDPOINT_URL_EKS: url,
      AWS_ENDPOINT_URL_STS: url,
      AWS_ENDPOINT_URL_ORGANIZATIONS: url,
      AWS_ENDPOINT_URL_ROUTE53RESOLVER: url,
      AWS_ACCESS_KEY_ID: FAKE_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: 'fake-secret-access-key-for-the-demo-only',
      AWS_REGION: region,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PROFILE: '',
      AWS_SESSION_TOKEN: '',
      AWS_CONFIG_FILE: NO_FILE,
      AWS_SHARED_CREDENTIALS_FILE: NO_FILE,
    },
    calls: () => calls.map((c) => ({ ...c })),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
