import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import {
  createSqliteStore,
  refuseForeignOrNewer,
  sqliteMigrations,
  type Store,
} from '../store/index.js';
import { CliError } from './cli-error.js';

/**
 * Opens the Sluice database an operator verb works on, which must already exist: these verbs
 * inspect or repair runs, so they never create a database or migrate one (opening a store
 * normally does both). A missing or empty file and an older schema get a CliError saying what
 * to run; a foreign, newer or corrupt file gets the store's own SchemaError, raised by the
 * store's own migration check on a read-only connection, so nothing is written to it.
 */
export async function openExistingStore(path: string): Promise<Store> {
  if (isPostgresUrl(path)) return openExistingPostgres(path);
  checkExistingDatabase(path);
  // The verbs write little (a retry, a cancel): SQLite's own checkpoint, no thread for it.
  return createSqliteStore({ path, checkpoint: 'inline' });
}

/**
 * The checks openExistingStore makes before it opens anything, for verbs that open the database
 * through something other than the Store (`sluice cache` opens its CacheIndex).
 */
export function checkExistingDatabase(path: string): void {
  if (!statSync(path, { throwIfNoEntry: false })?.isFile()) throw noDatabase(path);
  checkSchema(path);
}

/** Opens the database, runs `use`, and closes it whatever happens. */
export async function withExistingStore<T>(
  path: string,
  use: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openExistingStore(path);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

function checkSchema(path: string): void {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch {
    return; // cannot be read at all: createSqliteStore refuses it with its SchemaError
  }
  try {
    let tables: string[];
    try {
      tables = db
        .prepare(`SELECT name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'`)
        .pluck()
        .all() as string[];
    } catch {
      return; // not a database, or a damaged header: likewise left to the store's refusal
    }
    if (tables.length === 0) throw noDatabase(path);
    if (tables.includes('sluice_migrations')) {
      const version = db.prepare('SELECT max(version) FROM sluice_migrations').pluck().get() as
        number | null;
      if ((version ?? 0) < sqliteMigrations.length) {
        throw new CliError(
          'SLUICE_SCHEMA_OUTDATED',
          `${path} has schema version ${version ?? 0}, older than this Sluice's ${sqliteMigrations.length}; run \`sluice migrate --db ${path}\` to upgrade it first`,
        );
      }
    }
    // A foreign or newer file gets the store's own SchemaError, from the store's own check,
    // which only reads (and the connection is read-only besides).
    refuseForeignOrNewer(db);
  } finally {
    db.close();
  }
}

/** Whether `--db` names a PostgreSQL database (`postgres://...?schema=sluice`) and not a file. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

/**
 * The URL without its `schema` query parameter, and that schema (default `sluice`): the one
 * place a CLI user names the schema, since `--db` is the only way to point a verb somewhere.
 */
export function splitPostgresUrl(db: string): { url: string; schema: string } {
  let parsed: URL;
  try {
    parsed = new URL(db);
  } catch {
    return { url: db, schema: 'sluice' };
  }
  const schema = parsed.searchParams.get('schema') ?? 'sluice';
  parsed.searchParams.delete('schema');
  return { url: parsed.toString(), schema };
}

/**
 * The PostgreSQL counterpart of the file checks: the schema must already hold a Sluice schema
 * of this version (read first, on a plain connection; nothing is created or migrated).
 */
async function openExistingPostgres(db: string): Promise<Store> {
  const { createPostgresStore, maskUrl, quoteSchema } = await import('../store/postgres/index.js');
  const { url, schema } = splitPostgresUrl(db);
  const where = `${maskUrl(url)} (schema ${schema})`;
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: url });
  let version: number | null;
  try {
    await client.connect();
    const { rows } = await client.query<{ present: string | null }>(
      `SELECT to_regclass($1) AS present`,
      [`${quoteSchema(schema)}.sluice_migrations`],
    );
    version =
      rows[0]?.present == null
        ? null
        : ((
            await client.query<{ v: number | null }>(
              `SELECT max(version) AS v FROM ${quoteSchema(schema)}.sluice_migrations`,
            )
          ).rows[0]?.v ?? 0);
  } catch (error) {
    await client.end().catch(() => undefined);
    // Unreachable or refused: opening the store fails with its own error, which names the URL
    // (password masked) and the cause. Should it open after all, the first error stands.
    const store = await createPostgresStore({ url, schema, poolSize: 1, notify: false });
    await store.close();
    throw error;
  }
  await client.end();
  if (version === null) {
    throw new CliError(
      'SLUICE_NO_DATABASE',
      `no Sluice schema at ${where}; run a pipeline on it first (?schema= in --db picks the schema)`,
    );
  }
  const { postgresMigrations } = await import('../store/postgres/index.js');
  if (version < postgresMigrations.length) {
    throw new CliError(
      'SLUICE_SCHEMA_OUTDATED',
      `${where} has schema version ${version}, older than this Sluice's ${postgresMigrations.length}; start a worker of this version on it to upgrade it first`,
    );
  }
  // A newer schema is refused by the store's own migration check, untouched.
  return createPostgresStore({ url, schema, poolSize: 2, notify: false });
}

function noDatabase(path: string): CliError {
  return new CliError(
    'SLUICE_NO_DATABASE',
    `no Sluice database at ${path}; run \`sluice migrate --db ${path}\` or a pipeline first (--db or SLUICE_DB picks the file)`,
  );
}
