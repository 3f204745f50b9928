/**
 * The runner's entry point (the image runs the same bundle): `runner probe` (the client role)
 * and `runner node` (the node agent, its own module). Exit 0 whenever a role ran, whatever it
 * found; 2 for unusable arguments; 1 when the role could not run at all.
 *
 * @example npm run -s runner -- probe --kubeconfig ~/.kube/config --output result.json
 */
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { KubeConfig } from '@kubernetes/client-node';
import { DEFAULT_PROBE_SETTINGS, runProbe } from './probe/index.js';
import { errorLine } from '../../lambdas/core/schema/index.js';
import { outputPathProblem, writeRunnerResult } from './output.js';

const EXIT_OK = 0;
const EXIT_TOOL_ERROR = 1;
const EXIT_USAGE = 2;

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}

function ipv4(value: string): string {
  if (!/^(\d{1,3})(\.\d{1,3}){3}$/.test(value) || value.split('.').some((o) => Number(o) > 255))
    throw new InvalidArgumentError('must be an IPv4 address');
  return value;
}

interface ProbeFlags {
  kubeconfig?: string;
  resolvConf: string;
  output?: string;
  scanId: string;
  clusterId: string;
  externalName: string;
  clusterDomain: string;
  captureInterface: string;
  maxQps: number;
  maxQpsPerTarget: number;
  latencyQueries: number;
  internalLatencyWarnMs: number;
  externalLatencyWarnMs: number;
  nodelocalAddress: string;
  nodeName?: string;
  timeoutMs: number;
  metricsIntervalMs?: number;
  dnsPort: number;
  waitForNodeAgents?: string;
  namespace: string;
  nodeAgentsTimeoutMs: number;
}

/** Loads the cluster API config: `--kubeconfig`, else in-cluster (service account) config. */
function loadKubeConfig(file: string | undefined): { kubeConfig?: KubeConfig; error?: string } {
  const kc = new KubeConfig();
  try {
    if (file) kc.loadFromFile(file);
    else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
    else
      return { error: 'not running in a pod and no --kubeconfig given: the cluster API was not consulted' };
    return { kubeConfig: kc };
  } catch (err) {
    return {
      error: `could not load the cluster API config: ${errorLine(err instanceof Error ? err.message : String(err))}`,
    };
  }
}

