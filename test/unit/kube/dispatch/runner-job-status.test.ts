import { describe, expect, it } from 'vitest';
import type { CoreV1Event, V1Job, V1Pod } from '@kubernetes/client-node';
import { runnerJobStatus, runnerScanStatus } from '../../../../lambdas/kube/index.js';
import type { RunnerJobStatusInput } from '../../../../lambdas/kube/index.js';

// Object shapes as @kubernetes/client-node 1.x returns them from the API server (timestamps
// deserialized to Date), trimmed to the fields a runner Job and its pods carry.
const IMAGE = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/fleet-dns-runner:1.4.0';
const T0 = new Date('2026-03-01T10:00:00Z');
const at = (s: number): Date => new Date(T0.getTime() + s * 1000);

function job(
  name: string,
  status: V1Job['status'],
  over: { nodeName?: string; component?: string } = {},
): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: 'fleet-dns',
      uid: 'b7a5c0de-0000-4000-8000-000000000001',
      creationTimestamp: T0,
      labels: {
        'app.kubernetes.io/managed-by': 'fleet-dns',
        'app.kubernetes.io/name': 'fleet-dns-runner',
        'app.kubernetes.io/component': over.component ?? 'probe',
        'fleet-dns.io/scan-id': 'scan-7',
      },
    },
    spec: {
      activeDeadlineSeconds: 120,
      backoffLimit: 1,
      ttlSecondsAfterFinished: 3600,
      template: {
        spec: {
          restartPolicy: 'Never',
          ...(over.nodeName ? { nodeName: over.nodeName } : {}),
          containers: [{ name: 'runner', image: IMAGE }],
        },
      },
    },
    status,
  };
}

function pod(name: string, status: V1Pod['status'], over: { created?: Date; nodeName?: string } = {}): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'fleet-dns',
      creationTimestamp: over.created ?? T0,
      labels: { 'batch.kubernetes.io/job-name': name.replace(/-[a-z0-9]{5}$/, '') },
    },
    spec: {
      restartPolicy: 'Never',
      ...(over.nodeName ? { nodeName: over.nodeName } : {}),
      containers: [{ name: 'runner', image: IMAGE }],
    },
    status,
  };
}

const pendingWaiting = (reason: string, message: string): V1Pod['status'] => ({
  phase: 'Pending',
  startTime: at(1),
  conditions: [
    { type: 'PodScheduled', status: 'True', lastTransitionTime: at(1) },
    {
      type: 'Ready',
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [runner]',
      lastTransitionTime: at(1),
    },
  ],
  containerStatuses: [
    {
      name: 'runner',
      image: IMAGE,
      imageID: '',
      ready: false,
      restartCount: 0,
      started: false,
      state: { waiting: { reason, message } },
    },
  ],
});

const terminated = (exitCode: number, reason: string): V1Pod['status'] => ({
  phase: 'Failed',
  startTime: at(1),
  conditions: [{ type: 'Ready', status: 'False', reason: 'PodFailed', lastTransitionTime: at(30) }],
  containerStatuses: [
    {
      name: 'runner',
      image: IMAGE,
      imageID: `${IMAGE}@sha256:${'a'.repeat(64)}`,
      ready: false,
      restartCount: 0,
      started: false,
      state: {
        terminated: { exitCode, reason, startedAt: at(2), finishedAt: at(30), containerID: 'containerd://1' },
      },
    },
  ],
});

const active = { active: 1, startTime: at(0), ready: 0, terminating: 0, uncountedTerminatedPods: {} };
const failedCondition = (reason: string, message: string) => ({
  type: 'Failed',
  status: 'True',
  reason,
  message,
  lastProbeTime: at(120),
  lastTransitionTime: at(120),
});
const UNSCHEDULABLE =
  '0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: dns}. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';

interface Case {
  readonly name: string;
  readonly input: RunnerJobStatusInput;
  readonly phase: string;
  readonly reason?: string | RegExp;
  readonly node?: string;
}

