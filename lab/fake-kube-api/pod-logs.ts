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

/** Where a follow read sends its text: `write` for each piece, `end` once (the response ends). */
export interface LogSink {
  write(text: string): void;
  end(): void;
}

/** Log text per pod container, keyed `namespace/pod/container` (container '' = the pod's only/first container). */
export class PodLogStore {
  private readonly logs = new Map<string, LogLine[]>();
  // Containers whose log is finished (the container terminated): a follow read ends there.
  private readonly ended = new Set<string>();
  private readonly listeners = new Set<(key: string) => void>();

  /**
   * Replaces a container's log. `key` is `namespace/pod` or `namespace/pod/container`; append
   * `/previous` to set the previous (crashed) instance's log.
   */
  set(key: string, text: string, nowMs = Date.now()): void {
    const k = this.normalise(key);
    this.logs.set(k, this.toLines(text, nowMs));
    this.changed(k);
  }

  /** Appends lines to a container's log (same key format as {@link PodLogStore.set}). */
  append(key: string, text: string, nowMs = Date.now()): void {
    const k = this.normalise(key);
    this.logs.set(k, [...(this.logs.get(k) ?? []), ...this.toLines(text, nowMs)]);
    this.changed(k);
  }

  /**
   * Marks a container's log as finished (its container terminated): follow reads of it send
   * what is left and end, and later follow reads return at once. Same key format as
   * {@link PodLogStore.set}.
   */
  end(key: string): void {
    const k = this.normalise(key);
    this.ended.add(k);
    this.changed(k);
  }

  /**
   * The log text the API returns for `pod`, honouring the query.
   * @throws KubeStatusError 400 when the container is ambiguous or unknown (as the API server does)
   */
  read(pod: KubeObject, query: LogQuery, nowMs = Date.now()): string {
    const target = this.target(pod, query);
    return cut(render(selectLines(this.linesOf(target), query, nowMs), query), query.limitBytes);
  }

  /**
   * A follow read (`follow=true`): sends what {@link PodLogStore.read} would, then each line as it
   * is appended, and ends when the container's log is marked ended ({@link PodLogStore.end}), or
   * once `limitBytes` were sent. `tailLines`/`sinceSeconds`/`sinceTime` shape the first part only,
   * as on a kubelet. A previous instance's log is finished by definition. Returns the function
   * that stops following without ending the sink (the caller ends it: pod gone, server stopping,
   * client gone).
   * @throws KubeStatusError 400 as {@link PodLogStore.read}
   */
  follow(pod: KubeObject, query: LogQuery, sink: LogSink, nowMs = Date.now()): () => void {
    const target = this.target(pod, query);
    let sent = this.linesOf(target).length;
    let budget = query.limitBytes !== undefined && query.limitBytes >= 0 ? query.limitBytes : Infinity;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      this.listeners.delete(onChange);
      sink.end();
    };
    const send = (text: string): void => {
      const piece = cut(text, budget === Infinity ? undefined : budget);
      if (piece !== '') sink.write(piece);
      budget -= Buffer.byteLength(piece, 'utf8');
    };
    const onChange = (key: string): void => {
      if (done || !target.keys.includes(key)) return;
      const lines = this.linesOf(target);
      // Lines beyond those already sent are new; a log replaced by a shorter one goes on from its end.
      if (lines.length > sent) send(render(lines.slice(sent), query));
      sent = lines.length;
      if (budget <= 0 || this.isEnded(target)) finish();
    };
    send(render(selectLines(this.linesOf(target), query, nowMs), query));
    if (budget <= 0 || this.isEnded(target)) {
      finish();
      return () => undefined;
    }
    this.listeners.add(onChange);
    return () => {
      done = true;
      this.listeners.delete(onChange);
    };
  }

  /** The keys a read of `pod` looks at (the named container, or '' for the first one) and the container. */
  private target(pod: KubeObject, query: LogQuery): { keys: string[]; container: string; previous: boolean } {
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
    const keys = [
      `${namespace}/${name}/${container}${suffix}`,
      ...(isFirst && container !== '' ? [`${namespace}/${name}/${suffix}`] : []),
    ];
    const previous = query.previous === true;
    if (previous && keys.every((k) => !this.logs.has(k))) {
      throw new KubeStatusError(
        400,
        'BadRequest',
        `previous terminated container "${container}" in pod "${name}" not found`,
      );
    }
    return { keys, container, previous };
  }

  private linesOf(target: { keys: string[] }): LogLine[] {
    for (const k of target.keys) {
      const found = this.logs.get(k);
      if (found) return found;
    }
    return [];
  }

  private isEnded(target: { keys: string[]; previous: boolean }): boolean {
    return target.previous || target.keys.some((k) => this.ended.has(k));
  }

  private changed(key: string): void {
    for (const listener of [...this.listeners]) listener(key);
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

/** The lines a read returns: `sinceSeconds`/`sinceTime`, then `tailLines`. */
function selectLines(all: readonly LogLine[], query: LogQuery, nowMs: number): readonly LogLine[] {
  let lines = all;
  const sinceMs =
    query.sinceSeconds !== undefined
      ? nowMs - query.sinceSeconds * 1000
      : query.sinceTime !== undefined
        ? Date.parse(query.sinceTime)
        : undefined;
  if (sinceMs !== undefined && !Number.isNaN(sinceMs)) lines = lines.filter((l) => l.atMs >= sinceMs);
  if (query.tailLines !== undefined) lines = query.tailLines <= 0 ? [] : lines.slice(-query.tailLines);
  return lines;
}

/** Lines as the API sends them, with an RFC 3339 (nanosecond) timestamp when asked. */
function render(lines: readonly LogLine[], query: LogQuery): string {
  return lines
    .map((l) =>
      query.timestamps
        ? `${new Date(l.atMs).toISOString().replace('Z', '000000Z')} ${l.text}\n`
        : `${l.text}\n`,
    )
    .join('');
}

/** At most `limitBytes` bytes of `text` (a negative or absent limit: all of it). */
function cut(text: string, limitBytes: number | undefined): string {
  if (limitBytes === undefined || limitBytes < 0) return text;
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= limitBytes ? text : bytes.subarray(0, limitBytes).toString('utf8');
}
