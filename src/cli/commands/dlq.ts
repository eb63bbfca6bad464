import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { registerDlqList } from './dlq-list.js';
import { registerDlqRetry } from './dlq-retry.js';

/** `sluice dlq list|retry`: the dead letters of a run, and sending them back to pending. */
export function registerDlq(program: Command, io: CliIo): void {
  const dlq = program
    .command('dlq')
    .description('dead letters: items that failed for good (list, retry)');
  registerDlqList(dlq, io);
  registerDlqRetry(dlq, io);
}
