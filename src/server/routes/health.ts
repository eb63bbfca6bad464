/**
 * Why: orchestrators ask two different questions. Liveness, "is the process stuck?", must not
 * depend on anything outside it, or a database blip gets every worker restarted at once: it is
 * 200 whenever the server can answer at all. Readiness, "send it work?", is the merged verdict
 * (readiness.ts) as application/health+json: 200 for pass and warn, 503 for fail.
 */
import { healthHttpStatus, healthJsonContentType, toHealthJson } from '../../observe/index.js';
import { parseInput } from '../parse-input.js';
import { readiness, type ReadinessSources } from '../readiness.js';
import { noQuery } from '../request-schemas.js';
import type { FastifyInstance } from 'fastify';

export function healthRoutes(app: FastifyInstance, sources: ReadinessSources): void {
  app.get('/health/live', (request, reply) => {
    parseInput(noQuery, request.query, 'query');
    return reply
      .code(200)
      .header('content-type', healthJsonContentType)
      .header('cache-control', 'no-store')
      .send({ status: 'pass' });
  });

  app.get('/health/ready', async (request, reply) => {
    parseInput(noQuery, request.query, 'query');
    const report = await readiness(sources);
    return reply
      .code(healthHttpStatus(report.status))
      .header('content-type', healthJsonContentType)
      .header('cache-control', 'no-store')
      .send(toHealthJson(report, { serviceId: 'sluice' }));
  });
}
