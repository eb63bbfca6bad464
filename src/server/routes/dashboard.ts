/**
 * Why: operators want to watch and steer a run from a browser without installing anything. The
 * dashboard is three static files (src/server/dashboard: HTML, one ES module, one stylesheet)
 * that call /api/v1 with the operator's token; they hold no data, so they are served without
 * a token, read once at start, under the same CSP as the API (no inline script or style).
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../errors.js';

export const dashboardPath = '/dashboard/';

const files: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
};

export function dashboardRoutes(app: FastifyInstance): void {
  const folder = new URL('../dashboard/', import.meta.url);
  const bodies = new Map(
    Object.keys(files).map((name) => [name, readFileSync(new URL(name, folder))]),
  );
  const send = (name: string) => ({ type: files[name]!, body: bodies.get(name)! });
  app.get('/dashboard', (_request, reply) => reply.redirect(dashboardPath, 302));
  app.get(dashboardPath, (_request, reply) => {
    const { type, body } = send('index.html');
    return reply.type(type).send(body);
  });
  app.get<{ Params: { file: string } }>(`${dashboardPath}:file`, (request, reply) => {
    const name = request.params.file;
    if (!Object.hasOwn(files, name)) throw notFound('dashboard file', 'file', name);
    const { type, body } = send(name);
    return reply.type(type).send(body);
  });
}
