/**
 * Docker is not available on these machines, so the image cannot be built here. This lints what
 * can be checked without it: the Dockerfile parses and validates, is multi-stage with pinned
 * bases, the runtime stage runs as non-root, installs tcpdump and ethtool, copies only the
 * bundle, and the build context (Dockerfile.dockerignore) holds what the build stage copies.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Copy, DockerfileParser } from 'dockerfile-ast';
import type { Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';

const dockerfilePath = fileURLToPath(new URL('../../../runner-image/Dockerfile', import.meta.url));
const text = readFileSync(dockerfilePath, 'utf8');
const dockerfile = DockerfileParser.parse(text);
const ignore = readFileSync(
  new URL('../../../runner-image/Dockerfile.dockerignore', import.meta.url),
  'utf8',
);

/** Instructions grouped by stage (a stage starts at each FROM). */
function stages(): Instruction[][] {
  const out: Instruction[][] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') out.push([]);
    out[out.length - 1]?.push(instruction);
  }
  return out;
}
const args = (i: Instruction): string[] => i.getArguments().map((a) => a.getValue());
const runtime = (): Instruction[] => stages().at(-1) ?? [];

describe('runner-image/Dockerfile', () => {
  it('validates without errors (dockerfile-utils)', () => {
    const errors = validate(text).filter((d) => d.severity === 1);

    expect(errors.map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('is multi-stage, every base pinned to a version (no latest, no bare name)', () => {
    const froms = dockerfile.getFROMs();

    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) {
      const tag = from.getImageTag();
      const digest = from.getImageDigest();
      expect(tag ?? digest, `${from.getImage()} must be pinned`).toBeTruthy();
      if (tag !== undefined && tag !== null) {
        expect(tag).not.toMatch(/latest/);
        expect(tag).toMatch(/^\d+\.\d+\.\d+/);
      }
    }
    expect(froms[0]?.getBuildStage()).toBe('build');
  });

  it('runtime stage: non-root default user, tcpdump and ethtool installed, the bundle as entrypoint', () => {
    const stage = runtime();
    const users = stage.filter((i) => i.getKeyword() === 'USER').map((i) => args(i)[0] ?? '');
    const runs = stage.filter((i) => i.getKeyword() === 'RUN').map((i) => args(i).join(' '));
    const entrypoint = stage.find((i) => i.getKeyword() === 'ENTRYPOINT');

    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1) ?? '';
    expect(user.split(':')[0]).not.toMatch(/^(0|root)$/);
    expect(runs.join(' ')).toMatch(/(apk add|apt-get install)[^&]*\btcpdump\b/);
    expect(runs.join(' ')).toMatch(/(apk add|apt-get install)[^&]*\bethtool\b/);
    expect(entrypoint && JSON.parse(entrypoint.getRawArgumentsContent() ?? 'null')).toEqual([
      'node',
      '--max-semi-space-size=1',
      '/opt/fleet-dns/runner.mjs',
    ]);
  });

  it('runtime stage copies only the bundle, from the build stage; nothing is ADDed', () => {
    const copies = runtime().filter((i) => i.getKeyword() === 'COPY');

    expect(copies).toHaveLength(1);
    const copy = copies[0] as Copy;
    expect(copy).toBeInstanceOf(Copy);
    expect(
      copy
        .getFlags()
        .find((f) => f.getName() === 'from')
        ?.getValue(),
    ).toBe('build');
    expect(args(copy)).toEqual(['/src/runner-image/dist/runner.mjs', '/opt/fleet-dns/runner.mjs']);
    expect(dockerfile.getInstructions().filter((i) => i.getKeyword() === 'ADD')).toEqual([]);
  });

  it('the build context keeps every path the build stage copies', () => {
    const allowed = ignore
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1).replace(/\/\*\*$/, ''));
    const sources = (stages()[0] ?? [])
      .filter((i) => i.getKeyword() === 'COPY')
      .flatMap((i) => args(i).slice(0, -1));

    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources)
      expect(
        allowed.some((a) => src === a || src.startsWith(`${a}/`)),
        src,
      ).toBe(true);
  });
});
