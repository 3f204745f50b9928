/**
 * `fleet-dns scan` in process: the whole pipeline through the CLI's argv — the AWS side from the
 * fake AWS world (aws-sdk-client-mock, EC2/EKS/STS shaped as the real APIs answer), the cluster
 * APIs from lab/fake-kube-api whose "runner" pods log results signed with the key of the Secret
 * the dispatch created (as the real runner does), the identity from a kubeconfig file
 * (`--kubeconfig`, contexts named by cluster ARN), the embedded store in a scratch directory.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ListClustersCommand } from '@aws-sdk/client-eks';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eksKubeconfig } from '../../../lab/fake-kube-api/index.js';
import type { KubeObject } from '../../../lab/fake-kube-api/index.js';
import { EXIT, runCli } from '../../../lambdas/cli/index.js';
import { makeResult } from '../../../lambdas/core/catalog/index.js';
import { signRunnerResult } from '../../../lambdas/core/runner-results/index.js';
import { fleetReportSchema } from '../../../lambdas/core/schema/index.js';
import type { RunnerResult } from '../../../lambdas/core/schema/index.js';
import { RESULT_KEY_SECRET_KEY, scanSecretName } from '../../../lambdas/kube/index.js';
import { dynamoTableDefinition } from '../../../lambdas/store/dynamodb/index.js';
import { openEmbeddedStore } from '../../../lambdas/store/embedded/index.js';
import { captureIo, runCliInProcess } from '../../support/cli-io.js';
import { JAVA, startDynamoDbLocal } from '../../support/dynamodb-local.js';
import { prerequisites } from '../../support/prerequisites.js';
import { buildCluster, buildVpc, installFakeAws, stubFakeAwsEnvironment } from '../aws/support/fake-aws.js';
import type { FakeAws } from '../aws/support/fake-aws.js';
import {
  corednsPodObjects,
  nodeDocument,
  NS,
  podLog,
  probeDocument,
  SETTINGS,
  startRunnerCluster,
} from '../kube/support/runner-cluster.js';
import type { RunnerCluster } from '../kube/support/runner-cluster.js';
import { scratchDir } from './store-fixture.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw JSON documents
type Json = Record<string, any>;

const ACCOUNT = '111122223333';
/** a member account, entered through its scanner role (no cluster API reachable: AWS side only) */
const MEMBER = '444455556666';
const REGION = 'eu-west-1';
const NAMES = ['prod-a', 'prod-b'] as const;
const idOf = (name: string) => `${ACCOUNT}:${REGION}:${name}`;
const arnOf = (name: string) => `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${name}`;
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const scratch = scratchDir('fleet-dns-scan-');

/** The per-scan key of the Secret the dispatch created in the fake API (as the runner reads it). */
function scanKey(api: RunnerCluster['api'], scanId: string): string {
  const secret = api.store
    .all()
    .find(
      (o) => o.kind === 'Secret' && o.metadata.namespace === NS && o.metadata.name === scanSecretName(scanId),
    ) as (KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> }) | undefined;
  const encoded = secret?.data?.[RESULT_KEY_SECRET_KEY];
  return encoded !== undefined
    ? Buffer.from(encoded, 'base64').toString('utf8')
    : (secret?.stringData?.[RESULT_KEY_SECRET_KEY] ?? '');
}

/** A cluster whose runner pods log what a runner would: prod-a's internal names fail. */
async function startCluster(name: string, complete = true): Promise<RunnerCluster> {
  return startRunnerCluster({
    objects: corednsPodObjects(),
    complete,
    logOf: (role, job, api) => {
      const scanId = job.metadata.labels?.['fleet-dns.io/scan-id'] ?? '';
      const over: Partial<RunnerResult> = { scanId, clusterId: idOf(name) };
      const document =
        role === 'probe'
          ? probeDocument({
              ...over,
              checks: [
                makeResult('DNS-INTERNAL', {
                  status: name === 'prod-a' ? 'FAIL' : 'PASS',
                  evidence: { answers: [] },
                }),
              ],
            })
          : nodeDocument(role, over);
      return podLog(signRunnerResult(document, scanKey(api, scanId)));
    },
  });
}

