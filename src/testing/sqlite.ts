import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempSqlite {
  readonly dir: string;
  /** A database path inside `dir` that does not exist yet. */
  readonly path: string;
  /** Removes the directory and everything in it (WAL and SHM files included). */
  cleanup(): void;
}

/** A fresh temp directory holding one not-yet-created SQLite file, isolated per caller. */
export function createTempSqlite(name = 'sluice.db'): TempSqlite {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-test-'));
  return {
    dir,
    path: join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
