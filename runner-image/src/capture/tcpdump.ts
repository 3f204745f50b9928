/**
 * Packet capture with tcpdump, parsed in-process: the probe pod and the node agents capture
 * port-53 traffic while probing so each probe query can be followed hop by hop (DNS-CAPTURE).
 */
import { spawn } from 'node:child_process';
import type { CapturedPacket } from '../../../lambdas/core/schema/index.js';
import { parsePcap } from '../../../lambdas/core/capture/index.js';
import { CaptureStartError } from './errors.js';

export interface StartCaptureOptions {
  /** interface name, or `any` (tcpdump then writes LINUX_SLL/LINUX_SLL2 frames) */
  readonly interface: string;
  /** the DNS port to capture and decode @default 53 */
  readonly port?: number;
  /** a pcap-filter(7) expression @default `port ${port}` */
  readonly filter?: string;
  /** bytes kept per packet @default 1500 */
  readonly snaplen?: number;
  /** tcpdump stops after this many packets (`-c`) @default 20000 */
  readonly maxPackets?: number;
  /** the pcap kept in memory is bounded; past it the capture is marked truncated @default 32 MiB */
  readonly maxBytes?: number;
  /** how long to wait for "listening on" before giving up @default 5000 */
  readonly startTimeoutMs?: number;
  /** how long `stop` lets packets still in flight reach the capture @default 200 */
  readonly drainMs?: number;
  /** @default 'tcpdump' (tests point this at a missing binary) */
  readonly tcpdumpPath?: string;
}

export interface CaptureOutcome {
  readonly packets: CapturedPacket[];
  /** the raw pcap (kept as an artifact when storage is configured) */
  readonly pcap: Buffer;
  /** a bound was hit (packet count, bytes) or the file ended mid-record */
  readonly truncated: boolean;
  /** tcpdump missing, failed, or the pcap did not parse cleanly */
  readonly error?: string;
}

export interface CaptureHandle {
  /** false when tcpdump could not be started; `stop` then returns the reason in `error` */
  readonly running: boolean;
  /** what tcpdump said on stderr, e.g. "listening on lo, link-type EN10MB …" */
  readonly banner?: string;
  stop(): Promise<CaptureOutcome>;
}

/**
 * Starts `tcpdump -i IF -U --immediate-mode -w - -Z root -n -s SNAPLEN -c MAX FILTER` and resolves once tcpdump
 * is really listening (it prints "listening on" to stderr). Never rejects for a tcpdump problem:
 * a missing binary, a bad interface or missing privileges come back as an error value from `stop`.
 * `-Z root` keeps tcpdump from switching to the `tcpdump` user, which needs capabilities the
 * capturing containers drop (design.md, pod security); `-U` flushes every packet so nothing
 * is lost in stdio buffers when the capture is stopped, and `--immediate-mode` hands packets
 * over at once instead of when a TPACKET_V3 ring block retires (up to a second later, so the
 * last probes' packets would be lost at stop).
 *
 * @see https://www.tcpdump.org/manpages/tcpdump.1.html
 */
