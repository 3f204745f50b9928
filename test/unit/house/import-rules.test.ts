import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The rules of the house are lint rules (eslint.config.js, houseRules): this proves each one fires on
// the import it forbids and stays quiet on the imports the layout needs, so a rule that silently
// stopped matching (a regex typo, a later config block overriding it) fails here.
const eslint = new ESLint({ cwd: process.cwd() });

async function importErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
    .map((m) => m.message);
}

describe('house import rules', () => {
  it.each([
    ['lambdas/core/network/x.ts', "import { a } from '../../aws/index.js';", 'never imports an adapter'],
    [
      'lambdas/core/checks/aws/x.ts',
      "import { a } from '../../../kube/index.js';",
      'never imports an adapter',
    ],
    [
      'lambdas/core/network/x.ts',
      "import { a } from '../../../lab/engine/index.js';",
      'imports only the core',
    ],
    ['lambdas/core/network/x.ts', "import { readFile } from 'node:fs/promises';", 'does no I/O'],
    ['lambdas/core/network/x.ts', "import { EC2Client } from '@aws-sdk/client-ec2';", 'is pure'],
    [
      'lambdas/aws/collect/x.ts',
      "import { a } from '../../kube/index.js';",
      'adapters never import each other',
    ],
    [
      'lambdas/aws/collect/x.ts',
      "export { a } from '../../kube/index.js';",
      'adapters never import each other',
    ],
    [
      'lambdas/kube/facts/x.ts',
      "import type { A } from '../../aws/index.js';",
      'adapters never import each other',
    ],
    [
      'lambdas/aws/eks/x.ts',
      "import { KubeConfig } from '@kubernetes/client-node';",
      'never talks to Kubernetes',
    ],
    ['lambdas/kube/x.ts', "import { STSClient } from '@aws-sdk/client-sts';", 'never calls AWS'],
    ['lambdas/store/x.ts', "import { a } from '../kube/index.js';", 'adapters never import each other'],
    ['lambdas/cli/commands/x.ts', "import { a } from '../../../lab/engine/index.js';", 'lab/'],
    ['lambdas/cli/x.ts', "const m = await import('../../lab/engine/index.js');", 'lab/'],
    ['lambdas/handlers/x.ts', "import { a } from '../../test/support/x.js';", 'lab/, tests'],
    [
      'runner-image/src/probe/x.ts',
      "import { a } from '../../../lambdas/aws/index.js';",
      'only lambdas/core',
    ],
    ['runner-image/src/probe/x.ts', "import { a } from '../../../lab/engine/index.js';", 'only lambdas/core'],
    ['lab/engine/x.ts', "import { a } from '../../test/support/x.js';", 'never imports tests'],
  ])('%s: %s is refused', async (file, source, expected) => {
    const errors = await importErrors(file, source);
    expect(errors.join('\n')).toContain(expected);
  });

  it.each([
    ['lambdas/core/checks/aws/x.ts', "import { a } from '../../network/index.js';"],
    ['lambdas/core/checks/aws/x.ts', "import { a } from './evidence.js';"],
    ['lambdas/aws/collect/x.ts', "import { a } from '../../core/schema/index.js';"],
    ['lambdas/kube/facts/x.ts', "import { a } from '../../core/incluster/index.js';"],
    ['lambdas/cli/commands/x.ts', "import { a } from '../../aws/index.js';"],
    ['lambdas/cli/commands/x.ts', "import { a } from '../../kube/index.js';"],
    ['runner-image/src/probe/x.ts', "import { a } from '../../../lambdas/core/dns/index.js';"],
    ['runner-image/src/probe/checks/x.ts', "import type { A } from '../../dns/types.js';"],
    ['lab/engine/x.ts', "import { a } from '../../lambdas/core/schema/index.js';"],
    ['bin/x.ts', "import { a } from '../lab/engine/index.js';"],
  ])('%s: %s is allowed', async (file, source) => {
    expect(await importErrors(file, source)).toEqual([]);
  });
});
