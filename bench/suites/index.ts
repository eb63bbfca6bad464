import type { BenchSuite } from '../suite.js';

/** Every suite `npm run bench -- <suite>` knows, loaded lazily so one suite's peers suffice. */
export const suites: Readonly<Record<string, () => Promise<BenchSuite>>> = {
  store: async () => (await import('./store.js')).suite,
  queue: () => import('./queue.js').then((module) => module.queueSuite),
  policies: async () => (await import('./policies.js')).suite,
  shared_limit: async () => (await import('./shared-limit.js')).suite,
  http: async () => (await import('./http.js')).suite,
};
