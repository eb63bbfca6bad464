import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * One numbered SQL migration (graphile-worker style): `NNNN_name.sql`, applied in order, each
 * in its own transaction, recorded in the backend's version table.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const fileName = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads the migrations of one backend folder; numbering must run 1, 2, 3... without gaps. */
export function loadMigrations(dir: URL): readonly Migration[] {
  const path = fileURLToPath(dir);
  const migrations = readdirSync(path)
    .map((file) => ({ file, match: fileName.exec(file) }))
    .filter((entry) => entry.match !== null)
    .map(({ file, match }) => ({
      version: Number(match![1]),
      name: match![2]!,
      sql: readFileSync(`${path}/${file}`, 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `migrations in ${path} must be numbered 0001, 0002, ... without gaps; found ${migration.version} at position ${index + 1}`,
      );
    }
  });
  return Object.freeze(migrations.map((m) => Object.freeze(m)));
}
