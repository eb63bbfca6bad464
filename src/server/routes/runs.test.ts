import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  bearer,
  populatedStore,
  testServer,
  type PopulatedStore,
} from '../../../test/support/server-run.js';
import { getRunStatus } from '../../runtime/index.js';
import type { RunRecord, Store } from '../../store/index.js';
import { describeSqlite } from '../../testing/vitest/index.js';
import type { SluiceServer } from '../create-server.js';
import type { ErrorEnvelope } from '../errors.js';
import type { PageView, RunStatusView, RunView } from '../views.js';

const fixedNow = Date.parse('2030-01-01T00:00:00Z');

function api(server: SluiceServer) {
  return {
    get: (url: string) => server.app.inject({ method: 'GET', url, headers: bearer }),
    post: (url: string, body?: unknown) =>
      server.app.inject({
        method: 'POST',
        url,
        headers: bearer,
        ...(body === undefined ? {} : { payload: body as object }),
      }),
  };
}

const errorOf = (response: { json: <T>() => T }) => response.json<ErrorEnvelope>().error;

/** What a run looks like in the store and, apart from the summary, in the API. */
const stripSummary = ({ summary, ...rest }: RunRecord) => ({
  ...rest,
  hasSummary: summary !== undefined,
});

describeSqlite('server: GET /api/v1/runs...', (sqlite) => {
  let fixture: PopulatedStore;
  let store: Store;
  let server: SluiceServer;
  let http: ReturnType<typeof api>;
  beforeAll(async () => {
    fixture = await populatedStore(sqlite().path);
    store = fixture.store;
    server = testServer(store, { now: () => fixedNow });
    http = api(server);
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });

  it('lists the runs as the store does, newest first, with filters', async () => {
    const all = await http.get('/api/v1/runs');
    expect(all.statusCode).toBe(200);
    const stored = await store.listRuns();
    expect(all.json()).toEqual({ items: stored.items.map(stripSummary), next: null });

    const completed = await http.get('/api/v1/runs?status=completed&pipeline=srv');
    expect(completed.json<PageView<RunView>>().items.map((r) => r.id)).toEqual(
      (await store.listRuns({ status: 'completed', pipeline: 'srv' })).items.map((r) => r.id),
    );
    const none = await http.get('/api/v1/runs?pipeline=other');
    expect(none.json()).toEqual({ items: [], next: null });
  });

  it("pages with limit and the store's cursor until next is null", async () => {
    const seen: string[] = [];
    let url = '/api/v1/runs?limit=1';
    for (;;) {
      const page = (await http.get(url)).json<PageView<RunView>>();
      expect(page.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.items.map((r) => r.id));
      if (page.next === null) break;
      url = `/api/v1/runs?limit=1&cursor=${encodeURIComponent(page.next)}`;
    }
    expect(seen).toEqual((await store.listRuns()).items.map((r) => r.id));
  });

  it('refuses bad filters and pages with a 400 naming the query parameter', async () => {
    const cases: [string, string, RegExp][] = [
      [
        'status=done',
        'status',
        /^status must be one of "running", "completed", "failed", "cancelled", got "done"$/,
      ],
      ['limit=0', 'limit', /^limit must be an integer in \[1, 1000\], got "0"$/],
      ['limit=1001', 'limit', /^limit must be an integer in \[1, 1000\]/],
      ['limit=ten', 'limit', /^limit must be an integer in \[1, 1000\], got "ten"$/],
      ['limit=1&limit=2', 'limit', /^limit must be an integer in \[1, 1000\], got \["1","2"\]$/],
      ['cursor=not-a-cursor', 'cursor', /^cursor must be the `next` cursor of a previous page/],
      ['pipeline=', 'pipeline', /^pipeline must be a non-empty string/],
      [
        'state=dead',
        'state',
        /^state must be absent \(known query parameters: pipeline, status, limit, cursor\)/,
      ],
    ];
    for (const [query, field, message] of cases) {
      const response = await http.get(`/api/v1/runs?${query}`);
      expect(response.statusCode, query).toBe(400);
      const error = errorOf(response);
      expect(error.code).toBe('invalid_request');
      expect(error.field, query).toBe(field);
      expect(error.message, query).toMatch(message);
    }
  });

  it("shows one run with getRunStatus's counts, throughput, ETA and last checkpoint", async () => {
    const response = await http.get(`/api/v1/runs/${fixture.runId}`);
    expect(response.statusCode).toBe(200);
    const body = response.json<{ run: RunView; status: RunStatusView }>();
    const report = await getRunStatus(store, fixture.runId, fixedNow);
    expect(body.run).toEqual(stripSummary(report.run));
    expect(body.status).toEqual({
      counts: await store.counts(fixture.runId),
      finished: report.finished,
      open: report.open,
      dead: report.dead,
      throughputPerSecond: report.throughputPerSecond ?? null,
      etaSeconds: report.etaSeconds ?? null,
      lastCheckpointAt: report.lastCheckpointAt ?? null,
    });
    const progress = await store.getCheckpoint(fixture.runId, 'progress');
    expect(body.status.lastCheckpointAt).toBe((progress?.state as { at: number }).at);
    expect(body.status.dead).toBe((await store.deadLetters({ runId: fixture.runId })).items.length);
  });

  it('serves the stored summary, and 404s with a clear message while there is none', async () => {
    const response = await http.get(`/api/v1/runs/${fixture.runId}/summary`);
    expect(response.statusCode).toBe(200);
    const stored = (await store.getRun(fixture.runId))?.summary;
    expect(stored).toBeDefined();
    expect(response.json()).toEqual({ runId: fixture.runId, summary: stored });

    const fresh = await http.get(`/api/v1/runs/${fixture.freshRunId}/summary`);
    expect(fresh.statusCode).toBe(404);
    expect(errorOf(fresh)).toEqual({
      code: 'not_found',
      message: expect.stringMatching(/^run "srv-fresh" has no summary yet/) as string,
    });
  });

  it('answers 404 naming runId for a run that does not exist, on every run route', async () => {
    for (const [method, path] of [
      ['GET', ''],
      ['GET', '/summary'],
      ['GET', '/items'],
      ['GET', '/items/fetch/n1'],
      ['GET', '/dead-letters'],
      ['POST', '/dead-letters/retry'],
      ['POST', '/retry-failed'],
      ['POST', '/cancel'],
    ] as const) {
      const url = `/api/v1/runs/no-such-run${path}`;
      const response = method === 'GET' ? await http.get(url) : await http.post(url, {});
      expect(response.statusCode, url).toBe(404);
      expect(errorOf(response), url).toEqual({
        code: 'not_found',
        message: 'no run "no-such-run"',
        field: 'runId',
      });
    }
  });

  it('answers unknown routes and methods with a JSON 404, no stack', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/nothing'],
      ['DELETE', `/api/v1/runs/${fixture.runId}`],
      ['GET', '/'],
    ] as const) {
      const response = await server.app.inject({ method, url, headers: bearer });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(errorOf(response)).toEqual({
        code: 'not_found',
        message: `no route ${method} ${url}`,
      });
    }
  });
});

