import { afterAll, beforeAll, expect, it } from 'vitest';
import { populatedStore, testServer, type PopulatedStore } from '../../test/support/server-run.js';
import { describeSqlite } from '../testing/vitest/index.js';
import type { SluiceServer } from './create-server.js';
import { openApiPath } from './openapi.js';
import { apiPrefix, apiRouteList } from './routes/api.js';

type Operation = {
  parameters?: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
  requestBody?: { content: { 'application/json': { schema: Record<string, unknown> } } };
  responses: Record<string, unknown>;
  'x-sluice-scope': string;
};
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

describeSqlite('server: the OpenAPI document', (sqlite) => {
  let fixture: PopulatedStore;
  let server: SluiceServer;
  let doc: Document;
  beforeAll(async () => {
    fixture = await populatedStore(sqlite().path);
    server = testServer(fixture.store);
    const response = await server.app.inject({ url: `${apiPrefix}/openapi.json` });
    expect(response.statusCode).toBe(200);
    doc = response.json<Document>();
  });
  afterAll(async () => {
    await server.close();
    await fixture.store.close();
  });
  const routes = apiRouteList({
    store: undefined as never,
    now: Date.now,
    breakers: undefined,
    workers: undefined,
  });

  it('is OpenAPI 3.1, served without a token, one operation per route and no other', () => {
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const registered = routes.map((r) => `${r.method} ${apiPrefix}${openApiPath(r.url)}`);
    expect(documented.sort()).toEqual(registered.sort());
  });

  it('documents every path parameter, query parameter and body field the schemas accept', () => {
    for (const route of routes) {
      const op = doc.paths[`${apiPrefix}${openApiPath(route.url)}`]![route.method.toLowerCase()]!;
      const params = op.parameters ?? [];
      for (const name of Object.keys(route.params?.shape ?? {})) {
        expect(params).toContainEqual(
          expect.objectContaining({ name, in: 'path', required: true }),
        );
      }
      for (const name of Object.keys(route.query?.shape ?? {})) {
        expect(params).toContainEqual(expect.objectContaining({ name, in: 'query' }));
      }
      const body = op.requestBody?.content['application/json'].schema;
      expect(Object.keys((body?.properties ?? {})).sort()).toEqual(
        Object.keys(route.body?.shape ?? {}).sort(),
      );
      expect(op['x-sluice-scope']).toBe(route.method === 'GET' ? 'read' : 'admin');
      if (route.method === 'POST') expect(op.responses['403']).toBeDefined();
    }
  });

  it('carries the expectations of the input schemas (enums, patterns)', () => {
    const runs = doc.paths[`${apiPrefix}/runs`]!.get!;
    const status = runs.parameters!.find((p) => p.name === 'status')!;
    expect(status.schema.enum).toEqual(expect.arrayContaining(['running', 'completed']));
    const limit = runs.parameters!.find((p) => p.name === 'limit')!;
    expect(limit.schema).toMatchObject({ type: 'string', pattern: expect.any(String) as string });
  });

  it('matches the server: every documented path answers from a route, not the 404 handler', async () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        const url = path.replace(/\{([A-Za-z]+)\}/g, 'x');
        const response = await server.app.inject({ method: method.toUpperCase() as 'GET', url });
        // 401: the route exists and asked for a token; the 404 handler would say "no route".
        expect(response.statusCode).toBe(401);
      }
    }
  });
});
