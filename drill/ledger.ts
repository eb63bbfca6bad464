import { readFileSync } from 'node:fs';

/** What a drill's ledger says: handler starts and applied completions per `stage id`. */
export interface LedgerCounts {
  readonly executions: number;
  readonly commits: ReadonlyMap<string, number>;
  /** Items committed more than once. */
  readonly duplicates: number;
}

export function readLedger(path: string): LedgerCounts {
  let executions = 0;
  const commits = new Map<string, number>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.startsWith('exec ')) executions++;
    else if (line.startsWith('commit ')) {
      const key = line.slice(7);
      commits.set(key, (commits.get(key) ?? 0) + 1);
    }
  }
  let duplicates = 0;
  for (const count of commits.values()) if (count > 1) duplicates++;
  return { executions, commits, duplicates };
}