const cases: Case[] = [
  {
    name: 'image pull back-off names the image',
    input: {
      job: job('fleet-dns-probe-scan-7', active),
      pods: [
        pod(
          'fleet-dns-probe-scan-7-x2k9p',
          pendingWaiting('ImagePullBackOff', `Back-off pulling image "${IMAGE}"`),
        ),
      ],
    },
    phase: 'running',
    reason: `probe pod Pending: ImagePullBackOff for ${IMAGE}`,
  },
  {
    name: 'ErrImagePull with the pull error from the pod event',
    input: {
      job: job('fleet-dns-probe-scan-7', active),
      pods: [pod('fleet-dns-probe-scan-7-x2k9p', pendingWaiting('ErrImagePull', 'rpc error: not found'))],
      events: [
        {
          metadata: { name: 'fleet-dns-probe-scan-7-x2k9p.1', namespace: 'fleet-dns' },
          involvedObject: { kind: 'Pod', name: 'fleet-dns-probe-scan-7-x2k9p', namespace: 'fleet-dns' },
          reason: 'Failed',
          type: 'Warning',
          message: `Failed to pull image "${IMAGE}": not found`,
          lastTimestamp: at(5),
          count: 2,
        } satisfies CoreV1Event,
      ],
    },
    phase: 'running',
    reason: `probe pod Pending: ErrImagePull for ${IMAGE} (Failed to pull image "${IMAGE}": not found)`,
  },
  {
    name: 'unschedulable: the PodScheduled=False message',
    input: {
      job: job('fleet-dns-probe-scan-7', active),
      pods: [
        pod('fleet-dns-probe-scan-7-x2k9p', {
          phase: 'Pending',
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              message: UNSCHEDULABLE,
              lastTransitionTime: at(1),
            },
          ],
          qosClass: 'Burstable',
        }),
      ],
    },
    phase: 'running',
    reason: `probe pod Pending: Unschedulable: ${UNSCHEDULABLE}`,
  },
  {
    name: 'a missing Secret keeps the container from being created',
    input: {
      job: job('fleet-dns-probe-scan-7', active),
      pods: [
        pod(
          'fleet-dns-probe-scan-7-x2k9p',
          pendingWaiting('CreateContainerConfigError', 'secret "fleet-dns-scan-7" not found'),
        ),
      ],
    },
    phase: 'running',
    reason: 'probe pod Pending: CreateContainerConfigError: secret "fleet-dns-scan-7" not found',
  },
  {
    name: 'ContainerCreating is routine: no reason',
    input: {
      job: job('fleet-dns-probe-scan-7', active),
      pods: [pod('fleet-dns-probe-scan-7-x2k9p', pendingWaiting('ContainerCreating', ''))],
    },
    phase: 'running',
  },
  {
    name: 'deadline exceeded → timed-out, after the Job deadline, with what the pod was doing',
    input: {
      job: job('fleet-dns-probe-scan-7', {
        failed: 1,
        startTime: at(0),
        conditions: [failedCondition('DeadlineExceeded', 'Job was active longer than specified deadline')],
      }),
      pods: [
        pod(
          'fleet-dns-probe-scan-7-x2k9p',
          pendingWaiting('ImagePullBackOff', `Back-off pulling image "${IMAGE}"`),
        ),
      ],
    },
    phase: 'timed-out',
    reason: `deadline exceeded after 120 s (probe pod Pending: ImagePullBackOff for ${IMAGE})`,
  },
  {
    name: 'deadline exceeded without a pod left',
    input: {
      job: job('fleet-dns-probe-scan-7', {
        failed: 1,
        startTime: at(0),
        conditions: [failedCondition('DeadlineExceeded', 'Job was active longer than specified deadline')],
      }),
      pods: [],
    },
    phase: 'timed-out',
    reason: 'deadline exceeded after 120 s',
  },
  {
    name: 'backoff limit exceeded: the exit code of the failed container',
    input: {
      job: job('fleet-dns-probe-scan-7', {
        failed: 2,
        startTime: at(0),
        conditions: [failedCondition('BackoffLimitExceeded', 'Job has reached the specified backoff limit')],
      }),
      pods: [
        pod('fleet-dns-probe-scan-7-aaaaa', terminated(1, 'Error'), { created: at(0) }),
        pod('fleet-dns-probe-scan-7-bbbbb', terminated(137, 'OOMKilled'), { created: at(40) }),
      ],
    },
    phase: 'failed',
    reason:
      'backoff limit exceeded (2 failed pod(s)): probe pod failed: container runner exited with code 137 (OOMKilled)',
  },
  {
    name: 'a non-zero exit while the Job may still retry',
    input: {
      job: job('fleet-dns-probe-scan-7', { ...active, active: 0, failed: 1 }),
      pods: [pod('fleet-dns-probe-scan-7-aaaaa', terminated(1, 'Error'))],
    },
    phase: 'running',
    reason: 'probe pod failed: container runner exited with code 1 (Error)',
  },
  {
    name: 'evicted pod, with the kubelet message',
    input: {
      job: job('fleet-dns-probe-scan-7', {
        failed: 1,
        startTime: at(0),
        conditions: [failedCondition('BackoffLimitExceeded', 'Job has reached the specified backoff limit')],
      }),
      pods: [
        pod('fleet-dns-probe-scan-7-x2k9p', {
          phase: 'Failed',
          reason: 'Evicted',
          message:
            'The node was low on resource: ephemeral-storage. Threshold quantity: 1Gi, available: 524Mi. ',
          startTime: at(1),
        }),
      ],
    },
    phase: 'failed',
    reason:
      'backoff limit exceeded (1 failed pod(s)): probe pod evicted: The node was low on resource: ephemeral-storage. Threshold quantity: 1Gi, available: 524Mi.',
  },
  {
    name: 'the Job could not create its pod (Pod Security admission), from the Job event',
    input: {
      job: job('fleet-dns-probe-scan-7', { startTime: at(0) }),
      pods: [],
      events: [
        {
          metadata: { name: 'fleet-dns-probe-scan-7.2', namespace: 'fleet-dns' },
          involvedObject: { kind: 'Job', name: 'fleet-dns-probe-scan-7', namespace: 'fleet-dns' },
          reason: 'FailedCreate',
          type: 'Warning',
          message:
            'Error creating: pods "fleet-dns-probe-scan-7-x2k9p" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true)',
          lastTimestamp: at(1),
        },
      ],
    },
    phase: 'running',
    reason:
      'the Job could not create its pod: Error creating: pods "fleet-dns-probe-scan-7-x2k9p" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true)',
  },
  {
    name: 'succeeded (Complete condition)',
    input: {
      job: job('fleet-dns-probe-scan-7', {
        succeeded: 1,
        startTime: at(0),
        completionTime: at(40),
        conditions: [
          { type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: at(40) },
          { type: 'Complete', status: 'True', lastTransitionTime: at(40) },
        ],
      }),
      pods: [pod('fleet-dns-probe-scan-7-x2k9p', { phase: 'Succeeded', startTime: at(1) })],
    },
    phase: 'succeeded',
  },
  {
    name: 'a Failed condition that is not True is not a failure',
    input: {
      job: job('fleet-dns-probe-scan-7', {
        ...active,
        conditions: [{ ...failedCondition('BackoffLimitExceeded', 'x'), status: 'False' }],
      }),
      pods: [],
    },
    phase: 'running',
  },
  {
    name: 'a node agent Running but not Ready past the bound: a reason, not a failure; its node named',
    input: {
      job: job('fleet-dns-node-scan-7-ip-10-0-1-5', active, {
        component: 'node-agent',
        nodeName: 'ip-10-0-1-5.eu-west-1.compute.internal',
      }),
      pods: [
        pod(
          'fleet-dns-node-scan-7-ip-10-0-1-5-q7r2t',
          {
            phase: 'Running',
            startTime: at(1),
            conditions: [
              { type: 'PodScheduled', status: 'True', lastTransitionTime: at(1) },
              {
                type: 'Ready',
                status: 'False',
                reason: 'ContainersNotReady',
                message: 'containers with unready status: [runner]',
                lastTransitionTime: at(1),
              },
            ],
          },
          { nodeName: 'ip-10-0-1-5.eu-west-1.compute.internal' },
        ),
      ],
      now: at(91),
      notReadyAfterSeconds: 60,
    },
    phase: 'running',
    reason: 'node agent pod Running but not Ready after 90 s (containers with unready status: [runner])',
    node: 'ip-10-0-1-5.eu-west-1.compute.internal',
  },
  {
    name: 'not Ready within the bound: nothing to say yet',
    input: {
      job: job('fleet-dns-node-scan-7-ip-10-0-1-5', active, { component: 'node-agent' }),
      pods: [
        pod('fleet-dns-node-scan-7-ip-10-0-1-5-q7r2t', {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: at(1) }],
        }),
      ],
      now: at(30),
      notReadyAfterSeconds: 60,
    },
    phase: 'running',
  },
  {
    name: 'a node agent crash-looping names its last exit',
    input: {
      job: job('fleet-dns-node-scan-7-ip-10-0-1-5', active, { component: 'node-agent' }),
      pods: [
        pod('fleet-dns-node-scan-7-ip-10-0-1-5-q7r2t', {
          phase: 'Running',
          containerStatuses: [
            {
              name: 'runner',
              image: IMAGE,
              imageID: '',
              ready: false,
              restartCount: 4,
              state: {
                waiting: {
                  reason: 'CrashLoopBackOff',
                  message: 'back-off 1m20s restarting failed container',
                },
              },
              lastState: { terminated: { exitCode: 2, reason: 'Error', finishedAt: at(50) } },
            },
          ],
        }),
      ],
    },
    phase: 'running',
    reason: 'node agent pod Running: CrashLoopBackOff, container runner exited with code 2 (Error)',
  },
];

