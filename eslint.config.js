// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/**
 * The layer rules of docs/architecture.md. Each entry says which src folders a layer may import
 * besides itself; everything else under src/ is forbidden to it. Keep this table and the header
 * comments of src/<layer>/index.ts in step.
 */
const layers = {
  errors: [],
  policies: ['errors'],
  observe: ['errors'],
  store: ['errors'],
  coordination: ['errors', 'policies', 'store'],
  http: ['errors', 'policies', 'observe'],
  cache: ['errors', 'store', 'observe'],
  runtime: ['errors', 'policies', 'observe', 'store', 'coordination', 'http', 'cache'],
  testing: ['errors', 'store', 'coordination'],
  server: ['errors', 'policies', 'observe', 'store', 'coordination', 'http', 'cache', 'runtime'],
  cli: [
    'errors',
    'policies',
    'observe',
    'store',
    'coordination',
    'http',
    'cache',
    'runtime',
    'server',
  ],
};

export const layerZones = Object.entries(layers).map(([layer, allowed]) => ({
  target: `./src/${layer}`,
  from: './src',
  // src/index.ts (the package root) re-exports the layers, so no layer may import it either.
  except: [`./${layer}`, ...allowed.map((dep) => `./${dep}`)],
  message: `The ${layer} layer may import only: ${allowed.length ? allowed.join(', ') : 'nothing of ours'} (docs/architecture.md).`,
}));

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'bench/node_modules/',
      'reports/',
      'coverage/',
      'web/vendor/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'scripts/*.js', '.ci/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      // Without these, import-x parses only .js files and no-cycle silently sees no graph.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
      'import-x/no-self-import': 'error',
      // TypeScript already reports undefined names; ESLint's version does not know Node globals.
      'no-undef': 'off',
    },
  },
  {
    // The library traces through @opentelemetry/api only; the SDK (a devDependency, for the
    // examples and tests) is the application's choice.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@opentelemetry/*', '!@opentelemetry/api'],
              message:
                "src/ may use @opentelemetry/api only; the SDK is the application's choice (docs/observability.md).",
            },
          ],
        },
      ],
    },
  },
  {
    // Small build and CI scripts in plain JS: lint the syntax, not types they do not declare.
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // Tests and benchmarks cross layers on purpose (they wire real parts together).
      'import-x/no-restricted-paths': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