export function startCapture(options: StartCaptureOptions): Promise<CaptureHandle> {
  const snaplen = options.snaplen ?? 1500;
  const maxPackets = options.maxPackets ?? 20_000;
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  const dnsPort = options.port ?? 53;
  if (!/^[\w.:@-]+$/.test(options.interface))
    throw new CaptureStartError(`invalid interface name "${options.interface}"`);
  if (!Number.isInteger(snaplen) || snaplen < 64)
    throw new CaptureStartError(`snaplen must be an integer ≥ 64`);
  if (!Number.isInteger(maxPackets) || maxPackets < 1)
    throw new CaptureStartError(`maxPackets must be a positive integer`);
  const args = [
    '-i',
    options.interface,
    '-U',
    '--immediate-mode',
    '-w',
    '-',
    '-Z',
    'root',
    '-n',
    '-s',
    String(snaplen),
    '-c',
    String(maxPackets),
    options.filter ?? `port ${dnsPort}`,
  ];

  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let overflow = false;
    let stderr = '';
    let exited = false;
    let spawnError: string | undefined;
    let listening = false;
    let settled = false;
    const exitWaiters: (() => void)[] = [];
    let exitDescription = '';

    const child = spawn(options.tcpdumpPath ?? 'tcpdump', args, { stdio: ['ignore', 'pipe', 'pipe'] });

    const outcome = (extraError?: string): CaptureOutcome => {
      const pcap = Buffer.concat(chunks);
      const parsed = parsePcap(pcap, { port: dnsPort });
      const problems = [
        ...(spawnError ? [spawnError] : []),
        ...(extraError ? [extraError] : []),
        ...(parsed.errorCount > 0 && !parsed.truncated
          ? [`${parsed.errorCount} unreadable packet(s): ${parsed.errors.slice(0, 3).join('; ')}`]
          : []),
      ];
      return {
        packets: parsed.packets,
        pcap,
        truncated: overflow || parsed.truncated || parsed.records >= maxPackets,
        ...(problems.length ? { error: problems.join('; ') } : {}),
      };
    };

    const waitExit = (timeoutMs: number): Promise<void> =>
      exited
        ? Promise.resolve()
        : new Promise((done) => {
            const t = setTimeout(done, timeoutMs);
            exitWaiters.push(() => {
              clearTimeout(t);
              done();
            });
          });

    const failedHandle = (reason: string): CaptureHandle => ({
      running: false,
      stop: async () => {
        if (!exited) child.kill('SIGKILL');
        await waitExit(1000);
        return outcome(reason);
      },
    });

    const settle = (handle: CaptureHandle): void => {
      if (settled) return;
      settled = true;
      clearTimeout(startTimer);
      resolve(handle);
    };

    const startTimer = setTimeout(() => {
      settle(
        failedHandle(
          `tcpdump did not start listening within ${options.startTimeoutMs ?? 5000} ms: ${stderr.trim() || 'no output'}`,
        ),
      );
    }, options.startTimeoutMs ?? 5000);

    child.on('error', (err) => {
      const code = (err as { code?: unknown }).code;
      spawnError =
        code === 'ENOENT'
          ? 'tcpdump not found (install the tcpdump package)'
          : `tcpdump could not be started: ${err.message}`;
      exited = true;
      for (const w of exitWaiters.splice(0)) w();
      settle(failedHandle(''));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (overflow) return;
      if (bytes + chunk.length > maxBytes) {
        overflow = true;
        return;
      }
      chunks.push(chunk);
      bytes += chunk.length;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      if (stderr.length < 16_384) stderr += text;
      if (!listening && /listening on/.test(stderr)) {
        listening = true;
        const banner = stderr
          .split('\n')
          .find((l) => l.includes('listening on'))
          ?.trim();
        settle({
          running: true,
          ...(banner ? { banner } : {}),
          stop: async () => {
            // Let packets still in flight (answers to the last probes) reach the capture.
            await new Promise((r) => setTimeout(r, options.drainMs ?? 200));
            if (!exited) child.kill('SIGINT');
            await waitExit(3000);
            if (!exited) {
              child.kill('SIGKILL');
              await waitExit(1000);
            }
            const unexpected =
              exitDescription && !/^signal SIGINT$|^code 0$/.test(exitDescription)
                ? `tcpdump exited with ${exitDescription}: ${lastLines(stderr)}`
                : undefined;
            return outcome(unexpected);
          },
        });
      }
    });
    // 'close', not 'exit': the pcap bytes still in the stdout pipe must be read first.
    child.on('close', (code, signal) => {
      exited = true;
      exitDescription = signal ? `signal ${signal}` : `code ${code ?? 0}`;
      for (const w of exitWaiters.splice(0)) w();
      if (!listening)
        settle(
          failedHandle(
            `tcpdump exited before listening (${exitDescription}): ${lastLines(stderr) || 'no output'}`,
          ),
        );
    });
  });
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-2).join(' / ').slice(0, 500);
}
