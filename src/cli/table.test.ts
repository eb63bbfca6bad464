import { describe, expect, it } from 'vitest';
import { renderTable } from './table.js';

describe('renderTable', () => {
  it('aligns text left and numbers right under a rule as wide as each column', () => {
    const text = renderTable(
      [{ header: 'stage' }, { header: 'dead', align: 'right' }, { header: 'note' }],
      [
        ['parse', '4', 'bad input'],
        ['download-image', '1,234', '-'],
      ],
    );
    expect(text.split('\n')).toEqual([
      'stage            dead  note',
      '--------------  -----  ---------',
      'parse               4  bad input',
      'download-image  1,234  -',
    ]);
  });
});
