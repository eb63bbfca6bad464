import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTokenList } from './tokens.js';

const secret = (c: string) => c.repeat(20);

describe('parseTokenList', () => {
  it('reads name:scope:secret entries separated by commas or lines, secrets may hold colons', () => {
    expect(parseTokenList(`ops:admin:${secret('a')}, board:read:${secret('b')}:x`)).toEqual([
      { name: 'ops', scope: 'admin', secret: secret('a') },
      { name: 'board', scope: 'read', secret: `${secret('b')}:x` },
    ]);
  });

  it('reads @file with comments and blank lines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-tokens-'));
    const file = join(dir, 'tokens');
    writeFileSync(
      file,
      `# the on-call\noncall:admin:${secret('c')}\n\nscreen:read:${secret('d')} # office\n`,
    );
    expect(parseTokenList(`@${file}`).map((t) => t.name)).toEqual(['oncall', 'screen']);
    expect(() => parseTokenList(`@${join(dir, 'missing')}`, 'SLUICE_API_TOKENS')).toThrow(
      /^SLUICE_API_TOKENS must be a readable token file \(ENOENT\)/,
    );
  });

  it('names the entry and field of every bad token, never echoing a secret', () => {
    const cases: [string, RegExp][] = [
      [secret('e'), /^T\[0\] must be an entry "name:scope:secret"/],
      [`ops:root:${secret('f')}`, /^T\[0\]\.scope must be one of "read", "admin", got "root"/],
      [
        'ops:admin:short',
        /^T\[0\]\.secret must be a secret of at least 16 characters, got "5 characters"/,
      ],
      [`o p:admin:${secret('g')}`, /^T\[0\]\.name must be letters, digits/],
      [
        `a:read:${secret('h')},a:admin:${secret('i')}`,
        /^T\[1\]\.name must be a name no other token has/,
      ],
      [
        `a:read:${secret('j')},b:admin:${secret('j')}`,
        /^T\[1\]\.secret must be a secret no other token has/,
      ],
    ];
    for (const [text, message] of cases) {
      let thrown: unknown;
      try {
        parseTokenList(text, 'T');
      } catch (error) {
        thrown = error;
      }
      expect(String((thrown as Error).message)).toMatch(message);
      expect((thrown as Error).message).not.toMatch(/(eeee|ffff|gggg|hhhh|iiii|jjjj)/);
    }
  });
});
