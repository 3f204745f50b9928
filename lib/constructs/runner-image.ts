/**
 * The in-cluster runner image as an ECR image asset, built from runner-image/Dockerfile with the
 * repository root as context (the bundle includes lambdas/core). `cdk synth` only stages the
 * context (no Docker needed); `cdk deploy` builds and pushes it to the bootstrap repository.
 */
import { IgnoreMode } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import { Construct } from 'constructs';
import { REPO_ROOT } from './scan-function.js';

/**
 * What the Dockerfile copies, and nothing else (as runner-image/Dockerfile.dockerignore, which
 * BuildKit reads but CDK's staging does not): the staged context stays small and a change
 * elsewhere in the repository does not change the image's hash.
 */
export const RUNNER_IMAGE_CONTEXT = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'lambdas/core/**',
  'runner-image/src/**',
  'runner-image/build.mjs',
  'runner-image/Dockerfile',
] as const;

export interface RunnerImageProps {
  /**
   * The nodes' CPU architecture (one image per deployment).
   * @default Platform.LINUX_AMD64
   */
  readonly platform?: ecrAssets.Platform;
}

export class RunnerImage extends Construct {
  readonly asset: ecrAssets.DockerImageAsset;

  constructor(scope: Construct, id: string, props: RunnerImageProps = {}) {
    super(scope, id);
    this.asset = new ecrAssets.DockerImageAsset(this, 'Resource', {
      directory: REPO_ROOT,
      file: 'runner-image/Dockerfile',
      platform: props.platform ?? ecrAssets.Platform.LINUX_AMD64,
      ignoreMode: IgnoreMode.DOCKER,
      exclude: ['*', ...RUNNER_IMAGE_CONTEXT.map((p) => `!${p}`)],
    });
  }

  /** The image reference the dispatch step puts in the runner Jobs (RUNNER_IMAGE). */
  get imageUri(): string {
    return this.asset.imageUri;
  }
}
