/**
 * The lab's Job controller and kubelet (lab.md "Runner Jobs and their faults"): when the
 * dispatcher creates a Job through the fake Kubernetes API, this creates its Pod as the Job
 * controller would (owned by the Job, `batch.kubernetes.io/job-tracking` finalizer, the Job's
 * labels) and runs its container for real as the kubelet would — node agents (hostNetwork) in
 * their node's namespace, the probe in the probe pod's namespace — with the env and args of the
 * Job spec (the HMAC key from the Secret via `secretKeyRef`, `fieldRef`s resolved). The
 * process's stdout and stderr become the pod log, line by line; Pod phase, readiness (the
 * container's readinessProbe), container states and Job conditions move as Kubernetes moves
 * them; `activeDeadlineSeconds` is enforced; deleting a pod (or its Job) sends SIGTERM and, after
 * the grace period, SIGKILL, and the pod goes once its container ended.
 *
 * What a real pod gets from its node and the lab cannot give, the lab maps (and only that): the
 * ServiceAccount token mount → `--kubeconfig` of the lab's API; the pod's /etc/resolv.conf →
 * `--resolv-conf` of the probe pod's; `emptyDir` mounts → a directory per pod; the capture
 * interface → the probe pod's `eth0` / the node's uplink; ENA counters → the scenario's file.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/job/
 * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { V1Container, V1EnvVar, V1Job, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import type { KubeObject, ObjectRef, StoreEvent } from '../fake-kube-api/index.js';
import {
  decodeResultFrames,
  encodeResultFrames,
  RESULT_LINE_PREFIX,
} from '../../lambdas/core/runner-results/index.js';
import { LabError } from './errors.js';
import { startProcess, vmHwmKb } from './exec.js';
import type { LabProcess } from './exec.js';
import type { Lab } from './lab.js';
import type { NodeAgentJobFault, ProbeJobFault } from '../scenarios/schema.js';

export interface RunnerJobsOptions {
  /** how to start the runner, e.g. `[node, runner.mjs]`; the container's args follow */
  readonly runnerCommand: readonly string[];
  /** @default both ok */
  readonly faults?: { readonly probe?: ProbeJobFault; readonly nodeAgents?: NodeAgentJobFault };
  /** lab-only arguments after the probe container's own (thresholds, scenario `probe.args`) */
  readonly probeArgs?: readonly string[];
  /** how often readiness probes run (the lab's stand-in for `periodSeconds`) @default 200 */
  readonly readinessPollMs?: number;
  /** the repository the runner command runs in */
  readonly repoRoot: string;
}

/** One container the lab ran (or would not run), for the caller's figures and messages. */
export interface RanContainer {
  readonly pod: string;
  readonly role: 'probe' | 'node-agent';
  readonly node: string;
  /** spawn → exit, when it ran and ended */
  wallMs?: number;
  exitCode?: number;
  /** peak resident set (VmHWM) sampled while it ran, MB */
  peakRssMb?: number;
  stderr(): string;
}

export interface RunnerJobs {
  readonly containers: readonly RanContainer[];
  /** the lab's messages about what it could not do (each also lands in a pod's status or log) */
  readonly problems: readonly string[];
  /** resolves once no container runs and no pod is terminating, or after `timeoutMs` (false) */
  settled(timeoutMs?: number): Promise<boolean>;
  /** stops watching; kills what still runs */
  stop(): Promise<void>;
}

const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
const RUNNER_ROLES = new Set(['probe', 'node']);

interface PodRun {
  readonly job: ObjectRef & { uid: string };
  readonly pod: ObjectRef;
  readonly role: 'probe' | 'node-agent';
  readonly node: string;
  readonly container: string;
  readonly logKey: string;
  readonly ran: RanContainer & { stderrText: string };
  proc?: LabProcess;
  ended: boolean;
  terminating: boolean;
  finalized: boolean;
  killTimer?: NodeJS.Timeout;
  readyTimer?: NodeJS.Timeout;
}

const now = (): string => new Date().toISOString();
const ref = (o: KubeObject): ObjectRef => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  name: o.metadata.name ?? '',
  ...(o.metadata.namespace !== undefined ? { namespace: o.metadata.namespace } : {}),
});