describeSqlite('server: run actions (cancel, retry-failed)', (sqlite) => {
  let fixture: PopulatedStore;
  let store: Store;
  let server: SluiceServer;
  let http: ReturnType<typeof api>;
  beforeAll(async () => {
    fixture = await populatedStore(sqlite().path);
    store = fixture.store;
    server = testServer(store, { now: () => fixedNow });
    http = api(server);
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });

  /** Everything a refused request must leave as it was. */
  const snapshot = async () => ({
    runs: (await store.listRuns()).items,
    counts: [await store.counts(fixture.runId), await store.counts(fixture.freshRunId)],
    dead: (await store.deadLetters({ runId: fixture.runId, includeRetried: true })).items,
  });

  it('refuses bad bodies and impossible actions, changing nothing', async () => {
    const before = await snapshot();
    const run = `/api/v1/runs/${fixture.runId}`;
    const refusals: [string, unknown, number, string | undefined][] = [
      [`${run}/retry-failed`, { stage: 'nope' }, 400, 'stage'],
      [`${run}/retry-failed`, { stage: 7 }, 400, 'stage'],
      [`${run}/retry-failed`, { all: true }, 400, 'all'],
      [`${run}/retry-failed`, [], 400, 'body'],
      [`${run}/cancel`, { force: true }, 400, 'force'],
      // A completed run cannot be cancelled.
      [`${run}/cancel`, {}, 409, 'runId'],
    ];
    for (const [url, body, status, field] of refusals) {
      const response = await http.post(url, body);
      expect(response.statusCode, `${url} ${JSON.stringify(body)}`).toBe(status);
      expect(errorOf(response).field).toBe(field);
    }
    const malformed = await server.app.inject({
      method: 'POST',
      url: `${run}/retry-failed`,
      headers: { ...bearer, 'content-type': 'application/json' },
      payload: '{"stage": "fetch"',
    });
    expect(malformed.statusCode).toBe(400);
    expect(errorOf(malformed)).toEqual({
      code: 'invalid_request',
      message: 'body must be valid JSON (without __proto__ or constructor.prototype keys)',
      field: 'body',
    });
    const text = await server.app.inject({
      method: 'POST',
      url: `${run}/retry-failed`,
      headers: { ...bearer, 'content-type': 'text/plain' },
      payload: 'stage=fetch',
    });
    expect(text.statusCode).toBe(415);
    expect(errorOf(text).code).toBe('unsupported_media_type');
    expect(await snapshot()).toEqual(before);
  });

  it('retry-failed sends the dead items of a stage back to pending and says how many', async () => {
    const dead = (await store.counts(fixture.runId)).fetch!.dead;
    expect(dead).toBeGreaterThan(0);
    const response = await http.post(`/api/v1/runs/${fixture.runId}/retry-failed`, {
      stage: 'fetch',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ runId: fixture.runId, reset: dead });
    const counts = (await store.counts(fixture.runId)).fetch!;
    expect(counts).toMatchObject({ dead: 0, pending: dead });
  });

  it('cancel skips the pending items of a run, and the run then refuses retries', async () => {
    const pending = (await store.counts(fixture.freshRunId)).fetch!.pending;
    const response = await http.post(`/api/v1/runs/${fixture.freshRunId}/cancel`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      runId: fixture.freshRunId,
      status: 'cancelled',
      skipped: pending,
    });
    expect((await store.getRun(fixture.freshRunId))?.status).toBe('cancelled');
    expect((await store.counts(fixture.freshRunId)).fetch).toMatchObject({
      pending: 0,
      skipped: pending,
    });

    const again = await http.post(`/api/v1/runs/${fixture.freshRunId}/cancel`);
    expect(again.json()).toMatchObject({ skipped: 0 });
    const retry = await http.post(`/api/v1/runs/${fixture.freshRunId}/retry-failed`);
    expect(retry.statusCode).toBe(409);
    expect(errorOf(retry)).toEqual({
      code: 'conflict',
      message: 'run "srv-fresh" is cancelled: cannot retry its failed items',
      field: 'runId',
    });
  });
});
