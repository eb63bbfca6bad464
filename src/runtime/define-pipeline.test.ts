import { describe, expect, it } from 'vitest';
import { isInvalidConfigError } from '../errors/index.js';
import { definePipeline } from './define-pipeline.js';
import { stage } from './stage.js';

interface Article {
  url: string;
}

const extract = stage({
  name: 'extract',
  concurrency: 2,
  handler: (article: Article) => ({ images: [article.url] }),
});
const download = stage({
  name: 'download',
  handler: (page: { images: string[] }) => page.images.length,
});

function thrown(fn: () => unknown): { field?: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (isInvalidConfigError(error)) return { field: error.field, message: error.message };
    throw error;
  }
  throw new Error('expected an InvalidConfigError');
}

describe('definePipeline', () => {
  it('returns a frozen pipeline whose stages can be found by name', () => {
    const pipeline = definePipeline({
      name: 'news',
      version: '1',
      services: { images: {} },
      stages: [extract, download],
    });
    expect(pipeline.stageIndex('download')).toBe(1);
    expect(pipeline.stageIndex('nope')).toBe(-1);
    expect(Object.isFrozen(pipeline)).toBe(true);
    expect(Object.isFrozen(pipeline.stages[0])).toBe(true);
  });

  it('rejects a chain whose types do not fit, at compile time', () => {
    const wants = stage({ name: 'wants-number', handler: (n: number) => n });
    // @ts-expect-error extract outputs { images }, not a number
    definePipeline({ name: 'bad', version: '1', stages: [extract, wants] });
  });

  it('names duplicate stage names', () => {
    expect(
      thrown(() =>
        definePipeline({
          name: 'p',
          version: '1',
          stages: [extract, { ...download, name: 'extract' }],
        }),
      ),
    ).toEqual({
      field: 'pipeline.stages[1].name',
      message:
        'pipeline.stages[1].name must be unique (stages[0] is already named "extract"), got "extract"',
    });
  });

  it('names a missing handler', () => {
    const bad = { name: 'x' } as unknown as typeof extract;
    expect(thrown(() => definePipeline({ name: 'p', version: '1', stages: [bad] }))).toMatchObject({
      field: 'pipeline.stages[0].handler',
    });
  });

  it('names negative or fractional concurrency', () => {
    expect(
      thrown(() =>
        definePipeline({ name: 'p', version: '1', stages: [{ ...extract, concurrency: -2 }] }),
      ),
    ).toEqual({
      field: 'pipeline.stages[0].concurrency',
      message: 'pipeline.stages[0].concurrency must be a number >= 1, got -2',
    });
    expect(
      thrown(() =>
        definePipeline({ name: 'p', version: '1', stages: [{ ...extract, concurrency: 1.5 }] }),
      ).field,
    ).toBe('pipeline.stages[0].concurrency');
  });

  it('names an unknown service', () => {
    expect(
      thrown(() =>
        definePipeline({
          name: 'p',
          version: '1',
          services: { images: {} },
          stages: [{ ...extract, services: ['imagez'] }],
        }),
      ),
    ).toEqual({
      field: 'pipeline.stages[0].services[0]',
      message: `pipeline.stages[0].services[0] must be one of the pipeline's services (images), got "imagez"`,
    });
  });

  it('names empty stages, bad names and bad retry options', () => {
    expect(thrown(() => definePipeline({ name: 'p', version: '1', stages: [] })).field).toBe(
      'pipeline.stages',
    );
    expect(
      thrown(() => definePipeline({ name: 'has space', version: '1', stages: [extract] })).field,
    ).toBe('pipeline.name');
    expect(
      thrown(() =>
        definePipeline({
          name: 'p',
          version: '1',
          stages: [{ ...extract, retry: { maxAttempts: 0 } }],
        }),
      ).field,
    ).toBe('pipeline.stages[0].retry.maxAttempts');
    expect(
      thrown(() =>
        definePipeline({
          name: 'p',
          version: '1',
          stages: [{ ...extract, retry: { backoff: { jitter: 'wild' as 'full' } } }],
        }),
      ).message,
    ).toBe(
      'pipeline.stages[0].retry.backoff.jitter must be one of "none", "full", "equal", got "wild"',
    );
  });
});
