/**
 * The runner result document: what each in-cluster role (probe pod, node agent) reports.
 * Check results use the shared check-result schema; raw observations are kept so the
 * collector can correlate probe queries with node captures (DNS-CAPTURE hop attribution).
 */
import { z } from 'zod';
import { checkResultSchema } from './results.js';

export const RUNNER_RESULT_FORMAT = 'fleet-dns/runner-result@1';
export const RUNNER_ROLES = ['probe', 'node'] as const;

const dateTime = z.iso.datetime({ offset: true });

/** One DNS query the probe sent, and what came of it. */
export const probeQuerySchema = z.looseObject({
  /** unique query name (so a capture can follow it hop by hop) */
  name: z.string(),
  type: z.string(),
  /** target address queried (ClusterIP, pod IP, NodeLocal address) */
  server: z.string(),
  transport: z.enum(['udp', 'tcp']),
  /** epoch milliseconds */
  sentAtMs: z.number(),
  /** latency in ms, absent when unanswered */
  latencyMs: z.number().nonnegative().optional(),
  rcode: z.string().optional(),
  answers: z.array(z.string()).optional(),
  error: z.string().optional(),
});

/** One DNS packet seen on the wire by a capture (probe pod or node agent). */
export const capturedPacketSchema = z.looseObject({
  tsMs: z.number(),
  src: z.string(),
  dst: z.string(),
  srcPort: z.number().int(),
  dstPort: z.number().int(),
  transport: z.enum(['udp', 'tcp']),
  qr: z.enum(['query', 'response']),
  dnsId: z.number().int(),
  name: z.string().optional(),
  type: z.string().optional(),
  rcode: z.string().optional(),
});

export const enaCountersSchema = z.looseObject({
  interface: z.string(),
  linklocal_allowance_exceeded: z.number().optional(),
  conntrack_allowance_exceeded: z.number().optional(),
  conntrack_allowance_available: z.number().optional(),
});

export const runnerObservationsSchema = z.looseObject({
  queries: z.array(probeQuerySchema).optional(),
  capture: z
    .looseObject({
      where: z.string(),
      packets: z.array(capturedPacketSchema),
      truncated: z.boolean().optional(),
      error: z.string().optional(),
    })
    .optional(),
  counters: z
    .looseObject({ before: z.array(enaCountersSchema), after: z.array(enaCountersSchema) })
    .optional(),
});

export const runnerResultSchema = z.looseObject({
  format: z.literal(RUNNER_RESULT_FORMAT),
  role: z.enum(RUNNER_ROLES),
  scanId: z.string().min(1),
  clusterId: z.string().min(1),
  /** the node the role ran on */
  nodeName: z.string().optional(),
  startedAt: dateTime,
  finishedAt: dateTime,
  checks: z.array(checkResultSchema),
  observations: runnerObservationsSchema,
  /** HMAC-SHA256 (hex) over the canonical JSON of the document without this field. */
  signature: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});

export type ProbeQuery = z.infer<typeof probeQuerySchema>;
export type CapturedPacket = z.infer<typeof capturedPacketSchema>;
export type EnaCounters = z.infer<typeof enaCountersSchema>;
export type RunnerObservations = z.infer<typeof runnerObservationsSchema>;
export type RunnerResult = z.infer<typeof runnerResultSchema>;
