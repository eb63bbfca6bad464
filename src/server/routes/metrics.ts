/**
 * Why: Prometheus scrapes GET /metrics in its text exposition format, with prom-client's
 * content type (the format version is in it). One registry is served as is; several (workers of
 * one host reporting through one endpoint) are merged as src/observe's mergeMetrics does:
 * counters and histograms summed, gauges by their catalog aggregator. Not behind the API token:
 * scrapers are configured per target, and the figures carry no payloads.
 */
import type { Registry } from 'prom-client';
import { mergeMetrics } from '../../observe/index.js';
import { ApiError } from '../errors.js';
import { parseInput } from '../parse-input.js';
import { noQuery } from '../request-schemas.js';
import type { FastifyInstance } from 'fastify';

export function metricsRoutes(app: FastifyInstance, registries: readonly Registry[]): void {
  app.get('/metrics', async (request, reply) => {
    parseInput(noQuery, request.query, 'query');
    const [first] = registries;
    if (first === undefined) {
      throw new ApiError(404, 'not_found', 'metrics are not enabled on this server');
    }
    const registry = registries.length === 1 ? first : await mergeMetrics(registries);
    return reply
      .code(200)
      .header('content-type', first.contentType)
      .header('cache-control', 'no-store')
      .send(await registry.metrics());
  });
}
