/**
 * The lab's data path itself, proven with dig and our own DNS client: the ClusterIP answers via
 * kube-proxy DNAT, pod IPs answer, traffic is routed (not NATed) between nodes, faults take
 * effect, and teardown leaves nothing behind — in the lab or in the root namespace.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_ADDRESSES, labNamespacesOnMachine, startLab, sweepStaleLabs } from '../../lab/engine/index.js';
import type { Lab } from '../../lab/engine/index.js';
import { loadScenario, parseScenario } from '../../lab/scenarios/schema.js';
import { ROOT, command, prerequisites } from '../support/prerequisites.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const HEALTHY = path.join(REPO, 'lab/scenarios/healthy.yaml');
const PROBE = 'fleet-dns-probe';
const CORE_A = 'coredns-787cb67946-7rtq2';
const CORE_B = 'coredns-787cb67946-xk9wd';

const ready = prerequisites(
  ROOT,
  command('ip', 'iproute2'),
  command('iptables', 'iptables'),
  command('dnsmasq', 'dnsmasq-base'),
  command('tcpdump', 'tcpdump'),
  command('dig', 'bind9-dnsutils'),
);

/** The root namespace's network state that the lab must never change. */
/**
 * 'gone', 'zombie' (exited, waiting for its parent — here often PID 1 — to reap it) or 'running'.
 * A zombie runs nothing and holds no socket: for "no process of the lab is left" it counts as gone.
 */
function processState(pid: number): 'gone' | 'zombie' | 'running' {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 'gone';
  }
  // The state is the field after the parenthesised command name (which may contain spaces).
  return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z') ? 'zombie' : 'running';
}

