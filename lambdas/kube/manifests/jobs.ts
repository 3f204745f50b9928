/**
 * The runner Jobs of one scan (design.md § The in-cluster runner): a node agent per node that hosts
 * CoreDNS, then the probe. Both capture port 53, so both containers run as conventions.md says
 * capturing containers run: UID 0, every capability dropped but NET_RAW, no privilege escalation,
 * read-only root filesystem (an emptyDir at /tmp for the ready file), seccomp RuntimeDefault.
 */
import type {
  V1Container,
  V1EnvVar,
  V1Job,
  V1PodSpec,
  V1ResourceRequirements,
  V1SecurityContext,
  V1Toleration,
} from '@kubernetes/client-node';
import { ManifestError } from './errors.js';
import {
  ANNOTATION_NODE_NAME,
  ANNOTATION_SCAN_ID,
  COMPONENT_NODE_AGENT,
  COMPONENT_PROBE,
  isDns1123Subdomain,
  LABEL_COMPONENT,
  nodeAgentJobName,
  nodeAgentSelector,
  probeJobName,
  scanLabels,
  scanSecretName,
} from './names.js';
import { RESULT_KEY_SECRET_KEY } from './secret.js';
import { NODE_AGENT_REPORT_MARGIN_SECONDS, parseRunnerJobSettings } from './settings.js';
import type { RunnerJobSettingsInput } from './settings.js';

/** The writable directory of the read-only root filesystem (an emptyDir; the image's HOME and WORKDIR). */
export const SCRATCH_DIR = '/tmp';
/** The node agent writes it once tcpdump runs; the readiness probe reads it. */
export const READY_FILE = `${SCRATCH_DIR}/fleet-dns-ready`;

/**
 * Small and bounded: the runner is one Node process and a tcpdump on port 53 for a few minutes.
 * Requests keep scheduling easy on full nodes; limits keep a misbehaving capture from hurting the
 * node (memory covers tcpdump's buffer and the observations held until the report).
 */
export const RUNNER_RESOURCES: V1ResourceRequirements = {
  requests: { cpu: '50m', memory: '64Mi', 'ephemeral-storage': '16Mi' },
  limits: { cpu: '500m', memory: '256Mi', 'ephemeral-storage': '64Mi' },
};

/** The security context of a capturing container (design.md § Pod security). */
export function captureSecurityContext(): V1SecurityContext {
  return {
    runAsUser: 0,
    runAsGroup: 0,
    runAsNonRoot: false,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'], add: ['NET_RAW'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export interface ScanJobInput {
  readonly scanId: string;
  /** `<accountId>:<region>:<clusterName>` */
  readonly clusterId: string;
  readonly settings: RunnerJobSettingsInput;
}

export interface NodeAgentJobInput extends ScanJobInput {
  /** A node that hosts a CoreDNS pod. */
  readonly nodeName: string;
  /** The CoreDNS pods' tolerations, copied so the agent lands wherever CoreDNS does. */
  readonly coreDnsTolerations: readonly V1Toleration[];
}

function resultKeyEnv(scanId: string): V1EnvVar {
  return {
    name: 'FLEETDNS_RESULT_KEY',
    valueFrom: {
      secretKeyRef: { name: scanSecretName(scanId), key: RESULT_KEY_SECRET_KEY, optional: false },
    },
  };
}

const nodeNameEnv: V1EnvVar = {
  name: 'NODE_NAME',
  valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } },
};

function scratchPodParts(): Pick<V1PodSpec, 'volumes'> & { mount: { name: string; mountPath: string } } {
  return {
    volumes: [{ name: 'scratch', emptyDir: { sizeLimit: '32Mi' } }],
    mount: { name: 'scratch', mountPath: SCRATCH_DIR },
  };
}

function job(
  name: string,
  component: string,
  input: ScanJobInput,
  settings: ReturnType<typeof parseRunnerJobSettings>,
  podSpec: V1PodSpec,
  extraAnnotations: Record<string, string> = {},
): V1Job {
  const labels = { ...scanLabels(input.scanId), [LABEL_COMPONENT]: component };
  const annotations = { [ANNOTATION_SCAN_ID]: input.scanId, ...extraAnnotations };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: settings.namespace, labels, annotations },
    spec: {
      activeDeadlineSeconds: settings.activeDeadlineSeconds,
      ttlSecondsAfterFinished: settings.ttlSecondsAfterFinished,
      backoffLimit: 0,
      // The collector stops a node agent by deleting its pod: with the default
      // (TerminatingOrFailed) the Job controller would start a replacement while the deleted pod
      // still reports. `Failed` waits until it has ended (backoffLimit 0: then the Job is done).
      podReplacementPolicy: 'Failed',
      template: { metadata: { labels, annotations }, spec: podSpec },
    },
  };
}

