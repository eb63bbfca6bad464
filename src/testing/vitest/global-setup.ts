import type { TestProject } from 'vitest/node';
import { probeService, unreachableMessage } from '../services.js';
import { providedKey } from './provided.js';

/**
 * Vitest globalSetup: probes PostgreSQL and Redis once per run. With SLUICE_REQUIRE_SERVICES=1
 * a service that is down fails the whole run at once, naming its URL and how to start it;
 * otherwise its suites are skipped and the reporter prints one line per service.
 */
export default async function setup(project: TestProject): Promise<void> {
  const [postgres, redis] = await Promise.all([probeService('postgres'), probeService('redis')]);
  const down = [postgres, redis].filter((status) => status.problem !== null);
  if (down.length > 0 && process.env.SLUICE_REQUIRE_SERVICES === '1') {
    throw new Error(
      `SLUICE_REQUIRE_SERVICES=1 but ${down.map(unreachableMessage).join(' Also: ')}`,
    );
  }
  project.provide(providedKey, { postgres, redis });
}
