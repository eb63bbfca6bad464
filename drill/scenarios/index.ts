import type { DrillScenario } from '../scenario.js';
import { gracefulSigterm } from './graceful-sigterm.js';
import { redisOutage } from './redis-outage.js';
import { sigkillSqlite } from './sigkill-sqlite.js';

/** Every scenario `npm run drill` knows, in the order a bare `npm run drill` runs them. */
export const scenarios: readonly DrillScenario[] = [sigkillSqlite, gracefulSigterm, redisOutage];