function rootNetworkState(): Record<string, string> {
  const sh = (argv: string[]): string => execFileSync(argv[0] ?? '', argv.slice(1), { encoding: 'utf8' });
  return {
    iptables: sh(['iptables-save'])
      .replace(/^#.*$/gm, '')
      .replace(/\[\d+:\d+\]/g, ''),
    links: sh(['ip', '-o', 'link', 'show']).replace(/\s+(link\/\S+ \S+ brd \S+|qdisc.*?state)/g, ''),
    routes: sh(['ip', 'route', 'show', 'table', 'all']),
    addresses: sh(['ip', '-o', 'addr', 'show']),
    ipForward: readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8'),
  };
}

async function dig(lab: Lab, hop: string, args: string[]): Promise<string> {
  const r = await lab.exec(hop, ['dig', '+time=2', '+tries=1', '+short', ...args]);
  return r.stdout.trim();
}

async function query(lab: Lab, hop: string, args: string[]): Promise<Record<string, unknown>[]> {
  const r = await lab.exec(hop, [
    process.execPath,
    '--import',
    'tsx',
    'test/lab/support/dns-client.ts',
    ...args,
  ]);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe.runIf(ready)('netns lab engine', () => {
  let before: Record<string, string>;
  let lab: Lab;

  beforeAll(async () => {
    before = rootNetworkState();
    const { scenario, dir } = loadScenario(HEALTHY);
    lab = await startLab({ scenario, scenarioDir: dir });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('answers the kube-dns ClusterIP through kube-proxy DNAT, spreading queries over both CoreDNS pods', async () => {
    for (let i = 0; i < 12; i += 1) {
      expect(
        await dig(lab, PROBE, [
          `@${LAB_ADDRESSES.kubeDnsClusterIp}`,
          `rr${i}.kubernetes.default.svc.cluster.local`,
        ]),
      ).toBe('');
    }
    expect(
      await dig(lab, PROBE, [`@${LAB_ADDRESSES.kubeDnsClusterIp}`, 'kubernetes.default.svc.cluster.local']),
    ).toBe('198.19.0.1');
    const seenA = lab.queryLog(CORE_A).filter((q) => String(q.name).startsWith('rr')).length;
    const seenB = lab.queryLog(CORE_B).filter((q) => String(q.name).startsWith('rr')).length;
    expect(seenA + seenB).toBe(12);
    expect(seenA).toBeGreaterThan(0);
    expect(seenB).toBeGreaterThan(0);
    // The node's nat table holds kube-proxy's chains (and only the node's, not the pod's).
    const nat = await lab.exec('ip-198-18-1-10.eu-west-1.compute.internal', ['iptables-save', '-t', 'nat']);
    expect(nat.stdout).toMatch(/-j DNAT --to-destination 198\.18\.2\.20:53/);
    expect((await lab.exec(PROBE, ['iptables-save', '-t', 'nat'])).stdout).not.toMatch(/DNAT/);
  });

  it('answers on each CoreDNS pod IP, internal and forwarded external names, over UDP and TCP', async () => {
    for (const podIp of ['198.18.2.20', '198.18.3.20']) {
      expect(await dig(lab, PROBE, [`@${podIp}`, 'kube-dns.kube-system.svc.cluster.local'])).toBe(
        '198.19.0.10',
      );
      expect(await dig(lab, PROBE, [`@${podIp}`, 'amazon.com'])).toBe('198.18.200.1');
      expect(await query(lab, PROBE, [podIp, 'www.amazon.com', 'A', '--tcp'])).toEqual([
        { type: 'A', rcode: 'NOERROR', answers: ['198.18.200.2'] },
      ]);
    }
    expect(
      await query(lab, PROBE, [LAB_ADDRESSES.kubeDnsClusterIp, 'random.fleet-dns-probe.cluster.local']),
    ).toEqual([{ type: 'A', rcode: 'NXDOMAIN', answers: [] }]);
  });

  it('routes pod traffic between nodes without NAT: CoreDNS sees the probe pod’s own address, the resolver sees the CoreDNS pod', async () => {
    await dig(lab, PROBE, ['@198.18.3.20', 'routed.amazon.com']);
    const atCore = lab.queryLog(CORE_B).find((q) => q.name === 'routed.amazon.com');
    expect(String(atCore?.client)).toMatch(/^198\.18\.1\.20:\d+$/);
    const atResolver = lab.queryLog('upstream').find((q) => q.name === 'routed.amazon.com');
    expect(String(atResolver?.client)).toMatch(/^198\.18\.3\.20:\d+$/);
    const route = await lab.exec('ip-198-18-1-10.eu-west-1.compute.internal', [
      'ip',
      'route',
      'get',
      '198.18.1.20',
    ]);
    expect(route.stdout).toMatch(/dev p1/);
  });

  it('serves the fake Kubernetes API at 198.18.0.100:443 over verified TLS, and CoreDNS metrics on :9153', async () => {
    const script = `require('https').get('https://${LAB_ADDRESSES.apiServer}/api/v1/namespaces/kube-system/services/kube-dns',{ca:process.env.CA,headers:{Authorization:'Bearer '+process.env.TOKEN}},r=>{let t='';r.on('data',c=>t+=c);r.on('end',()=>console.log(JSON.parse(t).spec.clusterIP))}).on('error',e=>console.log('ERR '+e.message))`;
    const r = await lab.exec(PROBE, [process.execPath, '-e', script], {
      env: { ...process.env, CA: lab.api.caPem, TOKEN: lab.api.token },
    });
    expect(r.stdout.trim()).toBe('198.19.0.10');
    expect(readFileSync(lab.kubeconfigPath, 'utf8')).toContain('server: https://198.18.0.100:443');
    const metrics = await lab.exec(PROBE, [
      process.execPath,
      '-e',
      "fetch('http://198.18.2.20:9153/metrics').then(r=>r.text()).then(t=>console.log(t))",
    ]);
    expect(metrics.stdout).toMatch(/^coredns_dns_requests_total\{/m);
  });

  it('writes the probe pod’s resolv.conf as ClusterFirst with ndots:5', () => {
    expect(readFileSync(lab.resolvConfPath, 'utf8')).toBe(
      'search default.svc.cluster.local svc.cluster.local cluster.local eu-west-1.compute.internal\nnameserver 198.19.0.10\noptions ndots:5\n',
    );
  });

  it('applies an iptables fault on a named hop: TCP 53 dropped on the client node, UDP still answers', async () => {
    await lab.addFault({
      hop: 'ip-198-18-1-10.eu-west-1.compute.internal',
      chain: 'FORWARD',
      rule: '-p tcp --dport 53 -j DROP',
    });
    expect(
      await query(lab, PROBE, [
        LAB_ADDRESSES.kubeDnsClusterIp,
        'amazon.com',
        'A',
        '--tcp',
        '--timeout',
        '1000',
      ]),
    ).toEqual([{ type: 'A', timeout: true }]);
    expect(await query(lab, PROBE, [LAB_ADDRESSES.kubeDnsClusterIp, 'amazon.com', 'A'])).toEqual([
      { type: 'A', rcode: 'NOERROR', answers: ['198.18.200.1'] },
    ]);
  });

  it('never sends a packet out of the lab: the vpc router blackholes the service range and has no default route', async () => {
    const routes = (await lab.exec('vpc', ['ip', 'route', 'show'])).stdout;
    expect(routes).toMatch(/^blackhole 198\.19\.0\.0\/16/m);
    expect(routes).not.toMatch(/^default/m);
    for (const line of routes.split('\n').filter(Boolean)) expect(line).toMatch(/198\.1[89]\./);
  });

  describe('teardown', () => {
    it('removes every namespace and process, and leaves the root namespace unchanged', async () => {
      const namespaces = [...lab.namespaces];
      const pids = namespaces.flatMap((ns) =>
        execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean),
      );
      expect(pids.length).toBeGreaterThan(0);
      await lab.stop();
      expect(labNamespacesOnMachine(lab.prefix)).toEqual([]);
      for (const pid of pids) expect(processState(Number(pid)), `pid ${pid}`).toMatch(/^(gone|zombie)$/);
      expect(rootNetworkState()).toEqual(before);
    });
  });
});

describe.runIf(ready)('netns lab faults from scenario data', () => {
  let lab: Lab;
  const NODE1 = 'ip-198-18-1-10.eu-west-1.compute.internal';

  beforeAll(async () => {
    const scenario = parseScenario({
      name: 'engine-faults',
      description:
        'kube-proxy missing on the client node, one CoreDNS pod dropping, the other dropping the AAAA of a pair and closed on TCP, upstream zone dead, NodeLocal on node 3',
      nodes: [
        {
          name: NODE1,
          address: '198.18.1.10',
          kubeProxy: false,
          pods: [{ name: PROBE, role: 'probe', address: '198.18.1.20' }],
        },
        {
          name: 'ip-198-18-2-10.eu-west-1.compute.internal',
          address: '198.18.2.10',
          pods: [
            {
              name: CORE_A,
              namespace: 'kube-system',
              role: 'coredns',
              address: '198.18.2.20',
              behaviour: { dropShare: 1 },
            },
          ],
        },
        {
          name: 'ip-198-18-3-10.eu-west-1.compute.internal',
          address: '198.18.3.10',
          nodeLocal: { answers: true, interceptsClusterIp: true },
          pods: [
            {
              name: CORE_B,
              namespace: 'kube-system',
              role: 'coredns',
              address: '198.18.3.20',
              behaviour: { dropSecondOfPair: true, tcp: false },
            },
            { name: 'client', role: 'client', address: '198.18.3.30' },
          ],
        },
      ],
      upstream: {
        zones: [
          {
            zone: 'amazon.com',
            records: {
              'amazon.com': { A: ['198.18.200.1'] },
              'pair.amazon.com': { A: ['198.18.200.1'] },
              'intercepted.amazon.com': { A: ['198.18.200.1'] },
            },
          },
          { zone: 'dead.example', behaviour: 'drop' },
        ],
      },
      expect: { diagnosis: ['unknown'] },
    });
    lab = await startLab({ scenario });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('ClusterIP is dead on a node without kube-proxy rules while pod IPs answer', async () => {
    expect(
      await query(lab, PROBE, [LAB_ADDRESSES.kubeDnsClusterIp, 'amazon.com', 'A', '--timeout', '800']),
    ).toEqual([{ type: 'A', timeout: true }]);
    expect(await query(lab, PROBE, ['198.18.3.20', 'amazon.com'])).toEqual([
      { type: 'A', rcode: 'NOERROR', answers: ['198.18.200.1'] },
    ]);
  });

  it('a CoreDNS pod with dropShare 1 answers nothing, and logs what it dropped', async () => {
    expect(await query(lab, PROBE, ['198.18.2.20', 'amazon.com', 'A', '--timeout', '800'])).toEqual([
      { type: 'A', timeout: true },
    ]);
    expect(lab.queryLog(CORE_A).map((q) => q.action)).toContain('drop');
  });

  it('drops the AAAA of a same-socket A/AAAA pair (the conntrack-race signature) but answers each alone', async () => {
    expect(
      await query(lab, PROBE, ['198.18.3.20', 'pair.amazon.com', 'A', '--pair', '--timeout', '800']),
    ).toEqual([
      { type: 'A', rcode: 'NOERROR', answers: ['198.18.200.1'] },
      { type: 'AAAA', timeout: true },
    ]);
    expect(await query(lab, PROBE, ['198.18.3.20', 'amazon.com', 'AAAA'])).toEqual([
      { type: 'AAAA', rcode: 'NOERROR', answers: [] },
    ]);
  });

  it('refuses TCP on a pod with tcp: false', async () => {
    const [result] = await query(lab, PROBE, ['198.18.3.20', 'amazon.com', 'A', '--tcp']);
    expect(String(result?.error)).toMatch(/ECONNREFUSED/);
  });

  it('answers SERVFAIL for a zone whose upstream drops (CoreDNS forward gives up after about 5 s)', async () => {
    // lab.md: the stand-ins wait for a forwarded answer as CoreDNS's forward plugin does (~5 s)
    expect(await query(lab, PROBE, ['198.18.3.20', 'x.dead.example', 'A', '--timeout', '8000'])).toEqual([
      { type: 'A', rcode: 'SERVFAIL', answers: [] },
    ]);
  });

  it('NodeLocal DNSCache (dnsmasq) answers on 169.254.20.10 and intercepts the ClusterIP on its node', async () => {
    expect(await dig(lab, 'client', ['@169.254.20.10', 'kubernetes.default.svc.cluster.local'])).toBe(
      '198.19.0.1',
    );
    expect(await dig(lab, 'client', [`@${LAB_ADDRESSES.kubeDnsClusterIp}`, 'intercepted.amazon.com'])).toBe(
      '198.18.200.1',
    );
    // The query reached CoreDNS from the node (the cache), not from the client pod.
    const seen = [...lab.queryLog(CORE_A), ...lab.queryLog(CORE_B)].find(
      (q) => q.name === 'intercepted.amazon.com',
    );
    expect(String(seen?.client)).toMatch(/^198\.18\.3\.10:/);
  });
});

describe.runIf(ready)('netns lab cleanup when interrupted or left behind', () => {
  it('tears the lab down when its process gets SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('./lab/engine/index.ts').then(async (e) => { const s = await import('./lab/scenarios/schema.ts'); const { scenario } = s.loadScenario('lab/scenarios/healthy.yaml'); const lab = await e.startLab({ scenario }); console.log(JSON.stringify({ prefix: lab.prefix, workDir: lab.workDir })); setInterval(() => {}, 1000); })`,
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const { prefix, workDir } = JSON.parse(
      await new Promise<string>((resolve, reject) => {
        createInterface(child.stdout).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`lab process exited early (${code})`)));
      }),
    ) as { prefix: string; workDir: string };
    expect(labNamespacesOnMachine(prefix).length).toBeGreaterThan(0);
    expect(existsSync(workDir)).toBe(true);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
    expect(labNamespacesOnMachine(prefix)).toEqual([]);
    expect(existsSync(workDir)).toBe(false);
  });

  it('sweeps namespaces of dead runs at start, and leaves live runs alone', () => {
    const stale = 'fdl-999999999-beef-vpc';
    const live = `fdl-${process.pid}-beef-vpc`;
    const staleDir = path.join(tmpdir(), 'fleet-dns-lab-999999999-test');
    execFileSync('ip', ['netns', 'add', stale]);
    execFileSync('ip', ['netns', 'add', live]);
    mkdirSync(staleDir);
    try {
      const swept = sweepStaleLabs();
      expect(swept).toEqual(expect.arrayContaining([stale, 'fleet-dns-lab-999999999-test']));
      expect(existsSync(staleDir)).toBe(false);
      expect(labNamespacesOnMachine('fdl-999999999-')).toEqual([]);
      expect(labNamespacesOnMachine(live)).toEqual([live]);
    } finally {
      execFileSync('ip', ['netns', 'delete', live]);
    }
  });
});
