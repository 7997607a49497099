import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/reports/**',
      '**/test-results/**',
      '**/playwright-report/**',
      'e2e/readme/**',
      'docs/.vitepress/cache/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {globals: {...globals.node, ...globals.browser}},
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
      'no-restricted-properties': [
        'error',
        {object: 'it', property: 'only', message: 'Focused tests must not land.'},
        {object: 'it', property: 'skip', message: 'Skipped tests must not land.'},
        {object: 'test', property: 'only', message: 'Focused tests must not land.'},
        {object: 'test', property: 'skip', message: 'Skipped tests must not land.'},
        {object: 'describe', property: 'only', message: 'Focused tests must not land.'},
        {object: 'describe', property: 'skip', message: 'Skipped tests must not land.'},
      ],
    },
  },
  {
    // CommonJS files load with require(), by definition.
    files: ['**/*.cjs'],
    rules: {'@typescript-eslint/no-require-imports': 'off'},
  },
  {
    files: ['packages/client/src/**/*.ts'],
    rules: {'no-console': 'error'},
  },
)
