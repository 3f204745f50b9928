/**
 * `runner node …`: the node agent's options, parsed here (main.ts hands over the arguments).
 * Exit 0 when the agent ran, whatever it found; 2 for unusable options; 1 when it could not run.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { errorLine } from '../../../lambdas/core/schema/index.js';
import { outputPathProblem } from '../output.js';
import { runNodeAgent } from './run-node-agent.js';
import { NodeAgentError } from './errors.js';

function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must be a positive integer`);
    return n;
  };
}

interface NodeFlags {
  nodeName?: string;
  scanId: string;
  clusterId: string;
  durationSeconds: number;
  interface?: string[];
  enaStatsFile?: string;
  captureInterface: string;
  readyFile?: string;
  output?: string;
  conntrackAllowance?: number;
  ethtoolPath?: string;
  tcpdumpPath?: string;
}

export interface NodeAgentCliIo {
  readonly stdout?: { write(text: string): unknown };
  readonly stderr?: { write(text: string): unknown };
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Parses `argv` (the arguments after `node`) and runs the agent; resolves to the exit code.
 * Configuration comes from flags, with the environment the Job sets as defaults
 * (NODE_NAME from the downward API, FLEETDNS_SCAN_ID, FLEETDNS_CLUSTER_ID, FLEETDNS_RESULT_KEY).
 */
export async function runNodeAgentCli(argv: readonly string[], io: NodeAgentCliIo = {}): Promise<number> {
  const env = io.env ?? process.env;
  const stderr = io.stderr ?? process.stderr;
  const program = new Command('runner node')
    .description(
      'node-agent role: read ENA allowance counters and capture port 53 on a node that hosts CoreDNS',
    )
    .option('--node-name <name>', 'the node this pod runs on (env NODE_NAME)', env.NODE_NAME)
    .option('--scan-id <id>', 'scan id (env FLEETDNS_SCAN_ID)', env.FLEETDNS_SCAN_ID ?? 'local')
    .option('--cluster-id <id>', 'cluster id (env FLEETDNS_CLUSTER_ID)', env.FLEETDNS_CLUSTER_ID ?? 'local')
    .option(
      '--duration-seconds <n>',
      'capture at most this long (SIGTERM ends it earlier)',
      positiveInt('--duration-seconds'),
      120,
    )
    .option(
      '--interface <if...>',
      'interfaces to read ENA statistics from (default: every physical interface)',
    )
    .option(
      '--ena-stats-file <file>',
      'read the counters from this JSON/YAML file instead of ethtool (the lab)',
    )
    .option('--capture-interface <if>', 'interface to capture port 53 on, or none', 'any')
    .option('--ready-file <file>', 'written once the capture runs (for the readinessProbe)')
    .option('--output <file>', 'write the plain JSON result here instead of framed lines on stdout')
    .option(
      '--conntrack-allowance <n>',
      "the instance's conntrack allowance, when known",
      positiveInt('--conntrack-allowance'),
    )
    .option('--ethtool-path <path>', 'ethtool binary')
    .option('--tcpdump-path <path>', 'tcpdump binary')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => (io.stdout ?? process.stdout).write(s),
      writeErr: (s) => stderr.write(s),
    });
  let flags: NodeFlags;
  try {
    program.parse([...argv], { from: 'user' });
    flags = program.opts<NodeFlags>();
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  if (!flags.nodeName) {
    stderr.write('runner node: error: --node-name (or env NODE_NAME) is required\n');
    return 2;
  }
  const outputProblem = flags.output === undefined ? undefined : await outputPathProblem(flags.output);
  if (outputProblem !== undefined) {
    stderr.write(`runner node: error: --output: ${errorLine(outputProblem, 500)}\n`);
    return 2;
  }
  try {
    await runNodeAgent({
      nodeName: flags.nodeName,
      scanId: flags.scanId,
      clusterId: flags.clusterId,
      durationSeconds: flags.durationSeconds,
      captureInterface: flags.captureInterface,
      ...(flags.interface !== undefined && { interfaces: flags.interface }),
      ...(flags.enaStatsFile !== undefined && { enaStatsFile: flags.enaStatsFile }),
      ...(flags.readyFile !== undefined && { readyFile: flags.readyFile }),
      ...(flags.output !== undefined && { output: flags.output }),
      ...(flags.conntrackAllowance !== undefined && { conntrackAllowance: flags.conntrackAllowance }),
      ...(flags.ethtoolPath !== undefined && { ethtoolPath: flags.ethtoolPath }),
      ...(flags.tcpdumpPath !== undefined && { tcpdumpPath: flags.tcpdumpPath }),
      ...(env.FLEETDNS_RESULT_KEY ? { resultKey: env.FLEETDNS_RESULT_KEY } : {}),
      ...(io.stdout !== undefined && { stdout: io.stdout }),
    });
    return 0;
  } catch (err) {
    stderr.write(`runner node: error: ${errorLine(err instanceof Error ? err.message : String(err), 500)}\n`);
    return err instanceof NodeAgentError ? 2 : 1;
  }
}
