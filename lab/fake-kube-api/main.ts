/**
 * Runs the fake Kubernetes API server as its own process, so the lab can start it inside a
 * network namespace on a lab address:
 *
 *   ip netns exec NS npx tsx lab/fake-kube-api/main.ts --objects DIR_OR_FILE … \
 *     --host 198.18.0.5 --port 6443 --token T --write-kubeconfig FILE
 *
 * Prints one JSON line `{"url":…,"port":…,"token":…}` on stdout once it listens; stops on
 * SIGTERM/SIGINT. Exit 2 on unusable arguments or objects.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadKubeObjects } from '../fixtures.js';
import { startFakeKubeApi } from './server.js';
import type { FaultRule } from './types.js';

function fail(message: string): never {
  process.stderr.write(`fake-kube-api: error: ${message}\n`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      objects: { type: 'string', multiple: true, default: [] },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      token: { type: 'string' },
      'write-kubeconfig': { type: 'string' },
      'pod-logs': { type: 'string' },
      faults: { type: 'string' },
    },
    strict: true,
  }).values;
} catch (error) {
  fail((error as Error).message);
}

const port = Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port: "${args.port}" is not a port number`);

function readJson(file: string, flag: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (error) {
    return fail(`${flag} ${file}: ${(error as Error).message}`);
  }
}

let objects;
try {
  objects = loadKubeObjects(args.objects);
} catch (error) {
  fail(`--objects: ${(error as Error).message}`);
}
const podLogs = args['pod-logs']
  ? (readJson(args['pod-logs'], '--pod-logs') as Record<string, string>)
  : undefined;
// Fault paths come as regex source strings in JSON.
const faults = args.faults ? (readJson(args.faults, '--faults') as FaultRule[]) : undefined;

const api = await startFakeKubeApi({
  objects,
  host: args.host,
  port,
  ...(args.token ? { token: args.token } : {}),
  ...(podLogs ? { podLogs } : {}),
  ...(faults ? { faults } : {}),
});
if (args['write-kubeconfig']) writeFileSync(args['write-kubeconfig'], api.kubeconfig(), { mode: 0o600 });
process.stdout.write(`${JSON.stringify({ url: api.url, port: api.port, token: api.token })}\n`);

const shutdown = (): void => {
  void api.stop().then(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
