import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Option, type Command } from 'commander';
import { openArtifactCache } from '../../cache/index.js';
import { createSqliteCacheIndex, createSqliteStore } from '../../store/index.js';
import { CliError } from '../cli-error.js';
import type { CliIo } from '../io.js';
import { demoPipeline } from '../demo/pipeline.js';
import { startDemoUpstream } from '../demo/upstream.js';
import { resolveRunConfig } from '../run-config.js';
import { runSession } from '../run-session.js';

interface DemoFlags {
  readonly db: string;
  readonly articles: string;
  readonly port: string;
  readonly fresh?: boolean;
  readonly serve: boolean;
  readonly json?: boolean;
}

/**
 * `sluice demo`: the first minute with Sluice. A simulated news site and three image hosts with
 * real faults on loopback, a news-image pipeline on the embedded SQLite default, the dashboard
 * served beside it; breakers open and close, retries wait, the rate limit holds, the cache fills.
 * Ctrl-C stops it gracefully; running it again resumes.
 */
export function registerDemo(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command('demo')
    .description('run a news-image pipeline against a simulated flaky internet, with the dashboard')
    .addOption(new Option('--db <path>', 'SQLite file of the demo').default('.sluice/demo.db'))
    .addOption(new Option('--articles <n>', 'articles to fetch (4 images each)').default('60'))
    .addOption(
      new Option('--port <port>', 'port of the dashboard and API (0: any free one)').default('0'),
    )
    .addOption(new Option('--no-serve', 'do not serve the dashboard'))
    .addOption(new Option('--fresh', 'start over: delete the demo database and cache first'))
    .addOption(new Option('--json', 'print the result as one JSON document'))
    .addHelpText(
      'after',
      `
Press Ctrl-C at any moment and run it again: it resumes where it stopped.

Examples:
  npx sluice demo
  npx sluice demo --fresh --articles 200 --port 8080`,
    )
    .action(async (flags: DemoFlags) => {
      const articles = Number(flags.articles);
      if (!Number.isInteger(articles) || articles < 1 || articles > 100_000) {
        throw new CliError(
          'SLUICE_BAD_CONFIG',
          `--articles must be an integer in [1, 100000], got ${JSON.stringify(flags.articles)}`,
        );
      }
      const config = resolveRunConfig(
        {
          db: flags.db,
          serve: flags.serve,
          port: flags.port,
          logLevel: 'silent',
          shutdownDeadlineMs: 3_000,
        },
        {},
        { values: {}, file: undefined },
      );
      const cacheDir = join(dirname(config.db), 'demo-cache');
      if (flags.fresh) {
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${config.db}${suffix}`, { force: true });
        rmSync(cacheDir, { recursive: true, force: true });
      }
      mkdirSync(dirname(config.db), { recursive: true });
      const upstream = await startDemoUpstream();
      const store = await createSqliteStore({ path: config.db });
      const index = await createSqliteCacheIndex({ path: config.db, cache: 'demo' });
      const cache = await openArtifactCache({ dir: cacheDir, index, cleanupIntervalMs: 0 });
      try {
        const existing = await store.getRun('demo');
        io.stdout(
          existing
            ? `Resuming the demo run (${config.db}).\n`
            : `Sluice demo: ${articles} articles from a simulated news site, ${articles * 4} images from three hosts:\n` +
                '  img-a answers 503 in bursts, img-b sends slow bodies, img-c is down from 2 s to 10 s\n' +
                '  (its breaker opens, then closes again), the news site answers 429 with Retry-After.\n',
        );
        io.stdout('Press Ctrl-C to stop gracefully; run `npx sluice demo` again to resume.\n\n');
        const result = await runSession({
          io,
          store,
          pipeline: demoPipeline({ upstream, cache }),
          config,
          json: flags.json === true,
          keepServing: process.stdin.isTTY === true && process.env.CI !== 'true',
          afterRun: async () => {
            const stats = await index.stats(Date.now());
            if (!flags.json) {
              io.stdout(
                [
                  '',
                  `Upstream requests: ${Object.entries(upstream.requests)
                    .map(([h, n]) => `${h} ${n}`)
                    .join(', ')}.`,
                  `Cache: ${stats.entries} images in ${stats.files} distinct files (content-addressed), ${(stats.bytes / 1024).toFixed(1)} KiB in ${cacheDir}.`,
                  `State: ${config.db} (SQLite). Next:`,
                  `  npx sluice status demo --db ${config.db}`,
                  `  npx sluice dlq list demo --db ${config.db}`,
                  `  npx sluice cache stats --db ${config.db} --dir ${cacheDir} --cache demo`,
                  `  npx sluice serve --db ${config.db} --no-auth   # the API and dashboard over the state`,
                  '',
                ].join('\n'),
              );
            }
          },
          run: {
            runId: 'demo',
            seed: Array.from({ length: articles }, (_, n) => ({ id: `article-${n}`, input: n })),
          },
        });
        exit(result.exitCode);
      } finally {
        await cache.close();
        await index.close();
        await store.close();
        await upstream.close();
      }
    });
}
