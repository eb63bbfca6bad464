/**
 * The users' own Prometheus series, next to Sluice's (queue depth per state, items by outcome,
 * stage durations): processing time per file, files by result, and bytes read. Throughput is
 * `rate(music_files_processed_total[5m]) * 3600` files an hour.
 */
import { Counter, Histogram, Registry } from 'prom-client';

export function createMusicMetrics() {
  const registry = new Registry();
  const processingSeconds = new Histogram({
    name: 'music_file_processing_seconds',
    help: 'Time to read one file: tags, duration, format.',
    labelNames: ['format'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  const files = new Counter({
    name: 'music_files_processed_total',
    help: 'Files read, by result (success, failure) and format.',
    labelNames: ['result', 'format'],
    registers: [registry],
  });
  const bytes = new Counter({
    name: 'music_bytes_processed_total',
    help: 'Bytes of the files read.',
    labelNames: ['format'],
    registers: [registry],
  });
  return { registry, processingSeconds, files, bytes };
}

export type MusicMetrics = ReturnType<typeof createMusicMetrics>;
