// ESLint flat config: typescript-eslint's recommended rules for every package, no console in code
// (pino is the one logger), React hooks rules in the console.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'packages/db/src/generated/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      'no-console': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['apps/web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Console features do not import each other: query hooks live in src/queries/, views that combine
    // features in src/pages/, generic pieces in src/ui/. A feature imports `./…` and `../../<layer>/…` only.
    files: ['apps/web/src/features/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\.(/|$)(?!\\.\\.(/|$))',
              message:
                'A feature does not import another feature: use src/queries/ for data, src/ui/ for shared pieces, or compose them in src/pages/.',
            },
            {
              regex: '(^|/)(features|pages)(/|$)',
              message:
                'A feature does not reach into features/ or pages/: pages compose features, not the other way round.',
            },
          ],
        },
      ],
    },
  },
  {
    // Benchmarks and scripts print their tables and progress to the terminal on purpose.
    files: ['bench/**', 'scripts/**', '**/*.mjs'],
    rules: { 'no-console': 'off' },
  },
);
