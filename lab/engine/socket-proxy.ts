/**
 * Forwards TCP connections on a lab address to a Unix socket, byte for byte (TLS passes through
 * untouched). The lab runs it inside the "api" network namespace so the fake Kubernetes API,
 * listening on a Unix socket in the test's own process, is reachable from every lab namespace at
 * https://198.18.0.100:443 — a filesystem socket is visible across network namespaces.
 *
 *   ip netns exec NS node --import tsx lab/engine/socket-proxy.ts --listen 198.18.0.100:443 --socket /tmp/…/api.sock
 */
import { connect, createServer } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { listen: { type: 'string' }, socket: { type: 'string' } },
  strict: true,
});
const m = /^(.+):(\d+)$/.exec(values.listen ?? '');
if (!m || !values.socket) {
  process.stderr.write('socket-proxy: error: --listen HOST:PORT and --socket PATH are required\n');
  process.exit(2);
}
const socketPath = values.socket;
const server = createServer((client) => {
  const upstream = connect(socketPath);
  client.pipe(upstream).pipe(client);
  const close = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
  client.on('close', close);
  upstream.on('close', close);
});
server.listen(Number(m[2]), m[1], () =>
  process.stdout.write(`${JSON.stringify({ listening: values.listen })}\n`),
);
server.on('error', (error) => {
  process.stderr.write(`socket-proxy: error: ${error.message}\n`);
  process.exit(1);
});
const shutdown = (): void => {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
