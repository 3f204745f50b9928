import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT, runCli } from '../../../lambdas/cli/index.js';
import { escapeControlCharacters } from '../../../lambdas/cli/format/terminal-text.js';
import type { ClusterResult } from '../../../lambdas/core/schema/index.js';
import { captureIo } from '../../support/cli-io.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/snapshots/', import.meta.url));
const scratch = mkdtempSync(path.join(tmpdir(), 'fleet-dns-control-characters-'));

/** C0 but tab and newline, DEL, C1: what a terminal may act on. */
// eslint-disable-next-line no-control-regex -- the bytes under test
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** Resource names as a hostile snapshot could carry them. */
const POD = 'coredns-\u001b]0;pwned\u0007-zz9q1'; // OSC: retitle the window
const NAMESPACE = 'kube-\u001b[2J'; // CSI: clear the screen
const DHCP = 'dopt-\u009b2J\r'; // C1 CSI, then a carriage return

/** Fixture 26 (a CoreDNS pod no ENI owns: its name shows in the table) with hostile names. */
function hostileSnapshot(): string {
  const json = JSON.parse(
    readFileSync(path.join(FIXTURES, '26-coredns-pod-ip-unowned.snapshot.json'), 'utf8'),
  );
  const pod = json.kubernetes.dnsPods.find((p: { podIP: string }) => p.podIP === '10.0.99.99');
  pod.name = POD;
  pod.namespace = NAMESPACE;
  json.vpc.DhcpOptionsId = DHCP;
  json.dhcpOptions.DhcpOptionsId = DHCP;
  const file = path.join(scratch, 'hostile.snapshot.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
}

async function cli(...argv: string[]) {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, stdout: io.out, stderr: io.err };
}

describe('control characters from a snapshot never reach the terminal raw', () => {
  it('the table shows them as visible \\xHH escapes', async () => {
    const { code, stdout } = await cli('audit-network', '--snapshot', hostileSnapshot());
    expect(code).toBe(EXIT.OK);
    expect(stdout).not.toMatch(RAW_CONTROL);
    expect(stdout).toContain('coredns-\\x1b]0;pwned\\x07-zz9q1');
    expect(stdout).toContain('dopt-\\x9b2J');
  });

  it('JSON keeps the names exactly, every control character written as a \\u escape (C1 and DEL too)', async () => {
    const { code, stdout } = await cli('audit-network', '--snapshot', hostileSnapshot(), '--format', 'json');
    expect(code).toBe(EXIT.OK);
    expect(stdout).not.toMatch(RAW_CONTROL);
    const result = JSON.parse(stdout) as ClusterResult;
    const spread = result.checks.find((c) => c.id === 'NET-COREDNS-ENI-SPREAD');
    expect(JSON.stringify(spread?.evidence)).toContain(JSON.stringify(POD).slice(1, -1));
    expect(stdout).toContain('dopt-\\u009b2J\\r');
    expect(JSON.stringify(result)).toContain(JSON.stringify(DHCP).slice(1, -1));
  });

  it('an error line naming a hostile file name stays one harmless line', async () => {
    const { code, stderr } = await cli('audit-network', '--snapshot', `/nonexistent/\u001b[2J\nx.json`);
    expect(code).toBe(EXIT.USAGE);
    expect(stderr).toBe('fleet-dns: error: --snapshot /nonexistent/\\x1b[2J x.json: no such file\n');
  });

  it("commander's own error lines too (an unknown option)", async () => {
    const { code, stderr } = await cli('audit-network', '--\u001b]0;x\u0007');
    expect(code).toBe(EXIT.USAGE);
    expect(stderr).not.toMatch(RAW_CONTROL);
    expect(stderr.split('\n')).toHaveLength(2);
  });

  it.each([
    ['plain text', 'sg-0123 allow udp/53', 'sg-0123 allow udp/53'],
    ['OSC title', 'a\u001b]0;pwned\u0007b', 'a\\x1b]0;pwned\\x07b'],
    ['CSI clear', '\u001b[2J', '\\x1b[2J'],
    ['C1 CSI', '\u009b31m', '\\x9b31m'],
    ['DEL and NUL', 'a\u007fb\u0000', 'a\\x7fb\\x00'],
    ['carriage return', 'ok\rFAIL', 'ok\\x0dFAIL'],
    ['tab and newline are layout', 'a\tb\nc', 'a\tb\nc'],
    ['non-ASCII text stays', 'café — ✓', 'café — ✓'],
  ])('escapeControlCharacters: %s', (_name, text, expected) => {
    expect(escapeControlCharacters(text)).toBe(expected);
  });
});