describe('fleet-dns scan (in process)', () => {
  const kube = new Map<string, RunnerCluster>();
  let aws: FakeAws;
  let kubeconfig: string;

  beforeAll(async () => {
    stubFakeAwsEnvironment(REGION);
    for (const name of NAMES) kube.set(name, await startCluster(name));
    kube.set('slow', await startCluster('slow', false));
    const all = [...NAMES, 'slow'];
    const vpc = buildVpc({
      vpcId: 'vpc-scan',
      octet: 41,
      accountId: ACCOUNT,
      region: REGION,
      clusters: all.map((name) => ({ name, nodes: 2 })),
    });
    const memberVpc = buildVpc({
      vpcId: 'vpc-member',
      octet: 42,
      accountId: MEMBER,
      region: REGION,
      clusters: [{ name: 'member-a', nodes: 2 }],
    });
    aws = installFakeAws(
      [
        {
          accountId: MEMBER,
          region: REGION,
          vpcs: [memberVpc],
          clusters: [buildCluster({ name: 'member-a', accountId: MEMBER, region: REGION, vpc: memberVpc })],
        },
        {
          accountId: ACCOUNT,
          region: REGION,
          vpcs: [vpc],
          clusters: all.map((name) =>
            buildCluster({
              name,
              accountId: ACCOUNT,
              region: REGION,
              vpc,
              endpoint: kube.get(name)!.api.url,
              caData: b64(kube.get(name)!.api.caPem),
            }),
          ),
        },
      ],
      { currentAccountId: ACCOUNT },
    );
    // What `aws eks update-kubeconfig` writes, with the fake API's static token as the user.
    kubeconfig = path.join(scratch, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      eksKubeconfig(
        [arnOf('prod-a'), ...all.filter((n) => n !== 'prod-a').map(arnOf)].map((arn) => ({
          arn,
          api: kube.get(arn.split('/')[1] ?? '')!.api,
        })),
      ),
    );
  }, 60_000);

  afterAll(async () => {
    aws?.restore();
    for (const c of kube.values()) await c.stop();
  });

  const scanArgs = (store: string, ...more: string[]) => [
    'scan',
    '--store',
    store,
    '--kubeconfig',
    kubeconfig,
    '--runner-image',
    SETTINGS.image,
    '--poll-interval',
    '100',
    ...more,
  ];

  it('scans the clusters named, stores merged results, prints the report and leaves no runner objects', async () => {
    const store = path.join(scratch, 'full.db');
    const run = await runCliInProcess(
      scanArgs(store, '--cluster', idOf('prod-a'), '--cluster', 'prod-b', '--format', 'json'),
    );
    expect(run.stderr).toContain('fleet-dns: scan ');
    expect(run.code).toBe(EXIT.OK);
    const report = fleetReportSchema.parse(JSON.parse(run.stdout)) as Json;
    expect(report.clusters.map((c: Json) => c.cluster.id).sort()).toEqual([idOf('prod-a'), idOf('prod-b')]);
    const internal = (id: string) =>
      report.clusters
        .find((c: Json) => c.cluster.id === id)
        .checks.find((k: Json) => k.id === 'DNS-INTERNAL');
    expect(internal(idOf('prod-a')).status).toBe('FAIL');
    expect(internal(idOf('prod-b')).status).toBe('PASS');
    // the AWS side is there too, merged into the same result
    expect(report.clusters[0].checks.some((k: Json) => k.id === 'NET-SG-DNS-UDP')).toBe(true);
    for (const name of NAMES) expect(kube.get(name)!.scanObjects(report.scan.id)).toEqual([]);
    // stored: the summary of this scan, and each cluster's latest
    const opened = openEmbeddedStore({ path: store });
    try {
      expect((await opened.getScan(report.scan.id))?.coverage.clustersScanned).toBe(2);
      expect((await opened.getLatest(idOf('prod-a')))?.scan?.id).toBe(report.scan.id);
    } finally {
      await opened.close();
    }
    // the same scan read back by `report`
    const again = await runCliInProcess(['report', '--store', store, '--format', 'json']);
    expect((JSON.parse(again.stdout) as Json).scan.id).toBe(report.scan.id);
  }, 120_000);

  it('--accounts enters each other account through --role-name with --external-id (ARN --cluster too)', async () => {
    const store = path.join(scratch, 'accounts.db');
    aws.sts.resetHistory();
    aws.eks.resetHistory();
    const run = await runCliInProcess([
      'scan',
      '--store',
      store,
      '--no-in-cluster',
      '--accounts',
      `${ACCOUNT},${MEMBER}`,
      '--regions',
      REGION,
      '--role-name',
      'fleet-dns-scanner',
      '--external-id',
      'acme-fleet-dns-7f3a',
      '--cluster',
      `arn:aws:eks:${REGION}:${MEMBER}:cluster/member-a`,
      '--cluster',
      idOf('prod-b'),
      '--format',
      'json',
    ]);
    expect(run.code).toBe(EXIT.OK);
    const report = JSON.parse(run.stdout) as Json;
    expect(report.clusters.map((c: Json) => c.cluster.id).sort()).toEqual([
      idOf('prod-b'),
      `${MEMBER}:${REGION}:member-a`,
    ]);
    const assumed = aws.sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input);
    expect(assumed).toContainEqual(
      expect.objectContaining({
        RoleArn: `arn:aws:iam::${MEMBER}:role/fleet-dns-scanner`,
        ExternalId: 'acme-fleet-dns-7f3a',
      }),
    );
    // Two account×region items, but a scan of named clusters neither sizes them in Discover nor
    // lists them in CollectRegion: no eks:ListClusters at all.
    expect(aws.eks.commandCalls(ListClustersCommand)).toHaveLength(0);
  }, 120_000);

  it('--context picks the kubeconfig identity; --format html --output writes the report to a file', async () => {
    const store = path.join(scratch, 'context.db');
    const file = path.join(scratch, 'fleet.html');
    const run = await runCliInProcess(
      scanArgs(
        store,
        '--cluster',
        'prod-b',
        '--context',
        arnOf('prod-b'),
        '--format',
        'html',
        '--output',
        file,
      ),
    );
    expect(run.code).toBe(EXIT.OK);
    expect(run.stdout).toBe('');
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    expect(html).toContain('prod-b');
    // a context of another cluster's API: its token is refused there, the runner is not dispatched
    const wrong = await runCliInProcess(
      scanArgs(store, '--cluster', 'prod-b', '--context', arnOf('prod-a'), '--format', 'json'),
    );
    expect(wrong.code).toBe(EXIT.OK);
    const internal = (JSON.parse(wrong.stdout) as Json).clusters[0].checks.find(
      (k: Json) => k.id === 'DNS-INTERNAL',
    );
    expect(internal.status).toBe('ERROR');
  }, 120_000);

  it.runIf(prerequisites(JAVA))(
    '--table stores in DynamoDB (DynamoDB Local), where report --table reads the same scan',
    async () => {
      const ddb = await startDynamoDbLocal();
      try {
        await ddb.client.send(new CreateTableCommand(dynamoTableDefinition('fleet-dns-scan').createTable));
        vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', ddb.endpoint);
        const run = await runCliInProcess([
          'scan',
          '--table',
          'fleet-dns-scan',
          '--no-in-cluster',
          '--cluster',
          'prod-b',
          '--format',
          'json',
        ]);
        expect(run.code).toBe(EXIT.OK);
        expect(run.stderr).toContain('stored in DynamoDB table fleet-dns-scan');
        const scanId = (JSON.parse(run.stdout) as Json).scan.id as string;
        const read = await runCliInProcess(['report', '--table', 'fleet-dns-scan', '--format', 'json']);
        expect(read.code).toBe(EXIT.OK);
        const report = JSON.parse(read.stdout) as Json;
        expect(report.scan.id).toBe(scanId);
        expect(report.clusters.map((c: Json) => c.cluster.id)).toEqual([idOf('prod-b')]);
      } finally {
        vi.unstubAllEnvs();
        await ddb.stop();
      }
    },
    180_000,
  );

  it('--fail-on exits 3 on an unmuted FAIL at or above it; --ignore-exit-code turns that into 0', async () => {
    const store = path.join(scratch, 'fail-on.db');
    const critical = await runCliInProcess(scanArgs(store, '--cluster', 'prod-a', '--fail-on', 'critical'));
    expect(critical.code).toBe(EXIT.FINDINGS);
    expect(critical.stdout).toContain(idOf('prod-a'));
    const ignored = await runCliInProcess(
      scanArgs(store, '--cluster', 'prod-a', '--fail-on', 'critical', '--ignore-exit-code'),
    );
    expect(ignored.code).toBe(EXIT.OK);
  }, 120_000);

  it('--no-in-cluster stores the AWS side with the in-cluster checks SKIPPED, creating nothing in the cluster', async () => {
    const store = path.join(scratch, 'aws-only.db');
    const before = kube.get('prod-b')!.api.requests.length;
    const run = await runCliInProcess([
      'scan',
      '--store',
      store,
      '--no-in-cluster',
      '--cluster',
      'prod-b',
      '--format',
      'json',
    ]);
    expect(run.code).toBe(EXIT.OK);
    const cluster = (JSON.parse(run.stdout) as Json).clusters[0];
    const internal = cluster.checks.find((k: Json) => k.id === 'DNS-INTERNAL');
    expect(internal.status).toBe('SKIPPED');
    expect(internal.evidence.reason).toContain('--no-in-cluster');
    const writes = kube
      .get('prod-b')!
      .api.requests.slice(before)
      .filter((r) => r.method !== 'GET');
    expect(writes).toEqual([]);
  }, 120_000);

  it('shows the live task list on a terminal, and nothing of it with --quiet', async () => {
    const onTerminal = async (...more: string[]) => {
      const io = captureIo();
      io.stderrIsTTY = true;
      const code = await runCli(
        [...more, 'scan', '--store', path.join(scratch, 'tty.db'), '--no-in-cluster', '--cluster', 'prod-b'],
        io,
      );
      return { code, err: io.err };
    };
    const shown = await onTerminal();
    expect(shown.code).toBe(EXIT.OK);
    expect(shown.err).toContain('Discovered 1 account×region in 1 account');
    expect(shown.err).toContain('Collect the AWS side: 1/1 account×regions, 1 cluster');
    expect(shown.err).toContain('Store and summarize: 1 cluster stored');
    const quiet = await onTerminal('--quiet');
    expect(quiet.code).toBe(EXIT.OK);
    expect(quiet.err).toBe('');
  }, 120_000);

  it.each([
    [['--cluster', 'a:b'], '--cluster "a:b"'],
    [['--concurrency', '0'], '--concurrency "0"'],
    [['--accounts', '12'], '--accounts:'],
    [['--kubeconfig', '/nonexistent/kubeconfig', '--no-in-cluster'], '--kubeconfig and --context'],
  ])('unusable arguments %j exit 2 with one line naming them', async (args, named) => {
    const run = await runCliInProcess([
      'scan',
      '--store',
      path.join(scratch, 'usage.db'),
      '--runner-image',
      'x/y:1',
      ...args,
    ]);
    expect(run.code).toBe(EXIT.USAGE);
    expect(run.stderr).toContain(named);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('without a runner image the in-cluster phase is a usage error that says how to give one', async () => {
    const run = await runCliInProcess(['scan', '--store', path.join(scratch, 'usage.db')]);
    expect(run.code).toBe(EXIT.USAGE);
    expect(run.stderr).toMatch(/--runner-image REF .*--no-in-cluster/);
  });

  it('Ctrl-C while a runner runs: its objects are deleted, the cluster is stored with an interrupted ERROR, exit 130', async () => {
    const store = path.join(scratch, 'interrupted.db');
    const slow = kube.get('slow')!;
    const io = captureIo();
    let interrupt: (() => void) | undefined;
    const withInterrupt = {
      ...io,
      onInterrupt: (listener: () => void) => {
        interrupt = listener;
        return () => (interrupt = undefined);
      },
    };
    // Ctrl-C once the probe Job exists (the runner is running and will not finish by itself)
    const watcher = setInterval(() => {
      if (slow.api.store.all().some((o) => o.kind === 'Job' && o.metadata.namespace === NS)) interrupt?.();
    }, 20);
    let code: number;
    try {
      code = await runCli(scanArgs(store, '--cluster', 'slow', '--format', 'json'), withInterrupt);
    } finally {
      clearInterval(watcher);
    }
    expect(code).toBe(EXIT.INTERRUPTED);
    expect(io.err).toContain('stopping');
    const report = JSON.parse(io.out) as Json;
    const internal = report.clusters[0].checks.find((k: Json) => k.id === 'DNS-INTERNAL');
    expect(internal.status).toBe('ERROR');
    expect(internal.evidence.reason).toContain('interrupted');
    expect(slow.scanObjects(report.scan.id)).toEqual([]);
    expect(slow.api.store.all().filter((o) => o.kind === 'Job' && o.metadata.namespace === NS)).toEqual([]);
  }, 120_000);
});
