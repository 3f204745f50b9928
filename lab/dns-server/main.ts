/**
 * Runs the lab DNS server as its own process (the lab starts one per CoreDNS pod and one for
 * the "VPC resolver", each inside its network namespace):
 *
 *   ip netns exec NS node --import tsx lab/dns-server/main.ts --config FILE.json
 *
 * Prints `{"port":N}` on stdout once it listens; stops on SIGTERM/SIGINT; exit 2 on a bad config.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startDnsServer } from './server.js';
import type { DnsServerConfig } from './server.js';

function fail(message: string): never {
  process.stderr.write(`lab-dns-server: error: ${message}\n`);
  process.exit(2);
}

let configFile: string | undefined;
try {
  configFile = parseArgs({ options: { config: { type: 'string' } }, strict: true }).values.config;
} catch (error) {
  fail((error as Error).message);
}
if (!configFile) fail('--config FILE is required');
let config: DnsServerConfig;
try {
  config = JSON.parse(readFileSync(configFile, 'utf8')) as DnsServerConfig;
} catch (error) {
  fail(`--config ${configFile}: ${(error as Error).message}`);
}

let server;
try {
  server = await startDnsServer(config);
} catch (error) {
  fail((error as Error).message);
}
process.stdout.write(`${JSON.stringify({ port: server.port, metricsPort: server.metricsPort })}\n`);
const shutdown = (): void => {
  void server.stop().then(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
