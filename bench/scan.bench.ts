/**
 * `npm run -s bench -- scan [CLUSTERS] [CLUSTERS_PER_VPC]`: `fleet-dns scan` as a process over
 * the collect benchmark's fake fleet (default 40 clusters, 4 per VPC, 200 other ENIs per VPC, one
 * account×region): the AWS side from the fake AWS endpoint on 127.0.0.1 (the real SDK over HTTP),
 * every cluster's runner dispatched into its own fake Kubernetes API that replays the recorded
 * healthy lab run (the dispatch, status, collect and delete requests are real), the embedded
 * store in a scratch directory. Prints the scan's wall time (process start → exit), the AWS and
 * Kubernetes requests it made, and its peak RSS (VmHWM, sampled until it exits).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startReplayCluster } from '../lab/demo/replay-cluster.js';
import { eksKubeconfig } from '../lab/fake-kube-api/index.js';
import type { ReplayCluster } from '../lab/demo/replay-cluster.js';
import { loadRecordedRun } from '../lab/demo/recorded-runs.js';
import { buildCluster, buildVpc, startFakeAwsEndpoint } from '../lab/fake-aws/index.js';
import type { BuiltVpc, FakeCluster } from '../lab/fake-aws/index.js';
import { vmHwmKb } from '../lab/engine/exec.js';
import type { Benchmark } from './run.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const arnOf = (name: string) => `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${name}`;

const bench: Benchmark = {
  description:
    '`fleet-dns scan` (a process) over a fake fleet: wall time, AWS and Kubernetes requests, peak RSS',
  async run(args) {
    const clusters = Number(args[0] ?? 40);
    const perVpc = Number(args[1] ?? 4);
    const names = Array.from({ length: clusters }, (_, i) => `c${i}`);
    const healthy = loadRecordedRun('healthy');
    const apis = new Map<string, ReplayCluster>();
    for (const name of names)
      apis.set(name, await startReplayCluster(healthy, `${ACCOUNT}:${REGION}:${name}`));
    const vpcs: BuiltVpc[] = [];
    const built: FakeCluster[] = [];
    for (let v = 0; v * perVpc < clusters; v += 1) {
      const inVpc = names.slice(v * perVpc, (v + 1) * perVpc);
      const vpc = buildVpc({
        vpcId: `vpc-b${v}`,
        octet: v % 250,
        accountId: ACCOUNT,
        region: REGION,
        clusters: inVpc.map((name) => ({ name, nodes: 3 })),
        otherEnis: 200,
      });
      vpcs.push(vpc);
      for (const name of inVpc) {
        const api = apis.get(name)!.api;
        built.push(
          buildCluster({
            name,
            accountId: ACCOUNT,
            region: REGION,
            vpc,
            endpoint: api.url,
            caData: b64(api.caPem),
          }),
        );
      }
    }
    const endpoint = await startFakeAwsEndpoint(
      [{ accountId: ACCOUNT, region: REGION, vpcs, clusters: built }],
      { currentAccountId: ACCOUNT },
    );
    const scratch = mkdtempSync(path.join(tmpdir(), 'fleet-dns-scan-bench-'));
    const kubeconfig = path.join(scratch, 'kubeconfig');
    writeFileSync(kubeconfig, eksKubeconfig(names.map((n) => ({ arn: arnOf(n), api: apis.get(n)!.api }))));
    try {
      const t0 = performance.now();
      let peakKb = 0;
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          path.join(REPO, 'bin/fleet-dns.ts'),
          'scan',
          '--store',
          path.join(scratch, 'results.db'),
          '--kubeconfig',
          kubeconfig,
          '--runner-image',
          'example.invalid/fleet-dns-runner:bench',
          '--format',
          'json',
        ],
        {
          cwd: REPO,
          env: {
            PATH: process.env.PATH ?? '/usr/bin:/bin',
            HOME: scratch,
            ...endpoint.env,
            AWS_REGION: REGION,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const sampler = setInterval(() => (peakKb = Math.max(peakKb, vmHwmKb(child.pid) ?? 0)), 50);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      clearInterval(sampler);
      const wallMs = performance.now() - t0;
      if (code !== 0) throw new Error(`fleet-dns scan exited ${code}: ${stderr}`);
      const report = JSON.parse(stdout) as { clusters: { checks: { id: string; status: string }[] }[] };
      if (report.clusters.length !== clusters)
        throw new Error(`scanned ${report.clusters.length} of ${clusters} clusters`);
      const collected = report.clusters.filter(
        (c) => c.checks.find((k) => k.id === 'DNS-INTERNAL')?.status === 'PASS',
      ).length;
      const calls = endpoint.calls();
      const count = (service: string) => calls.filter((c) => c.service === service).length;
      const kube = [...apis.values()].reduce((n, c) => n + c.api.requests.length, 0);
      return {
        clusters,
        clusters_with_runner_results: collected,
        scan_wall_s: (wallMs / 1000).toFixed(1),
        aws_requests: calls.length,
        ec2_requests: count('ec2'),
        eks_requests: count('eks'),
        sts_requests: count('sts'),
        aws_requests_per_cluster: (calls.length / clusters).toFixed(2),
        kube_requests: kube,
        kube_requests_per_cluster: (kube / clusters).toFixed(1),
        peak_rss_mb: (peakKb / 1024).toFixed(1),
      };
    } finally {
      await endpoint.close();
      for (const c of apis.values()) await c.stop();
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};

export default bench;
