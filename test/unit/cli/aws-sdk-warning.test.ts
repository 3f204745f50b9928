import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SPAWNED, spawnCli } from './spawn-cli.js';

/** A loopback port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('stderr of a live collection that fails', SPAWNED, () => {
  it('is the one error line: no AWS SDK Node.js support warning before it, no stack', async () => {
    const { code, stdout, stderr } = await spawnCli(
      ['audit-network', '--cluster', 'x', '--region', 'eu-west-1'],
      {
        env: {
          AWS_ENDPOINT_URL: `http://127.0.0.1:${await closedPort()}`,
          AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
          AWS_MAX_ATTEMPTS: '1',
        },
      },
    );
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^fleet-dns: error: [^\n]*ECONNREFUSED[^\n]*\n$/);
    expect(code).toBe(1);
  });
});
