// Lint step of `npm test`: package borders, declared dependencies and unhandled promises.
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'programs/**', '**/public/**', '.data/**', '**/dist/**', '**/.types/**', 'test/browser/standard-wallet.js'] },
  {
    files: ['**/*.ts', '**/*.mjs'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.mjs', 'vitest.config.ts', 'scripts/*.mjs', 'oracle/src/ingest/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: { 'import-x/resolver': { node: true } },
    rules: {
      // Another workspace is reached through its package name and exports, never a path into its files.
      'import-x/no-relative-packages': 'error',
      // Every import is declared in the package.json nearest to the importing file; dev-only code may use devDependencies.
      'import-x/no-extraneous-dependencies': [
        'error',
        {
          // The web app (mapper/src/web) is bundled at build time; the oracle's worker shim loads tsx only from sources.
          devDependencies: ['**/*.test.ts', '**/test/**', '**/bench/**', 'scripts/**', 'test/**', 'mapper/src/web/**', 'oracle/src/ingest/ingest-worker.mjs', 'vitest.config.ts', 'eslint.config.js'],
          includeTypes: true,
        },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
);
