import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/index.js';

/** What every route module is given: the app (or a scope of it) and the server's parts. */
export interface RouteContext {
  readonly app: FastifyInstance;
  readonly store: Store;
  /** Wall clock in ms, for store writes and ETAs. */
  readonly now: () => number;
}
