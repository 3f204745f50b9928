import type { V1Container, V1Job, V1Toleration } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  buildNodeAgentJob,
  buildProbeJob,
  buildScanSecret,
  ManifestError,
  nodeAgentSelector,
  READY_FILE,
} from '../../../../lambdas/kube/manifests/index.js';

const scanId = 'scan-42';
const clusterId = '123456789012:eu-west-1:prod';
const nodeName = 'ip-10-0-1-23.eu-west-1.compute.internal';
const settings = { image: 'registry.example/fleet-dns-runner:1.0.0', activeDeadlineSeconds: 240 };
const tolerations: V1Toleration[] = [
  { key: 'CriticalAddonsOnly', operator: 'Exists' },
  { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
  { key: 'dedicated', operator: 'Equal', value: 'dns', effect: 'NoExecute', tolerationSeconds: 30 },
];

const agent = buildNodeAgentJob({ scanId, clusterId, nodeName, coreDnsTolerations: tolerations, settings });
const probe = buildProbeJob({ scanId, clusterId, settings });
const only = (job: V1Job): V1Container => {
  const containers = job.spec?.template.spec?.containers ?? [];
  expect(containers).toHaveLength(1);
  return containers[0]!;
};
const env = (c: V1Container, name: string) => c.env?.find((e) => e.name === name);

describe.each([
  ['node agent', agent, 'node-agent'],
  ['probe', probe, 'probe'],
])('%s Job', (_role, job, component) => {
  const pod = job.spec!.template.spec!;
  const c = only(job);

  it.each([
    ['apiVersion', job.apiVersion, 'batch/v1'],
    ['kind', job.kind, 'Job'],
    ['namespace', job.metadata?.namespace, 'fleet-dns'],
    ['activeDeadlineSeconds', job.spec?.activeDeadlineSeconds, 240],
    ['ttlSecondsAfterFinished', job.spec?.ttlSecondsAfterFinished, 900],
    ['backoffLimit', job.spec?.backoffLimit, 0],
    ['podReplacementPolicy', job.spec?.podReplacementPolicy, 'Failed'],
    ['restartPolicy', pod.restartPolicy, 'Never'],
    ['image', c.image, settings.image],
    ['imagePullPolicy', c.imagePullPolicy, 'IfNotPresent'],
  ])('%s', (_field, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  it('labels the Job and its pods with the scan and the role', () => {
    const labels = {
      'app.kubernetes.io/managed-by': 'fleet-dns',
      'app.kubernetes.io/name': 'fleet-dns-runner',
      'fleet-dns.io/scan-id': scanId,
      'app.kubernetes.io/component': component,
    };
    expect(job.metadata?.labels).toEqual(labels);
    expect(job.spec?.template.metadata?.labels).toEqual(labels);
    expect(job.metadata?.annotations?.['fleet-dns.io/scan-id']).toBe(scanId);
  });

  it('runs the capturing container as design.md says', () => {
    expect(c.securityContext).toEqual({
      runAsUser: 0,
      runAsGroup: 0,
      runAsNonRoot: false,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: ['NET_RAW'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.securityContext?.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  });

  it('gives the read-only root filesystem a writable /tmp (an emptyDir)', () => {
    expect(c.volumeMounts).toEqual([{ name: 'scratch', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'scratch', emptyDir: { sizeLimit: '32Mi' } }]);
    expect(READY_FILE.startsWith('/tmp/')).toBe(true);
  });

  it('reads the HMAC key from the scan Secret', () => {
    const secret = buildScanSecret({ scanId, namespace: 'fleet-dns', hmacKey: 'k'.repeat(32) });
    expect(env(c, 'FLEETDNS_RESULT_KEY')).toEqual({
      name: 'FLEETDNS_RESULT_KEY',
      valueFrom: { secretKeyRef: { name: secret.metadata?.name, key: 'result-key', optional: false } },
    });
    expect(Object.keys(secret.data ?? {})).toEqual(['result-key']);
    expect(env(c, 'FLEETDNS_RESULT_KEY')?.value).toBeUndefined();
  });

  it('takes NODE_NAME from the downward API', () => {
    expect(env(c, 'NODE_NAME')).toEqual({
      name: 'NODE_NAME',
      valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } },
    });
  });

  it('has small requests and limits', () => {
    expect(c.resources).toEqual({
      requests: { cpu: '50m', memory: '64Mi', 'ephemeral-storage': '16Mi' },
      limits: { cpu: '500m', memory: '256Mi', 'ephemeral-storage': '64Mi' },
    });
  });

  it('passes scan id and cluster id to the runner', () => {
    const args = c.args ?? [];
    expect(args[args.indexOf('--scan-id') + 1]).toBe(scanId);
    expect(args[args.indexOf('--cluster-id') + 1]).toBe(clusterId);
    expect(c.command).toBeUndefined(); // the image's ENTRYPOINT runs the runner
  });
});

describe('node agent Job', () => {
  const pod = agent.spec!.template.spec!;
  const c = only(agent);

  it.each([
    ['hostNetwork', pod.hostNetwork, true],
    ['nodeName', pod.nodeName, nodeName],
    ['dnsPolicy', pod.dnsPolicy, 'ClusterFirstWithHostNet'],
    ['automountServiceAccountToken', pod.automountServiceAccountToken, false],
    ['serviceAccountName', pod.serviceAccountName, undefined],
    ['node annotation', agent.metadata?.annotations?.['fleet-dns.io/node-name'], nodeName],
  ])('%s', (_field, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  it('copies the CoreDNS tolerations (not aliased)', () => {
    expect(pod.tolerations).toEqual(tolerations);
    expect(pod.tolerations).not.toBe(tolerations);
    expect(pod.tolerations?.[0]).not.toBe(tolerations[0]);
  });

  it('runs `runner node` with the ready file, capturing until 30 s before the deadline', () => {
    expect(c.args).toEqual([
      'node',
      '--scan-id',
      scanId,
      '--cluster-id',
      clusterId,
      '--duration-seconds',
      '210',
      '--ready-file',
      READY_FILE,
    ]);
  });

  it('is Ready when the ready file exists (the capture runs)', () => {
    expect(c.readinessProbe?.exec?.command).toEqual(['cat', READY_FILE]);
    expect(c.readinessProbe?.periodSeconds).toBe(2);
  });

  it('has no env besides NODE_NAME and the key', () => {
    expect(c.env?.map((e) => e.name)).toEqual(['NODE_NAME', 'FLEETDNS_RESULT_KEY']);
  });

  it('gets one Job per node', () => {
    const other = buildNodeAgentJob({
      scanId,
      clusterId,
      nodeName: 'node-b',
      coreDnsTolerations: [],
      settings,
    });
    expect(other.metadata?.name).not.toBe(agent.metadata?.name);
    expect(other.spec?.template.spec?.tolerations).toEqual([]);
  });

  it.each([
    ['Node_A', 'node name "Node_A" is not a DNS-1123 subdomain'],
    ['', 'node name "" is not a DNS-1123 subdomain'],
  ])('rejects node name %j', (bad, message) => {
    expect(() =>
      buildNodeAgentJob({ scanId, clusterId, nodeName: bad, coreDnsTolerations: [], settings }),
    ).toThrow(new ManifestError([message]));
  });
});

describe('probe Job', () => {
  const pod = probe.spec!.template.spec!;
  const c = only(probe);

  it.each([
    ['serviceAccountName', pod.serviceAccountName, 'fleet-dns-runner'],
    ['automountServiceAccountToken', pod.automountServiceAccountToken, true],
    ['dnsPolicy', pod.dnsPolicy, 'ClusterFirst'],
    ['hostNetwork', pod.hostNetwork, undefined],
    ['nodeName', pod.nodeName, undefined],
  ])('%s', (_field, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  it('runs `runner probe` waiting for this scan’s node agents', () => {
    expect(c.args).toEqual([
      'probe',
      '--scan-id',
      scanId,
      '--cluster-id',
      clusterId,
      '--cluster-domain',
      'cluster.local',
      '--wait-for-node-agents',
      nodeAgentSelector(scanId),
    ]);
  });

  it('selects exactly the node agents’ pod labels', () => {
    const podLabels = agent.spec?.template.metadata?.labels ?? {};
    for (const term of nodeAgentSelector(scanId).split(',')) {
      const [k, v] = term.split('=');
      expect(podLabels[k!]).toBe(v);
    }
    expect(probe.spec?.template.metadata?.labels?.['app.kubernetes.io/component']).not.toBe('node-agent');
  });

  it('takes POD_NAMESPACE from the downward API', () => {
    expect(env(c, 'POD_NAMESPACE')).toEqual({
      name: 'POD_NAMESPACE',
      valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
    });
  });

  it('uses the configured ServiceAccount, namespace and cluster domain', () => {
    const job = buildProbeJob({
      scanId,
      clusterId,
      settings: {
        ...settings,
        runnerServiceAccount: 'runner',
        namespace: 'dns',
        clusterDomain: 'k8s.example',
      },
    });
    expect(job.spec?.template.spec?.serviceAccountName).toBe('runner');
    expect(job.metadata?.namespace).toBe('dns');
    expect(job.spec?.template.spec?.containers[0]?.args).toContain('k8s.example');
  });

  it('refuses settings whose ttl does not outlive the collect deadline', () => {
    expect(() =>
      buildProbeJob({
        scanId,
        clusterId,
        settings: { ...settings, ttlSecondsAfterFinished: 300, collectDeadlineSeconds: 400 },
      }),
    ).toThrow(/ttlSecondsAfterFinished \(300\) must be longer than collectDeadlineSeconds \(400\)/);
  });

  it('refuses an empty cluster id', () => {
    expect(() => buildProbeJob({ scanId, clusterId: '', settings })).toThrow(
      new ManifestError(['cluster id is empty']),
    );
  });
});
