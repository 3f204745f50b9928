/**
 * The parts of the runner state machine's payloads every runner handler shares: the scan id,
 * the cluster id and how to reach the cluster's API (values from DescribeCluster).
 */
import { z } from 'zod';
import { ClusterIdentityError, parseClusterId } from '../core/results/index.js';
import { scanIdProblem } from '../kube/index.js';

export const scanIdSchema = z.string({ error: 'must be a scan id (a string)' }).check((ctx) => {
  const problem = scanIdProblem(ctx.value);
  if (problem !== undefined) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
});

/** `<accountId>:<region>:<clusterName>`, each part checked. */
export const clusterIdSchema = z
  .string({ error: 'must be a cluster id <accountId>:<region>:<clusterName> (a string)' })
  .check((ctx) => {
    try {
      parseClusterId(ctx.value);
    } catch (err) {
      if (!(err instanceof ClusterIdentityError)) throw err;
      ctx.issues.push({ code: 'custom', message: err.message, input: ctx.value });
    }
  });

/** The cluster API as DescribeCluster gives it: `endpoint`, `certificateAuthority.data`. */
export const clusterApiSchema = z.object({
  endpoint: z.url({ protocol: /^https$/, error: 'must be an https:// URL (DescribeCluster endpoint)' }),
  certificateAuthorityData: z
    .string({ error: 'must be the base64 cluster CA (a string)' })
    .min(1, { error: 'must be the base64 cluster CA, not empty' })
    .regex(/^[A-Za-z0-9+/=\s]+$/, { error: 'must be base64 (DescribeCluster certificateAuthority.data)' }),
});
export type ClusterApi = z.infer<typeof clusterApiSchema>;

/** What every runner payload carries. */
export const scanClusterSchema = z.object({
  scanId: scanIdSchema,
  clusterId: clusterIdSchema,
  cluster: clusterApiSchema,
});

/** `cluster.endpoint`, `corednsPods[0].name` — a zod issue path as a person writes it. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) =>
      typeof key === 'number' ? `${out}[${key}]` : out === '' ? String(key) : `${out}.${String(key)}`,
    '',
  );
}