export function buildProgram(): Command {
  const program = new Command('runner')
    .description('fleet-dns in-cluster runner')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('probe')
    .description('client role: probe cluster DNS from this pod and report one runner result')
    .option('--kubeconfig <file>', 'kubeconfig (default: in-cluster config)')
    .option('--resolv-conf <file>', 'resolv.conf to evaluate', '/etc/resolv.conf')
    .option('--output <file>', 'write the plain JSON result here instead of framed lines on stdout')
    .option('--scan-id <id>', 'scan id (env FLEETDNS_SCAN_ID)', process.env.FLEETDNS_SCAN_ID ?? 'local')
    .option(
      '--cluster-id <id>',
      'cluster id (env FLEETDNS_CLUSTER_ID)',
      process.env.FLEETDNS_CLUSTER_ID ?? 'local',
    )
    .option('--external-name <name>', 'external name for DNS-EXTERNAL', 'amazon.com')
    .option('--cluster-domain <domain>', 'cluster domain', 'cluster.local')
    .option('--capture-interface <if>', 'interface to capture on, or none', 'any')
    .option('--max-qps <n>', 'probe budget: queries in any one-second window', positiveInt('--max-qps'), 50)
    .option('--max-qps-per-target <n>', 'probe budget per server', positiveInt('--max-qps-per-target'), 20)
    .option('--latency-queries <n>', 'DNS-LATENCY queries per target', positiveInt('--latency-queries'), 20)
    .option(
      '--internal-latency-warn-ms <n>',
      'DNS-LATENCY WARN above this p99 for cluster names',
      positiveInt('--internal-latency-warn-ms'),
      DEFAULT_PROBE_SETTINGS.internalP99WarnMs,
    )
    .option(
      '--external-latency-warn-ms <n>',
      'DNS-LATENCY WARN above this p99 for external names',
      positiveInt('--external-latency-warn-ms'),
      DEFAULT_PROBE_SETTINGS.externalP99WarnMs,
    )
    .option('--nodelocal-address <ip>', 'NodeLocal DNSCache address to probe', ipv4, '169.254.20.10')
    .option('--node-name <name>', 'the node this pod runs on (env NODE_NAME)', process.env.NODE_NAME)
    .option('--timeout-ms <n>', 'per-query timeout', positiveInt('--timeout-ms'), 2000)
    .option(
      '--metrics-interval-ms <n>',
      'time between the two CoreDNS metrics scrapes (default: 5000)',
      positiveInt('--metrics-interval-ms'),
    )
    .option(
      '--wait-for-node-agents <labelSelector>',
      'before probing, wait until the pods matching this selector (in --namespace) are Ready',
    )
    .option(
      '--namespace <ns>',
      "the node agents' namespace (env POD_NAMESPACE)",
      process.env.POD_NAMESPACE || 'fleet-dns',
    )
    .option(
      '--node-agents-timeout-ms <n>',
      'longest wait for the node agents; then probe anyway',
      positiveInt('--node-agents-timeout-ms'),
      60_000,
    )
    .addOption(
      new Option('--dns-port <n>', 'DNS port of every target (tests)')
        .argParser(positiveInt('--dns-port'))
        .default(53)
        .hideHelp(),
    )
    .action(async (flags: ProbeFlags, command: Command) => {
      const outputProblem = flags.output === undefined ? undefined : await outputPathProblem(flags.output);
      if (outputProblem !== undefined)
        command.error(`runner probe: error: --output: ${errorLine(outputProblem, 500)}`, {
          exitCode: EXIT_USAGE,
        });
      const { kubeConfig, error } = loadKubeConfig(flags.kubeconfig);
      const result = await runProbe({
        scanId: flags.scanId,
        clusterId: flags.clusterId,
        ...(flags.nodeName ? { nodeName: flags.nodeName } : {}),
        resolvConfPath: flags.resolvConf,
        ...(kubeConfig ? { kubeConfig } : {}),
        ...(error ? { kubeConfigError: error } : {}),
        captureInterface: flags.captureInterface,
        ...(flags.metricsIntervalMs !== undefined ? { metricsIntervalMs: flags.metricsIntervalMs } : {}),
        budget: { maxQps: flags.maxQps, maxQpsPerTarget: flags.maxQpsPerTarget },
        ...(flags.waitForNodeAgents
          ? {
              waitForNodeAgents: {
                labelSelector: flags.waitForNodeAgents,
                namespace: flags.namespace,
                timeoutMs: flags.nodeAgentsTimeoutMs,
              },
            }
          : {}),
        settings: {
          clusterDomain: flags.clusterDomain.replace(/\.$/, ''),
          externalName: flags.externalName,
          timeoutMs: flags.timeoutMs,
          latencyQueries: flags.latencyQueries,
          internalP99WarnMs: flags.internalLatencyWarnMs,
          externalP99WarnMs: flags.externalLatencyWarnMs,
          nodeLocalAddress: flags.nodelocalAddress,
          dnsPort: flags.dnsPort,
        },
      });
      await writeRunnerResult(result, {
        ...(flags.output ? { output: flags.output } : {}),
        ...(process.env.FLEETDNS_RESULT_KEY ? { key: process.env.FLEETDNS_RESULT_KEY } : {}),
      });
    });

  program
    .command('node')
    .description('node-agent role (runner-image/src/node): capture on a CoreDNS node and read ENA counters')
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]')
    .action(async (args: string[]) => {
      // Loaded lazily (the probe never pays for it); the node agent parses its own options.
      const { runNodeAgentCli } = await import('./node/index.js');
      process.exitCode = await runNodeAgentCli(args);
    });
  return program;
}

/** Runs the program; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are not errors
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.help' ||
        err.code === 'commander.version'
      )
        return EXIT_OK;
      return EXIT_USAGE;
    }
    process.stderr.write(
      `runner: error: ${errorLine(err instanceof Error ? err.message : String(err), 500)}\n`,
    );
    return EXIT_TOOL_ERROR;
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly || process.env.FLEETDNS_RUNNER_MAIN === '1') {
  process.exitCode = await main(process.argv.slice(2));
}
