/**
 * Runs inside `unshare --net --mount` (a network and mount namespace of its own, only `lo`):
 * /etc/resolv.conf is bind-mounted to the test's file, a DNS server plays kube-dns on
 * 127.0.0.10:53, and the probe runs with its capture on lo — so the system resolver's real
 * search-list walk can be counted on the wire. Prints the runner result as JSON.
 */
import { runProbe } from '../../../runner-image/src/probe/index.js';
import { startTestDnsServer } from './dns-test-server.js';

const dns = await startTestDnsServer({
  host: '127.0.0.10',
  port: 53,
  address: '198.18.0.42',
  behaviour: (q) => (q.name.includes('fleet-dns-probe') ? 'nxdomain' : 'answer'),
});
const ok = <T>(value: T) => ({ ok: true as const, value });
const result = await runProbe({
  scanId: 's',
  clusterId: 'c',
  captureInterface: 'lo',
  runKubeChecks: async () => [],
  settings: { timeoutMs: 500, latencyQueries: 4 },
  discovery: {
    kubeDns: ok({ clusterIp: '127.0.0.10', ports: ['53/UDP', '53/TCP'] }),
    endpoints: ok([]),
    kubernetesServiceIp: ok('198.18.0.42'),
    nodeLocal: ok({ daemonSet: false }),
    kubeDnsUpstreamIp: ok(null),
  },
});
await dns.close();
process.stdout.write(JSON.stringify(result));
