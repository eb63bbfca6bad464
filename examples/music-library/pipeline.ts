/**
 * The whole pipeline: one stage that reads each file's tags and duration with music-metadata,
 * under a concurrency and a byte budget. Everything else the users built by hand (the queue with
 * priorities, acknowledging only after processing, retries, progress, shutdown, health, metrics)
 * is Sluice's.
 */
import { parseFile } from 'music-metadata';
import { definePipeline, stage } from '../../src/index.js';
import { ByteBudget } from './byte-budget.js';
import type { AudioFile } from './library.js';
import type { MusicMetrics } from './metrics.js';

export interface TrackInfo {
  readonly format: string;
  readonly durationS: number | null;
  readonly sampleRate: number | null;
  readonly bitrate: number | null;
  readonly title: string | null;
  readonly artist: string | null;
  readonly album: string | null;
}

export interface MusicPipelineOptions {
  /** Files read at once. */
  readonly concurrency: number;
  /** The byte budget of the files being read at once (the memory limit). */
  readonly maxInFlightBytes: number;
  readonly metrics: MusicMetrics;
}

export function musicPipeline(options: MusicPipelineOptions) {
  const budget = new ByteBudget(options.maxInFlightBytes);
  const { metrics } = options;
  return definePipeline({
    name: 'music-library',
    version: '1',
    stages: [
      stage({
        name: 'analyze',
        concurrency: options.concurrency,
        // A read error (a busy disk, a file being written) is retried; a file that is not audio
        // is non_recoverable and goes straight to the dead letters: a broken file stays broken.
        retry: { maxAttempts: 3, backoff: { initialMs: 200 } },
        timeoutMs: 60_000,
        handler: (file: AudioFile, ctx): Promise<TrackInfo> =>
          budget.use(file.bytes, async () => {
            const end = metrics.processingSeconds.startTimer({ format: file.format });
            try {
              const { format, common } = await parseFile(file.path, { duration: true });
              // music-metadata is lenient: a file with no audio frames parses, without a duration.
              if (!format.duration) throw new Error('no audio frames found');
              metrics.files.inc({ result: 'success', format: file.format });
              metrics.bytes.inc({ format: file.format }, file.bytes);
              return {
                format: file.format,
                durationS: format.duration ?? null,
                sampleRate: format.sampleRate ?? null,
                bitrate: format.bitrate ?? null,
                title: common.title ?? null,
                artist: common.artist ?? null,
                album: common.album ?? null,
              };
            } catch (error) {
              metrics.files.inc({ result: 'failure', format: file.format });
              ctx.log.warn({ err: error, path: file.path }, 'unreadable audio file');
              throw Object.assign(new Error(`cannot read ${file.path}: ${String(error)}`), {
                category: 'non_recoverable',
              });
            } finally {
              end();
            }
          }),
      }),
    ],
  });
}
