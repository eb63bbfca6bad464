import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** A lease owner ID unique to this process: readable in the API, never reused after a restart. */
export function createWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}
