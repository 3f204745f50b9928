/**
 * Container logs for `GET /api/v1/namespaces/{ns}/pods/{name}/log`: each line keeps the time it
 * was written, so `sinceSeconds` / `sinceTime` / `timestamps` behave as on a real kubelet. A
 * line that starts with an RFC 3339 timestamp (as `timestamps=true` output does) takes that
 * time; other lines take the time they were set.
 *
 * @see https://kubernetes.io/docs/reference/generated/kubernetes-api/v1.33/#read-log-pod-v1-core
 */
import { InvalidObjectError, KubeStatusError } from './errors.js';
import type { KubeObject } from './types.js';

interface LogLine {
  readonly atMs: number;
  readonly text: string;
}

/** Query parameters of a log read (already parsed). */
export interface LogQuery {
  readonly container?: string;
  readonly tailLines?: number;
  readonly sinceSeconds?: number;
  readonly sinceTime?: string;
  readonly timestamps?: boolean;
  readonly limitBytes?: number;
  readonly previous?: boolean;
}

const LEADING_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))\s(.*)$/s;

function containerNames(pod: KubeObject): string[] {
  const spec = pod.spec as { containers?: { name?: string }[] } | undefined;
  return (spec?.containers ?? []).map((c) => c.name ?? '').filter((n) => n !== '');
}

/** Log text per pod container, keyed `namespace/pod/container` (container '' = the pod's only/first container). */
export class PodLogStore {
  private readonly logs = new Map<string, LogLine[]>();

  /**
   * Replaces a container's log. `key` is `namespace/pod` or `namespace/pod/container`; append
   * `/previous` to set the previous (crashed) instance's log.
   */
  set(key: string, text: string, nowMs = Date.now()): void {
    this.logs.set(this.normalise(key), this.toLines(text, nowMs));
  }

  /** Appends lines to a container's log (same key format as {@link PodLogStore.set}). */
  append(key: string, text: string, nowMs = Date.now()): void {
    const k = this.normalise(key);
    this.logs.set(k, [...(this.logs.get(k) ?? []), ...this.toLines(text, nowMs)]);
  }

  /**
   * The log text the API returns for `pod`, honouring the query.
   * @throws KubeStatusError 400 when the container is ambiguous or unknown (as the API server does)
   */
  read(pod: KubeObject, query: LogQuery, nowMs = Date.now()): string {
    const namespace = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name ?? '';
    const containers = containerNames(pod);
    let container = query.container;
    if (container === undefined || container === '') {
      if (containers.length > 1) {
        throw new KubeStatusError(
          400,
          'BadRequest',
          `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`,
        );
      }
      container = containers[0] ?? '';
    } else if (containers.length > 0 && !containers.includes(container)) {
      throw new KubeStatusError(400, 'BadRequest', `container ${container} is not valid for pod ${name}`);
    }
    const suffix = query.previous ? '/previous' : '';
    const isFirst = container === (containers[0] ?? '');
    let lines =
      this.logs.get(`${namespace}/${name}/${container}${suffix}`) ??
      (isFirst ? this.logs.get(`${namespace}/${name}/${suffix}`) : undefined);
    if (lines === undefined && query.previous) {
      throw new KubeStatusError(
        400,
        'BadRequest',
        `previous terminated container "${container}" in pod "${name}" not found`,
      );
    }
    lines = lines ?? [];
    const sinceMs =
      query.sinceSeconds !== undefined
        ? nowMs - query.sinceSeconds * 1000
        : query.sinceTime !== undefined
          ? Date.parse(query.sinceTime)
          : undefined;
    if (sinceMs !== undefined && !Number.isNaN(sinceMs)) lines = lines.filter((l) => l.atMs >= sinceMs);
    if (query.tailLines !== undefined) lines = query.tailLines <= 0 ? [] : lines.slice(-query.tailLines);
    let text = lines
      .map((l) =>
        query.timestamps
          ? `${new Date(l.atMs).toISOString().replace('Z', '000000Z')} ${l.text}\n`
          : `${l.text}\n`,
      )
      .join('');
    if (query.limitBytes !== undefined && query.limitBytes >= 0) {
      text = Buffer.from(text, 'utf8').subarray(0, query.limitBytes).toString('utf8');
    }
    return text;
  }

  private normalise(key: string): string {
    const parts = key.split('/');
    const previous = parts[parts.length - 1] === 'previous' && parts.length >= 3 ? parts.pop() : undefined;
    const [namespace, pod, container = ''] = parts;
    if (!namespace || !pod || parts.length > 3) {
      throw new InvalidObjectError(`pod log key "${key}" must be namespace/pod[/container][/previous]`);
    }
    return `${namespace}/${pod}/${container}${previous ? '/previous' : ''}`;
  }

  private toLines(text: string, nowMs: number): LogLine[] {
    const raw = text.endsWith('\n') ? text.slice(0, -1) : text;
    if (raw === '') return [];
    return raw.split('\n').map((line) => {
      const m = LEADING_TIMESTAMP.exec(line);
      const at = m ? Date.parse(m[1] ?? '') : Number.NaN;
      return Number.isNaN(at) ? { atMs: nowMs, text: line } : { atMs: at, text: m?.[2] ?? '' };
    });
  }
}