function checkIds(input: ScanJobInput, extra: string[] = []): void {
  const problems = [...extra];
  if (input.clusterId.length === 0) problems.push('cluster id is empty');
  if (problems.length > 0) throw new ManifestError(problems);
}

/**
 * The node agent Job for one CoreDNS node: `runner node` on the host network, pinned by
 * `nodeName`, Ready once its capture runs; it captures until SIGTERM (the dispatcher deletes it
 * when the probe is done) or `activeDeadlineSeconds` minus {@link NODE_AGENT_REPORT_MARGIN_SECONDS}.
 * No ServiceAccount token: it never calls the API.
 */
export function buildNodeAgentJob(input: NodeAgentJobInput): V1Job {
  const settings = parseRunnerJobSettings(input.settings);
  checkIds(
    input,
    isDns1123Subdomain(input.nodeName)
      ? []
      : [`node name ${JSON.stringify(input.nodeName)} is not a DNS-1123 subdomain`],
  );
  const scratch = scratchPodParts();
  const container: V1Container = {
    name: 'node-agent',
    image: settings.image,
    imagePullPolicy: settings.imagePullPolicy,
    args: [
      'node',
      '--scan-id',
      input.scanId,
      '--cluster-id',
      input.clusterId,
      '--duration-seconds',
      String(settings.activeDeadlineSeconds - NODE_AGENT_REPORT_MARGIN_SECONDS),
      '--ready-file',
      READY_FILE,
    ],
    env: [nodeNameEnv, resultKeyEnv(input.scanId)],
    readinessProbe: {
      exec: { command: ['cat', READY_FILE] },
      periodSeconds: 2,
      failureThreshold: 1,
      successThreshold: 1,
      timeoutSeconds: 1,
    },
    resources: RUNNER_RESOURCES,
    securityContext: captureSecurityContext(),
    volumeMounts: [scratch.mount],
  };
  return job(
    nodeAgentJobName(input.scanId, input.nodeName),
    COMPONENT_NODE_AGENT,
    input,
    settings,
    {
      restartPolicy: 'Never',
      nodeName: input.nodeName,
      hostNetwork: true,
      dnsPolicy: 'ClusterFirstWithHostNet',
      tolerations: structuredClone([...input.coreDnsTolerations]),
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: NODE_AGENT_REPORT_MARGIN_SECONDS,
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      containers: [container],
      volumes: scratch.volumes,
    },
    { [ANNOTATION_NODE_NAME]: input.nodeName },
  );
}

/**
 * The probe Job: `runner probe` in an ordinary pod (dnsPolicy ClusterFirst, so it resolves as the
 * cluster's workloads do) with the read-only runner ServiceAccount's token; it waits for this
 * scan's node agents ({@link nodeAgentSelector}) before probing.
 */
export function buildProbeJob(input: ScanJobInput): V1Job {
  const settings = parseRunnerJobSettings(input.settings);
  checkIds(input);
  const scratch = scratchPodParts();
  const container: V1Container = {
    name: 'probe',
    image: settings.image,
    imagePullPolicy: settings.imagePullPolicy,
    args: [
      'probe',
      '--scan-id',
      input.scanId,
      '--cluster-id',
      input.clusterId,
      '--cluster-domain',
      settings.clusterDomain,
      '--wait-for-node-agents',
      nodeAgentSelector(input.scanId),
    ],
    env: [
      {
        name: 'POD_NAMESPACE',
        valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
      },
      nodeNameEnv,
      resultKeyEnv(input.scanId),
    ],
    resources: RUNNER_RESOURCES,
    securityContext: captureSecurityContext(),
    volumeMounts: [scratch.mount],
  };
  return job(probeJobName(input.scanId), COMPONENT_PROBE, input, settings, {
    restartPolicy: 'Never',
    serviceAccountName: settings.runnerServiceAccount,
    automountServiceAccountToken: true,
    dnsPolicy: 'ClusterFirst',
    enableServiceLinks: false,
    securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
    containers: [container],
    volumes: scratch.volumes,
  });
}
