// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'cdk.out/', '.cache/', 'runner-image/dist/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...houseRules(),
);

/**
 * The rules of the house (design.md, style.md): which folder may import which. Each entry forbids
 * static imports, re-exports and dynamic `import()` whose specifier reaches a forbidden folder, so
 * a break fails `npm test` (which lints) instead of waiting for a reviewer. Specifiers are matched
 * as written: every relative import in this repository spells its path, and no folder below has a
 * subfolder of a forbidden name at the depth the pattern allows (test/unit/house-rules.test.ts
 * proves each rule fires and stays quiet on the allowed imports).
 */
function houseRules() {
  const outside = (...dirs) => `^(\\.\\./)+(${dirs.join('|')})(/|$)`;
  const adapters = ['aws', 'kube', 'store', 'handlers', 'cli'];
  const notProduct = ['lab', 'test', 'bench', 'runner-image', 'bin', 'lib'];
  /** @type {{ files: string[]; forbid: { regex: string; message: string }[]; packages?: { group: string[]; message: string }[] }[]} */
  const zones = [
    {
      // The pure core: no I/O, no SDKs, no environment, no adapter.
      files: ['lambdas/core/**/*.ts'],
      forbid: [
        {
          regex: `^(\\.\\./){2,}(${adapters.join('|')})(/|$)`,
          message: 'the core never imports an adapter.',
        },
        { regex: outside(...notProduct), message: 'the core imports only the core.' },
      ],
      packages: [
        {
          group: ['@aws-sdk/*', '@smithy/*', '@kubernetes/*', '@middy/*', '@aws-lambda-powertools/*'],
          message: 'lambdas/core is pure: adapters live in lambdas/aws, lambdas/kube, lambdas/store.',
        },
        {
          group: [
            'node:fs',
            'node:fs/*',
            'fs',
            'node:net',
            'node:dgram',
            'node:http',
            'node:https',
            'node:child_process',
          ],
          message: 'lambdas/core does no I/O.',
        },
      ],
    },
    {
      files: ['lambdas/aws/**/*.ts'],
      packages: [
        {
          group: ['@kubernetes/*'],
          message:
            'lambdas/aws never talks to Kubernetes: it hands endpoint, CA and token to the reader the caller passes in.',
        },
      ],
      forbid: [
        {
          regex: outside('kube', 'store', 'handlers', 'cli'),
          message: 'adapters never import each other: the caller passes values across.',
        },
        { regex: outside(...notProduct), message: 'an adapter imports only the core and its own folder.' },
      ],
    },
    {
      files: ['lambdas/kube/**/*.ts'],
      packages: [
        {
          group: ['@aws-sdk/*'],
          message: 'lambdas/kube never calls AWS: it takes endpoint, CA and token as values.',
        },
      ],
      forbid: [
        {
          regex: outside('aws', 'store', 'handlers', 'cli'),
          message: 'adapters never import each other: the caller passes values across.',
        },
        { regex: outside(...notProduct), message: 'an adapter imports only the core and its own folder.' },
      ],
    },
    {
      files: ['lambdas/store/**/*.ts'],
      forbid: [
        {
          regex: outside('aws', 'kube', 'handlers', 'cli'),
          message: 'adapters never import each other: the caller passes values across.',
        },
        { regex: outside(...notProduct), message: 'an adapter imports only the core and its own folder.' },
      ],
    },
    {
      files: ['lambdas/handlers/**/*.ts', 'lambdas/cli/**/*.ts'],
      forbid: [
        {
          regex: outside(...notProduct),
          message:
            'handlers and CLI commands wire lambdas/ adapters to the core; lab/, tests and the runner image stay out (bin/ composes the lab in).',
        },
      ],
    },
    {
      // The runner image bundles its own source and the core, nothing else (its Dockerfile copies only that).
      files: ['runner-image/src/**/*.ts'],
      forbid: [
        { regex: '(^|/)lambdas/(?!core(/|$))', message: 'the runner image imports only lambdas/core.' },
        {
          regex: outside('lab', 'test', 'bench', 'bin', 'lib'),
          message: 'the runner image imports only lambdas/core.',
        },
      ],
    },
    {
      // Product code never depends on tests.
      // (The zones above forbid test/ already; flat config lets one rule setting per file win, so zones never overlap.)
      files: ['lab/**/*.ts', 'bin/**/*.ts', 'lib/**/*.ts'],
      forbid: [{ regex: outside('test'), message: 'product code never imports tests.' }],
    },
  ];
  return zones.map(({ files, forbid, packages = [] }) => ({
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...packages, ...forbid.map(({ regex, message }) => ({ regex, message }))] },
      ],
      'no-restricted-syntax': [
        'error',
        ...forbid.map(({ regex, message }) => ({
          selector: `ImportExpression[source.value=/${regex.replaceAll('/', '\\/')}/]`,
          message,
        })),
      ],
      ...(files[0] === 'lambdas/core/**/*.ts'
        ? {
            'no-restricted-properties': [
              'error',
              {
                object: 'process',
                property: 'env',
                message: 'lambdas/core never reads process.env: parse config at the edge.',
              },
            ],
          }
        : {}),
    },
  }));
}
