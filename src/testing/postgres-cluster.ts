import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian keeps initdb and pg_ctl (newest version first), or undefined. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((dir) => existsSync(join(dir, 'pg_ctl')));
}

/** uid/gid of the `postgres` account: initdb refuses to run as root. */
function postgresAccount(): { uid: number; gid: number } | undefined {
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Why an owned cluster cannot be started here, or undefined. */
export function ownedPostgresUnavailable(): string | undefined {
  if (postgresBinDir() === undefined)
    return 'no PostgreSQL server binaries under /usr/lib/postgresql';
  if (process.getuid?.() === 0 && postgresAccount() === undefined) {
    return 'running as root without a postgres account to run initdb as';
  }
  return undefined;
}

/**
 * A PostgreSQL cluster owned by one test or drill: initdb in a temp directory, trust auth, on a
 * port of its choosing, so it can be restarted with `-m immediate` (a crash, as far as clients
 * can tell) without touching the shared server. Runs as the `postgres` account when we are root.
 */
export class OwnedPostgresCluster {
  readonly dir: string;
  readonly #bin: string;
  readonly #account: { uid: number; gid: number } | undefined;

  constructor(readonly port: number) {
    const bin = postgresBinDir();
    if (bin === undefined)
      throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
    this.#bin = bin;
    this.#account = process.getuid?.() === 0 ? postgresAccount() : undefined;
    this.dir = mkdtempSync(join(tmpdir(), 'sluice-pg-'));
    if (this.#account) {
      chownSync(this.dir, this.#account.uid, this.#account.gid);
      chmodSync(this.dir, 0o700);
    }
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  #run(tool: string, args: readonly string[]): void {
    execFileSync(join(this.#bin, tool), args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      ...(this.#account ? { uid: this.#account.uid, gid: this.#account.gid } : {}),
      env: { ...process.env, LC_ALL: 'C' },
    });
  }

  /** initdb (trust auth, user postgres) and start; resolves once it accepts connections. */
  init(): void {
    this.#run('initdb', [
      '-D',
      join(this.dir, 'data'),
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
    ]);
    this.start();
  }

  start(): void {
    this.#run('pg_ctl', [
      '-D',
      join(this.dir, 'data'),
      '-w',
      '-l',
      join(this.dir, 'log'),
      '-o',
      this.#options(),
      'start',
    ]);
  }

  /** `pg_ctl restart -m immediate`: every connection dies, no checkpoint; crash recovery on start. */
  restartImmediate(): void {
    this.#run('pg_ctl', [
      '-D',
      join(this.dir, 'data'),
      '-w',
      '-m',
      'immediate',
      '-l',
      join(this.dir, 'log'),
      '-o',
      this.#options(),
      'restart',
    ]);
  }

  stop(): void {
    try {
      this.#run('pg_ctl', ['-D', join(this.dir, 'data'), '-w', '-m', 'immediate', 'stop']);
    } catch {
      // already stopped
    }
  }

  /** Stops it and removes its directory. */
  destroy(): void {
    this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  #options(): string {
    // Its socket in its own directory: the shared server's /var/run/postgresql is left alone.
    return `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${this.dir} -c fsync=off`;
  }
}
