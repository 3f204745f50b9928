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
  {
    // The pure core: no I/O, no SDKs, no environment (design.md, "rules of the house").
    files: ['lambdas/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
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
            {
              group: [
                '../aws/*',
                '../kube/*',
                '../store/*',
                '../handlers/*',
                '../cli/*',
                '../../aws/*',
                '../../kube/*',
                '../../store/*',
              ],
              message: 'the core never imports an adapter.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'lambdas/core never reads process.env: parse config at the edge.',
        },
      ],
    },
  },
  {
    // Adapters never import each other: the caller passes values across (style.md, "Layout").
    files: ['lambdas/aws/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/kube', '**/kube/*', '@kubernetes/*'],
              message:
                'lambdas/aws never imports lambdas/kube: hand ClusterApiAccess values to a KubernetesReader the caller passes in.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['lambdas/kube/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/aws', '**/aws/*', '@aws-sdk/*'],
              message: 'lambdas/kube never imports lambdas/aws: it takes endpoint, CA and token as values.',
            },
          ],
        },
      ],
    },
  },
);