describe('runnerJobStatus', () => {
  it.each(cases)('$name', ({ input, phase, reason, node }) => {
    const status = runnerJobStatus(input);
    expect(status.phase).toBe(phase);
    if (reason === undefined) expect(status.reason).toBeUndefined();
    else expect(status.reason).toEqual(reason);
    if (node !== undefined) expect(status.node).toBe(node);
  });

  it('reads timestamps given as strings too (a raw JSON watch event)', () => {
    const status = runnerJobStatus({
      job: JSON.parse(JSON.stringify(job('j', active))) as V1Job,
      pods: [
        JSON.parse(
          JSON.stringify(
            pod('j-aaaaa', {
              phase: 'Running',
              conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: at(0) }],
            }),
          ),
        ) as V1Pod,
      ],
      now: at(100),
      notReadyAfterSeconds: 60,
    });
    expect(status.reason).toBe('probe pod Running but not Ready after 100 s');
  });

  it('never throws on empty objects', () => {
    expect(runnerJobStatus({ job: {}, pods: [{}, { status: {} }] }).phase).toBe('running');
  });
});

describe('runnerScanStatus', () => {
  const probeRunning = { job: job('p', active), pods: [] };
  const probeDone = {
    job: job('p', {
      succeeded: 1,
      conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: at(40) }],
    }),
    pods: [],
  };
  const probeTimedOut = {
    job: job('p', { failed: 1, conditions: [failedCondition('DeadlineExceeded', 'x')] }),
    pods: [],
  };
  const agentRunning = { job: job('n', active, { component: 'node-agent', nodeName: 'node-a' }), pods: [] };

  it.each([
    ['probe running, agents running', probeRunning, false, 'running'],
    ['probe succeeded, agents still running (they end after the probe)', probeDone, true, 'succeeded'],
    ['probe timed out', probeTimedOut, true, 'timed-out'],
    ['probe Job missing', undefined, true, 'failed'],
  ] as const)('%s', (_name, probe, done, phase) => {
    const s = runnerScanStatus({ probe, nodeAgents: [agentRunning] });
    expect(s.done).toBe(done);
    expect(s.probe.phase).toBe(phase);
    expect(s.nodeAgents).toEqual([{ phase: 'running', node: 'node-a' }]);
  });
});
