/**
 * Why: clients (the dashboard, scripts, generated SDKs) need the API's exact shape, and a
 * hand-written document drifts. This one is generated from the route list itself: the same zod
 * schemas that check each request's path parameters, query and body become its parameters and
 * request body (as accepted on the wire: `io: 'input'`), and every POST is marked admin-only.
 */
import { z } from 'zod';
import { scopeOf, type RouteSpec } from './route-spec.js';

export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  /** The prefix routes are served under, e.g. /api/v1. */
  readonly basePath: string;
}

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType): JsonSchema => {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
};

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/** fastify's `/runs/:runId` as OpenAPI's `/runs/{runId}`. */
export const openApiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

export function openApiDocument(routes: readonly RouteSpec[], info: OpenApiInfo): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', route.params],
      ['query', route.query],
    ] as const) {
      if (schema === undefined) continue;
      const json = toSchema(schema);
      const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((json.required ?? []) as string[]);
      for (const [name, property] of Object.entries(properties)) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || required.has(name),
          schema: property,
        });
      }
    }
    const admin = scopeOf(route) === 'admin';
    const operation: Record<string, unknown> = {
      summary: route.summary,
      operationId: operationId(route),
      'x-sluice-scope': scopeOf(route),
      ...(route.replaces === undefined ? {} : { 'x-sluice-replaces': route.replaces }),
      ...(parameters.length === 0 ? {} : { parameters }),
      ...(route.body === undefined
        ? {}
        : {
            requestBody: {
              required: false,
              content: { 'application/json': { schema: toSchema(route.body) } },
            },
          }),
      responses: {
        '200': {
          description: 'OK',
          content: { 'application/json': { schema: { type: 'object' } } },
        },
        '400': errorResponse('A parameter, query or body field is invalid (error.field names it)'),
        '401': errorResponse('No valid bearer token'),
        ...(admin ? { '403': errorResponse('The token is not admin') } : {}),
        '404': errorResponse('The run, stage, item, service or queue does not exist'),
        '429': errorResponse('Over the per-client or per-token limit (see Retry-After)'),
      },
    };
    const path = `${info.basePath}${openApiPath(route.url)}`;
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version },
    paths,
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                field: { type: 'string' },
              },
            },
          },
        },
      },
    },
  };
}

function operationId(route: RouteSpec): string {
  const words = route.url
    .split('/')
    .filter((part) => part.length > 0)
    .map((part) => (part.startsWith(':') ? `by-${part.slice(1)}` : part))
    .join('-')
    .split(/[-_]/)
    .map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1)));
  return `${route.method.toLowerCase()}${words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}`;
}
