/**
 * Child of bench/fleet.bench.ts: the throttling fake AWS endpoint for the fleet (or for every
 * BASELINE_EVERY-th account of it), in its own process so its CPU (the wire serde of ~80,000
 * ENIs) is not charged to the scan's. Prints `{"env": …}` on its first line; on a line on stdin
 * prints every call as JSON and exits.
 */
import { createInterface } from 'node:readline';
import { startFakeAwsEndpoint } from '../lab/fake-aws/index.js';
import { fleetShape } from './fleet-model.js';
import { CENTRAL_ACCOUNT, fleetWorlds, FLEET_LATENCY_MS, HOME_REGION } from './fleet.bench.js';

const [k = '1', clusters = '1000', every = '1'] = process.argv.slice(2);
const items = fleetShape({ clusters: Number(clusters) });
const worlds = fleetWorlds(items).filter((_, i) => items[i]!.accountIndex % Number(every) === 0);
const endpoint = await startFakeAwsEndpoint(worlds, {
  currentAccountId: CENTRAL_ACCOUNT,
  region: HOME_REGION,
  throttle: {},
  latencyMs: FLEET_LATENCY_MS,
  timeScale: Number(k),
});
process.stdout.write(`${JSON.stringify({ env: endpoint.env })}\n`);
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  void line;
  process.stdout.write(`${JSON.stringify(endpoint.calls())}\n`, () => {
    void endpoint.close().then(() => process.exit(0));
  });
  break;
}