/**
 * Tampers with a framed result as `tampered-log` does: decodes the frame set, flips one byte of
 * the document (a character of its scan id), encodes it again — the frames stay well-formed, so
 * only the signature can tell. Other lines pass unchanged.
 */
export function tamperFrames(lines: readonly string[]): string[] {
  const framed = lines.filter((l) => l.startsWith(`${RESULT_LINE_PREFIX} `));
  const decoded = decodeResultFrames(framed.join('\n'));
  if (!decoded.ok || typeof decoded.document !== 'object' || decoded.document === null) return [...lines];
  const doc = decoded.document as Record<string, unknown>;
  const text = String(doc.scanId ?? '');
  const flipped = text === '' ? 'x' : `${String.fromCharCode(text.charCodeAt(0) ^ 1)}${text.slice(1)}`;
  const frames = encodeResultFrames({ ...doc, scanId: flipped });
  const out = lines.filter((l) => !l.startsWith(`${RESULT_LINE_PREFIX} `));
  return [...out, ...frames];
}

/**
 * Watches the lab's API for Jobs and runs them. Attach before dispatching; `stop()` with the
 * scan (the lab's stop kills what is left too).
 */
export function startRunnerJobs(lab: Lab, options: RunnerJobsOptions): RunnerJobs {
  const { api } = lab;
  const store = api.store;
  const runs = new Map<string, PodRun>(); // by namespace/pod
  const deadlines = new Map<string, NodeJS.Timeout>(); // by Job uid
  const containers: RanContainer[] = [];
  const problems: string[] = [];
  const faults = { probe: options.faults?.probe ?? 'ok', nodeAgents: options.faults?.nodeAgents ?? 'ok' };
  const pollMs = options.readinessPollMs ?? 200;
  let stopped = false;

  const safely = (what: string, fn: () => void | Promise<void>): void => {
    void Promise.resolve()
      .then(fn)
      .catch((error: unknown) => {
        if (stopped) return;
        problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      });
  };
  const exists = (r: ObjectRef): boolean => store.get(r) !== undefined;
  const setPodStatus = (run: PodRun, status: Record<string, unknown>): void => {
    if (exists(run.pod)) api.updateStatus(run.pod, status);
  };
  const setJobStatus = (run: { job: ObjectRef }, status: Record<string, unknown>): void => {
    if (exists(run.job)) api.updateStatus(run.job, status);
  };
  const event = (
    involved: ObjectRef,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    component: string,
  ): void => {
    const namespace = involved.namespace ?? 'default';
    store.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${involved.name}.`, namespace },
      involvedObject: {
        apiVersion: involved.apiVersion,
        kind: involved.kind,
        name: involved.name,
        namespace,
      },
      reason,
      message,
      type,
      source: { component },
      firstTimestamp: now(),
      lastTimestamp: now(),
      count: 1,
    });
  };

  // ---- the Job controller ------------------------------------------------------------------

  function onJobAdded(jobObject: KubeObject): void {
    const job = jobObject as unknown as V1Job & KubeObject;
    const jobRef = { ...ref(jobObject), uid: jobObject.metadata.uid ?? '' };
    const template = job.spec?.template;
    const spec = template?.spec;
    if (!spec) return;
    const role = spec.containers[0]?.args?.[0] === 'node' ? 'node-agent' : 'probe';
    const node = spec.nodeName ?? lab.probePod.node;
    const startTime = now();
    setJobStatus({ job: jobRef }, { startTime, active: 1, ready: 0 });
    const jobName = jobRef.name;
    const pod = store.create(
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          generateName: `${jobName}-`,
          namespace: jobRef.namespace,
          labels: {
            ...(template.metadata?.labels ?? {}),
            'batch.kubernetes.io/controller-uid': jobRef.uid,
            'batch.kubernetes.io/job-name': jobName,
            'controller-uid': jobRef.uid,
            'job-name': jobName,
          },
          annotations: { ...(template.metadata?.annotations ?? {}) },
          ownerReferences: [
            {
              apiVersion: 'batch/v1',
              kind: 'Job',
              name: jobName,
              uid: jobRef.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
          finalizers: [JOB_TRACKING_FINALIZER],
        },
        spec: structuredClone(spec) as unknown as Record<string, unknown>,
        status: { phase: 'Pending', qosClass: 'Burstable' },
      },
      { keepStatus: true },
    );
    event(jobRef, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name ?? ''}`, 'job-controller');
    const deadline = job.spec?.activeDeadlineSeconds;
    if (deadline !== undefined)
      deadlines.set(
        jobRef.uid,
        setTimeout(
          () => safely(`deadline of Job ${jobName}`, () => jobDeadlineExceeded(jobRef)),
          deadline * 1000,
        ),
      );
    const container = spec.containers[0]?.name ?? '';
    const podRef = ref(pod);
    const run: PodRun = {
      job: jobRef,
      pod: podRef,
      role,
      node,
      container,
      logKey: `${podRef.namespace ?? 'default'}/${podRef.name}/${container}`,
      ran: { pod: podRef.name, role, node, stderrText: '', stderr: () => run.ran.stderrText },
      ended: false,
      terminating: false,
      finalized: false,
    };
    runs.set(`${podRef.namespace ?? ''}/${podRef.name}`, run);
    containers.push(run.ran);
    safely(`pod ${podRef.name}`, () => schedule(run, pod as unknown as V1Pod));
  }

  /** The Job ran longer than activeDeadlineSeconds: Failed/DeadlineExceeded, its pods deleted. */
  function jobDeadlineExceeded(jobRef: ObjectRef & { uid: string }): void {
    deadlines.delete(jobRef.uid);
    const job = store.get(jobRef) as
      (KubeObject & { status?: { conditions?: { type: string }[] } }) | undefined;
    if (!job || job.metadata.uid !== jobRef.uid) return;
    if ((job.status?.conditions ?? []).some((c) => c.type === 'Complete' || c.type === 'Failed')) return;
    const message = 'Job was active longer than specified deadline';
    const t = now();
    setJobStatus(
      { job: jobRef },
      {
        active: 0,
        conditions: [
          {
            type: 'FailureTarget',
            status: 'True',
            reason: 'DeadlineExceeded',
            message,
            lastProbeTime: t,
            lastTransitionTime: t,
          },
          {
            type: 'Failed',
            status: 'True',
            reason: 'DeadlineExceeded',
            message,
            lastProbeTime: t,
            lastTransitionTime: t,
          },
        ],
      },
    );
    event(jobRef, 'Warning', 'DeadlineExceeded', message, 'job-controller');
    for (const run of runs.values())
      if (run.job.uid === jobRef.uid && exists(run.pod))
        store.delete(store.resourceFor('v1', 'Pod'), run.pod.namespace, run.pod.name, 'Background');
  }

  /** The pod's container ended: the Job succeeded or failed (backoffLimit 0, restartPolicy Never). */
  function jobPodEnded(run: PodRun, exitCode: number): void {
    const id = run.job.uid;
    const timer = deadlines.get(id);
    const job = store.get(run.job) as
      (KubeObject & { status?: { conditions?: { type: string }[] } }) | undefined;
    if (!job || job.metadata.uid !== id) return;
    if ((job.status?.conditions ?? []).some((c) => c.type === 'Complete' || c.type === 'Failed')) return;
    if (timer) clearTimeout(timer);
    deadlines.delete(id);
    const t = now();
    if (exitCode === 0)
      setJobStatus(run, {
        active: 0,
        ready: 0,
        succeeded: 1,
        completionTime: t,
        conditions: [
          {
            type: 'SuccessCriteriaMet',
            status: 'True',
            reason: 'CompletionsReached',
            message: 'Reached expected number of succeeded pods',
            lastProbeTime: t,
            lastTransitionTime: t,
          },
          {
            type: 'Complete',
            status: 'True',
            reason: 'CompletionsReached',
            message: 'Reached expected number of succeeded pods',
            lastProbeTime: t,
            lastTransitionTime: t,
          },
        ],
      });
    else {
      const message = 'Job has reached the specified backoff limit';
      setJobStatus(run, {
        active: 0,
        ready: 0,
        failed: 1,
        conditions: [
          {
            type: 'FailureTarget',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message,
            lastProbeTime: t,
            lastTransitionTime: t,
          },
          {
            type: 'Failed',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message,
            lastProbeTime: t,
            lastTransitionTime: t,
          },
        ],
      });
      event(run.job, 'Warning', 'BackoffLimitExceeded', message, 'job-controller');
    }
  }

  // ---- the scheduler and the kubelet ---------------------------------------------------------

  function fault(run: PodRun): string {
    return run.role === 'probe' ? faults.probe : faults.nodeAgents;
  }

  function schedule(run: PodRun, pod: V1Pod): void {
    const spec = pod.spec as V1PodSpec;
    const image = spec.containers[0]?.image ?? '';
    const t = now();
    if (fault(run) === 'unschedulable') {
      if (spec.nodeName !== undefined) {
        // Pinned by nodeName, the pod skips the scheduler: the kubelet rejects it at admission.
        const message =
          "Pod was rejected: Node didn't have enough resource: cpu, requested: 50, used: 1990, capacity: 2000";
        setPodStatus(run, { phase: 'Failed', reason: 'OutOfcpu', message, startTime: t });
        event(
          run.pod,
          'Warning',
          'OutOfcpu',
          "Node didn't have enough resource: cpu, requested: 50, used: 1990, capacity: 2000",
          'kubelet',
        );
        run.ended = true;
        api.endPodLog(run.logKey);
        jobPodEnded(run, 1);
        finalize(run);
        return;
      }
      const n = lab.nodes.length;
      const message = `0/${n} nodes are available: ${n} Insufficient cpu. preemption: 0/${n} nodes are available: ${n} No preemption victims found for incoming pod.`;
      setPodStatus(run, {
        conditions: [
          { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastTransitionTime: t },
        ],
      });
      event(run.pod, 'Warning', 'FailedScheduling', message, 'default-scheduler');
      return;
    }
    // Bound to its node (the probe: the lab's probe pod's node).
    if (spec.nodeName === undefined) {
      const current = store.get(run.pod);
      if (current) api.apply({ ...current, spec: { ...(current.spec as object), nodeName: run.node } });
      event(
        run.pod,
        'Normal',
        'Scheduled',
        `Successfully assigned ${run.pod.namespace ?? ''}/${run.pod.name} to ${run.node}`,
        'default-scheduler',
      );
    }
    const waiting = (reason: string, message?: string): Record<string, unknown> => ({
      name: run.container,
      image,
      imageID: '',
      ready: false,
      started: false,
      restartCount: 0,
      state: { waiting: { reason, ...(message ? { message } : {}) } },
    });
    const baseConditions = [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: t },
      { type: 'Initialized', status: 'True', lastTransitionTime: t },
      {
        type: 'ContainersReady',
        status: 'False',
        reason: 'ContainersNotReady',
        message: `containers with unready status: [${run.container}]`,
        lastTransitionTime: t,
      },
      {
        type: 'Ready',
        status: 'False',
        reason: 'ContainersNotReady',
        message: `containers with unready status: [${run.container}]`,
        lastTransitionTime: t,
      },
    ];
    if (fault(run) === 'image-pull-error') {
      setPodStatus(run, {
        phase: 'Pending',
        hostIP: '',
        startTime: t,
        conditions: baseConditions,
        containerStatuses: [waiting('ImagePullBackOff', `Back-off pulling image "${image}"`)],
      });
      event(
        run.pod,
        'Warning',
        'Failed',
        `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`,
        'kubelet',
      );
      return;
    }
    let env: Record<string, string>;
    try {
      env = containerEnv(pod, spec.containers[0]);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      setPodStatus(run, {
        phase: 'Pending',
        startTime: t,
        conditions: baseConditions,
        containerStatuses: [waiting('CreateContainerConfigError', message)],
      });
      event(run.pod, 'Warning', 'Failed', `Error: ${message}`, 'kubelet');
      return;
    }
    start(run, pod, env, baseConditions);
  }

  /** The container's environment from the Job spec: values, `secretKeyRef`, `fieldRef`. */
  function containerEnv(pod: V1Pod, container: V1Container | undefined): Record<string, string> {
    const env: Record<string, string> = {};
    for (const e of (container?.env ?? []) as V1EnvVar[]) {
      if (e.value !== undefined) env[e.name] = e.value;
      const secretRef = e.valueFrom?.secretKeyRef;
      if (secretRef) {
        const secret = store.get({
          apiVersion: 'v1',
          kind: 'Secret',
          namespace: pod.metadata?.namespace ?? '',
          name: secretRef.name ?? '',
        }) as (KubeObject & { data?: Record<string, string> }) | undefined;
        const data = secret?.data?.[secretRef.key];
        if (data === undefined) {
          if (secretRef.optional) continue;
          throw new LabError(
            secret
              ? `couldn't find key ${secretRef.key} in Secret ${pod.metadata?.namespace ?? ''}/${secretRef.name ?? ''}`
              : `secret "${secretRef.name ?? ''}" not found`,
          );
        }
        env[e.name] = Buffer.from(data, 'base64').toString('utf8');
      }
      const fieldPath = e.valueFrom?.fieldRef?.fieldPath;
      if (fieldPath === 'spec.nodeName') env[e.name] = pod.spec?.nodeName ?? '';
      else if (fieldPath === 'metadata.namespace') env[e.name] = pod.metadata?.namespace ?? '';
      else if (fieldPath === 'metadata.name') env[e.name] = pod.metadata?.name ?? '';
    }
    return env;
  }

  /** Maps emptyDir mount paths in an argument to the pod's directory in the lab. */
  function podPaths(pod: V1Pod, container: V1Container | undefined): (arg: string) => string {
    const podDir = path.join(lab.workDir, 'pods', pod.metadata?.name ?? 'pod');
    const emptyDirs = new Set((pod.spec?.volumes ?? []).filter((v) => v.emptyDir).map((v) => v.name));
    const mounts = (container?.volumeMounts ?? []).filter((m) => emptyDirs.has(m.name));
    for (const m of mounts) mkdirSync(path.join(podDir, m.name), { recursive: true });
    return (arg) => {
      for (const m of mounts) {
        const root = m.mountPath.replace(/\/$/, '');
        if (arg === root || arg.startsWith(`${root}/`))
          return path.join(podDir, m.name, arg.slice(root.length));
      }
      return arg;
    };
  }

  function start(
    run: PodRun,
    pod: V1Pod,
    env: Record<string, string>,
    conditions: Record<string, unknown>[],
  ): void {
    const spec = pod.spec as V1PodSpec;
    const container = spec.containers[0];
    const image = container?.image ?? '';
    const mapPath = podPaths(pod, container);
    const args = (container?.args ?? []).map(mapPath);
    const hostNode = lab.nodes.find((n) => n.name === run.node);
    let hop: string;
    let labArgs: string[];
    if (!RUNNER_ROLES.has(args[0] ?? ''))
      throw new LabError(
        `the lab runs only the fleet-dns runner; pod ${run.pod.name} asks for ${args.join(' ')}`,
      );
    if (run.role === 'node-agent') {
      if (!hostNode)
        throw new LabError(
          `node agent pod ${run.pod.name} is pinned to ${run.node}, which is not a lab node`,
        );
      hop = hostNode.name;
      labArgs = [
        '--capture-interface',
        hostNode.uplink,
        ...(hostNode.enaStatsFile ? ['--ena-stats-file', hostNode.enaStatsFile] : []),
      ];
    } else {
      hop = lab.probePod.name;
      labArgs = [
        '--kubeconfig',
        lab.kubeconfigPath,
        '--resolv-conf',
        lab.resolvConfPath,
        '--capture-interface',
        'eth0',
        ...(options.probeArgs ?? []),
      ];
    }
    const argv =
      fault(run) === 'deadline'
        ? ['sleep', '3600'] // a container that keeps running past the Job's deadline
        : [...options.runnerCommand, ...args, ...labArgs];
    const proc = startProcess(
      `${run.role} ${run.pod.name}`,
      ['ip', 'netns', 'exec', lab.netns(hop), ...argv],
      {
        cwd: options.repoRoot,
        env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: mapPath('/tmp'), ...env },
      },
    );
    run.proc = proc;
    const startedMs = Date.now();
    const startedAt = now();
    setPodStatus(run, {
      phase: 'Running',
      hostIP: hostNode?.address ?? '',
      podIP: run.role === 'node-agent' ? (hostNode?.address ?? '') : lab.probePod.address,
      startTime: startedAt,
      conditions,
      containerStatuses: [
        {
          name: run.container,
          image,
          imageID: `${image}@sha256:lab`,
          ready: false,
          started: true,
          restartCount: 0,
          state: { running: { startedAt } },
        },
      ],
    });
    event(run.pod, 'Normal', 'Started', `Started container ${run.container}`, 'kubelet');

    // stdout and stderr become the pod log, a line at a time (as the container runtime writes it).
    const stdoutLines: string[] = [];
    let framesSeen = 0;
    let faultExit: number | undefined;
    const logFault = fault(run);
    const append = (line: string): void => {
      if (!run.finalized)
        api.appendPodLog(`${run.pod.namespace ?? ''}/${run.pod.name}/${run.container}`, `${line}\n`);
    };
    createInterface({ input: proc.child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (faultExit !== undefined) return;
      const isFrame = line.startsWith(`${RESULT_LINE_PREFIX} `);
      if (!isFrame || (logFault !== 'tampered-log' && logFault !== 'cut-log')) {
        append(line);
        if (isFrame && logFault === 'exit-nonzero' && ++framesSeen === 1) {
          // The container "exits 1 after its first result frame": nothing after it reaches the log.
          faultExit = 1;
          void proc.stop(0);
        }
        return;
      }
      stdoutLines.push(line); // held until the set is complete, then written altered
      const m = /^\S+ (\d+)\/(\d+) /.exec(line);
      if (m && m[1] === m[2]) {
        const frames = logFault === 'tampered-log' ? tamperFrames(stdoutLines) : stdoutLines.slice(0, -1);
        for (const l of frames) append(l);
        stdoutLines.length = 0;
      }
    });
    createInterface({ input: proc.child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
      run.ran.stderrText = `${run.ran.stderrText}${line}\n`.slice(-16_000);
      append(line);
    });

    let peakKb = 0;
    const sampler = setInterval(() => {
      peakKb = Math.max(peakKb, vmHwmKb(proc.child.pid) ?? 0);
    }, 50);

    // Readiness: the container's readinessProbe (`cat FILE` on the pod's emptyDir), else Ready once started.
    const probeCommand = container?.readinessProbe?.exec?.command;
    const markReady = (): void => {
      if (run.ended || run.terminating) return;
      const t = now();
      setPodStatus(run, {
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: t },
          { type: 'Initialized', status: 'True', lastTransitionTime: t },
          { type: 'ContainersReady', status: 'True', lastTransitionTime: t },
          { type: 'Ready', status: 'True', lastTransitionTime: t },
        ],
        containerStatuses: [
          {
            name: run.container,
            image,
            imageID: `${image}@sha256:lab`,
            ready: true,
            started: true,
            restartCount: 0,
            state: { running: { startedAt } },
          },
        ],
      });
      setJobStatus(run, { ready: 1 });
    };
    if (fault(run) === 'never-ready') {
      /* runs, never Ready */
    } else if (!probeCommand) markReady();
    else {
      const [file, ...probeArgs] = probeCommand.map(mapPath);
      let busy = false;
      run.readyTimer = setInterval(() => {
        if (busy || run.ended) return;
        busy = true;
        execFile(file ?? 'false', probeArgs, { timeout: 1000 }, (error) => {
          busy = false;
          if (!error && run.readyTimer) {
            clearInterval(run.readyTimer);
            run.readyTimer = undefined;
            markReady();
          }
        });
      }, pollMs);
    }

    proc.child.once('exit', (code, signal) => {
      clearInterval(sampler);
      if (run.readyTimer) clearInterval(run.readyTimer);
      if (run.killTimer) clearTimeout(run.killTimer);
      const exitCode = faultExit ?? code ?? (signal === 'SIGKILL' ? 137 : 143);
      run.ended = true;
      run.ran.wallMs = Date.now() - startedMs;
      run.ran.exitCode = exitCode;
      if (peakKb > 0) run.ran.peakRssMb = Math.round((peakKb / 1024) * 10) / 10;
      safely(`pod ${run.pod.name} ended`, () => {
        const finishedAt = now();
        const t = finishedAt;
        setPodStatus(run, {
          phase: exitCode === 0 ? 'Succeeded' : 'Failed',
          conditions: [
            { type: 'PodScheduled', status: 'True', lastTransitionTime: t },
            { type: 'Initialized', status: 'True', lastTransitionTime: t },
            { type: 'ContainersReady', status: 'False', reason: 'PodCompleted', lastTransitionTime: t },
            { type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: t },
          ],
          containerStatuses: [
            {
              name: run.container,
              image,
              imageID: `${image}@sha256:lab`,
              ready: false,
              started: false,
              restartCount: 0,
              state: {
                terminated: {
                  exitCode,
                  reason: exitCode === 0 ? 'Completed' : 'Error',
                  startedAt,
                  finishedAt,
                },
              },
            },
          ],
        });
        api.endPodLog(run.logKey);
        jobPodEnded(run, exitCode);
        finalize(run);
      });
    });
  }

  /** The Job controller has counted the pod: its finalizer goes (a terminating pod then goes too). */
  function finalize(run: PodRun): void {
    if (run.finalized) return;
    run.finalized = true;
    if (exists(run.pod)) api.removeFinalizer(run.pod, JOB_TRACKING_FINALIZER);
  }

  /** A pod got a deletionTimestamp: SIGTERM now, SIGKILL after its grace period. */
  function onPodTerminating(run: PodRun, pod: KubeObject): void {
    if (run.terminating) return;
    run.terminating = true;
    if (!run.proc || run.ended) {
      run.ended = true;
      api.endPodLog(run.logKey);
      finalize(run);
      return;
    }
    const grace = Number(pod.metadata.deletionGracePeriodSeconds ?? 30);
    const proc = run.proc;
    void proc.stop(Math.max(0, grace) * 1000);
  }

  const unsubscribe = store.subscribe((e: StoreEvent) => {
    if (stopped) return;
    const o = e.object;
    if (e.type === 'ADDED' && o.apiVersion === 'batch/v1' && o.kind === 'Job')
      safely(`Job ${o.metadata.name ?? ''}`, () => onJobAdded(o));
    else if (o.apiVersion === 'v1' && o.kind === 'Pod') {
      const run = runs.get(`${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`);
      if (!run) return;
      if (e.type === 'MODIFIED' && o.metadata.deletionTimestamp !== undefined)
        safely(`pod ${run.pod.name} terminating`, () => onPodTerminating(run, o));
      else if (e.type === 'DELETED' && !run.ended) {
        // Removed without a grace period: the kubelet kills the container.
        run.terminating = true;
        void run.proc?.stop(0);
      }
    } else if (e.type === 'DELETED' && o.apiVersion === 'batch/v1' && o.kind === 'Job') {
      const timer = deadlines.get(o.metadata.uid ?? '');
      if (timer) clearTimeout(timer);
      deadlines.delete(o.metadata.uid ?? '');
    }
  });

  const busy = (): boolean =>
    [...runs.values()].some((r) => (r.proc !== undefined && !r.ended) || (r.terminating && exists(r.pod)));

  return {
    containers,
    problems,
    settled: async (timeoutMs = 60_000) => {
      const until = Date.now() + timeoutMs;
      while (busy()) {
        if (Date.now() > until) return false;
        await new Promise((r) => setTimeout(r, 50));
      }
      return true;
    },
    stop: async () => {
      stopped = true;
      unsubscribe();
      for (const t of deadlines.values()) clearTimeout(t);
      deadlines.clear();
      await Promise.all(
        [...runs.values()].map(async (r) => {
          if (r.readyTimer) clearInterval(r.readyTimer);
          await r.proc?.stop(2000);
        }),
      );
    },
  };
}
