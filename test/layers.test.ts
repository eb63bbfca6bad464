import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * Proves the layer rules bite: lint real files of lower layers with one forbidden import added
 * and expect `import-x/no-restricted-paths`. (By hand: add `import '../runtime/index.js';` to
 * src/policies/index.ts and run `npm run lint`.)
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function lintWith(file: string, extraImport: string): Promise<string[]> {
  const source = `${extraImport}\n${readFileSync(`${root}/${file}`, 'utf8')}`;
  const [result] = await eslint.lintText(source, { filePath: `${root}/${file}` });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layer boundaries', () => {
  it('fails lint when policies imports runtime', async () => {
    const messages = await lintWith(
      'src/policies/index.ts',
      "export * from '../runtime/index.js';",
    );
    expect(messages.join('\n')).toMatch(
      /import-x\/no-restricted-paths: .*policies layer may import only: errors/,
    );
  });

  it('fails lint when errors imports anything of ours', async () => {
    const messages = await lintWith('src/errors/index.ts', "export * from '../store/index.js';");
    expect(messages.join('\n')).toMatch(/errors layer may import only: nothing of ours/);
  });

  it('fails lint when store imports observe', async () => {
    const messages = await lintWith('src/store/index.ts', "export * from '../observe/index.js';");
    expect(messages.join('\n')).toMatch(/store layer may import only: errors/);
  });

  it('fails lint on a circular import', async () => {
    const messages = await lintWith(
      'src/errors/sluice-error.ts',
      "import { isInvalidConfigError } from './invalid-config-error.js';\nexport const probe = isInvalidConfigError;",
    );
    expect(messages.join('\n')).toMatch(/import-x\/no-cycle/);
  });

  it('fails lint when src imports an OpenTelemetry package other than the API', async () => {
    const messages = await lintWith(
      'src/observe/tracing.ts',
      "export { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';",
    );
    expect(messages.join('\n')).toMatch(
      /no-restricted-imports: .*src\/ may use @opentelemetry\/api only/,
    );
    expect(await lintWith('src/observe/tracing.ts', '')).toEqual([]);
  });

  it('accepts the real files as they are', async () => {
    expect(await lintWith('src/store/sqlite/open.ts', '')).toEqual([]);
  });
});
