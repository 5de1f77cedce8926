import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // The AWS boundary is a folder: only AWS adapters (and the CDK app) import the AWS SDK.
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/*/src/adapters/aws/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@aws-sdk/*', '@smithy/*', 'aws-lambda'],
              allowTypeImports: true,
              message: 'Import the AWS SDK only in src/adapters/aws/ (the AWS boundary).',
            },
          ],
        },
      ],
    },
  },
  {
    // Marshalling only (no client, no network): the embedded store's JSON-protocol client.
    files: ['packages/mcp-server/src/adapters/local/local-dynamodb-client.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/test/**', '**/bench/**', '**/scripts/**'],
    rules: {
      'no-console': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
