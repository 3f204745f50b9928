/**
 * `npx cdk synth` as a user runs it: the real CLI, cdk.json's app, offline (no notices, no
 * telemetry, no lookups), Lambdas bundled by the local esbuild, into a temporary directory.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../lib/constructs/scan-function.js';

const run = promisify(execFile);
let outdir: string;
let result: { stdout: string; stderr: string };

beforeAll(async () => {
  outdir = mkdtempSync(path.join(tmpdir(), 'fleet-dns-cdk-'));
  result = await run(
    'npx',
    ['cdk', 'synth', '--all', '--no-notices', '--no-version-reporting', '--quiet', '-o', outdir],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        CDK_DISABLE_CLI_TELEMETRY: 'true',
        CDK_DISABLE_VERSION_CHECK: 'true',
        // No credentials, no metadata endpoint: nothing may reach AWS.
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_PROFILE: '',
        CDK_DEFAULT_ACCOUNT: '',
        CDK_DEFAULT_REGION: '',
      },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
}, 600_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe('npx cdk synth', () => {
  it('writes both templates', () => {
    for (const stack of ['FleetDns', 'FleetDnsMember']) {
      const file = path.join(outdir, `${stack}.template.json`);
      expect(existsSync(file), file).toBe(true);
      const template = JSON.parse(readFileSync(file, 'utf8')) as { Resources: Record<string, unknown> };
      expect(Object.keys(template.Resources).length).toBeGreaterThan(0);
    }
  });

  it('bundles every function with the local esbuild (an index.mjs per Lambda asset)', () => {
    const manifest = JSON.parse(readFileSync(path.join(outdir, 'FleetDns.assets.json'), 'utf8')) as {
      files: Record<string, { source: { path: string; packaging?: string } }>;
      dockerImages: Record<string, { source: { directory: string; dockerFile?: string } }>;
    };
    const bundles = Object.values(manifest.files).filter((f) => f.source.packaging === 'zip');
    expect(bundles).toHaveLength(8);
    for (const b of bundles)
      expect(statSync(path.join(outdir, b.source.path, 'index.mjs')).size).toBeGreaterThan(0);
    const images = Object.values(manifest.dockerImages);
    expect(images).toHaveLength(1);
    expect(images[0]!.source.dockerFile).toBe('runner-image/Dockerfile');
    expect(existsSync(path.join(outdir, images[0]!.source.directory, 'runner-image', 'src'))).toBe(true);
    expect(existsSync(path.join(outdir, images[0]!.source.directory, 'lab'))).toBe(false);
  });

  it('reports no cdk-nag error (they would fail the synth)', () => {
    expect(`${result.stdout}\n${result.stderr}`).not.toMatch(/\[Error at .*AwsSolutions-/);
  });
});
