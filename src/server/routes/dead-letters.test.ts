import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  bearer,
  populatedStore,
  testServer,
  type PopulatedStore,
} from '../../../test/support/server-run.js';
import type { DeadLetterRecord, Store } from '../../store/index.js';
import { describeSqlite } from '../../testing/vitest/index.js';
import type { SluiceServer } from '../create-server.js';
import type { ErrorEnvelope } from '../errors.js';
import type { PageView } from '../views.js';

describeSqlite('server: dead letters', (sqlite) => {
  let fixture: PopulatedStore;
  let store: Store;
  let server: SluiceServer;
  let runId: string;
  beforeAll(async () => {
    fixture = await populatedStore(sqlite().path);
    store = fixture.store;
    runId = fixture.runId;
    server = testServer(store);
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });

  const get = (url: string) => server.app.inject({ method: 'GET', url, headers: bearer });
  const retry = (body?: unknown, headers: Record<string, string> = {}) =>
    server.app.inject({
      method: 'POST',
      url: `/api/v1/runs/${runId}/dead-letters/retry`,
      headers: { ...bearer, ...headers },
      ...(body === undefined ? {} : { payload: body as string }),
    });
  const errorOf = (response: { json: <T>() => T }) => response.json<ErrorEnvelope>().error;
  const state = async () => ({
    counts: await store.counts(runId),
    dead: (await store.deadLetters({ runId, includeRetried: true })).items,
    items: (await store.listItems({ runId }, { limit: 1000 })).items,
  });

  it('lists dead letters as the store does, by stage and category', async () => {
    const all = await get(`/api/v1/runs/${runId}/dead-letters`);
    expect(all.statusCode).toBe(200);
    const stored = await store.deadLetters({ runId });
    expect(stored.items).toHaveLength((await store.counts(runId)).fetch!.dead);
    expect(all.json()).toEqual({ items: stored.items, next: null });

    const recoverable = await get(
      `/api/v1/runs/${runId}/dead-letters?stage=fetch&category=recoverable`,
    );
    const expected = await store.deadLetters({ runId, stage: 'fetch', category: 'recoverable' });
    expect(expected.items.length).toBeGreaterThan(0);
    expect(expected.items.length).toBeLessThan(stored.items.length);
    expect(recoverable.json()).toEqual({ items: expected.items, next: null });
  });

  it('refuses a bad body or query, naming the field, and changes nothing', async () => {
    const before = await state();
    const refusals: [unknown, Record<string, string>, number, string, RegExp][] = [
      [
        { category: 'fatal' },
        {},
        400,
        'category',
        /^category must be one of "recoverable", "rate_limited", "non_recoverable", "degraded", got "fatal"$/,
      ],
      [{ ids: 'n2' }, {}, 400, 'ids', /^ids must be a list of 1 to 1000 item IDs, got "n2"$/],
      [{ ids: [] }, {}, 400, 'ids', /^ids must be a list of 1 to 1000 item IDs, got \[\]$/],
      [{ ids: ['n2', ''] }, {}, 400, 'ids[1]', /^ids\[1\] must be a non-empty string/],
      [
        { stage: 'fetchh' },
        {},
        400,
        'stage',
        /^stage must be a stage of the run: one of "fetch", "store"/,
      ],
      [
        { stage: 'fetch', categories: ['recoverable'] },
        {},
        400,
        'categories',
        /^categories must be absent \(known body fields: stage, category, ids\)/,
      ],
      [
        '"everything"',
        { 'content-type': 'application/json' },
        400,
        'body',
        /^body must be a JSON object, got "everything"$/,
      ],
      [
        '{"ids": ["n2"',
        { 'content-type': 'application/json' },
        400,
        'body',
        /^body must be valid JSON/,
      ],
      [
        '',
        { 'content-type': 'application/json' },
        400,
        'body',
        /^body must be a JSON object when Content-Type is application\/json/,
      ],
      ['{"__proto__": {"x": 1}}', { 'content-type': 'application/json' }, 400, 'body', /__proto__/],
    ];
    for (const [body, headers, status, field, message] of refusals) {
      const response = await retry(body, headers);
      const label = JSON.stringify(body);
      expect(response.statusCode, label).toBe(status);
      const error = errorOf(response);
      expect(error.code, label).toBe('invalid_request');
      expect(error.field ?? '', label).toBe(field);
      expect(error.message, label).toMatch(message);
    }
    // Too many IDs: named, and the value quoted back only in part.
    const ids = Array.from({ length: 1001 }, (_, i) => `item-${i}-${'x'.repeat(40)}`);
    const huge = await retry({ ids });
    expect(huge.statusCode).toBe(400);
    expect(errorOf(huge).field).toBe('ids');
    expect(errorOf(huge).message).toMatch(
      /^ids must be a list of 1 to 1000 item IDs, got \["item-0-/,
    );
    expect(errorOf(huge).message.length).toBeLessThanOrEqual(1000);
    for (const [query, field] of [
      ['category=fatal', 'category'],
      ['includeRetried=yes', 'includeRetried'],
      ['stage=', 'stage'],
    ] as const) {
      const response = await get(`/api/v1/runs/${runId}/dead-letters?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(errorOf(response).field, query).toBe(field);
    }
    expect(await state()).toEqual(before);
  });

  it('retries the dead letters a filter matches: back to pending, marked retried, counted', async () => {
    const matching = await store.deadLetters({ runId, stage: 'fetch', category: 'recoverable' });
    const ids = matching.items.map((d) => d.id);
    expect(ids.length).toBeGreaterThan(0);
    const response = await retry({ stage: 'fetch', category: 'recoverable' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ runId, retried: ids.length });
    for (const id of ids) {
      expect((await store.getItem({ runId, stage: 'fetch', id }))?.state).toBe('pending');
    }
    const left = await get(`/api/v1/runs/${runId}/dead-letters`);
    const leftIds = left.json<PageView<DeadLetterRecord>>().items.map((d) => d.id);
    expect(leftIds.some((id) => ids.includes(id))).toBe(false);
    expect(leftIds).toEqual((await store.deadLetters({ runId })).items.map((d) => d.id));

    const history = await get(`/api/v1/runs/${runId}/dead-letters?includeRetried=true`);
    const retried = history.json<PageView<DeadLetterRecord>>().items.filter((d) => d.retriedAt);
    expect(retried.map((d) => d.id).sort()).toEqual([...ids].sort());
  });

  it('retries by ID, and a retry that matches nothing answers 0', async () => {
    const [first] = (await store.deadLetters({ runId })).items;
    expect(first).toBeDefined();
    const byId = await retry({ ids: [first!.id] });
    expect(byId.json()).toEqual({ runId, retried: 1 });
    expect((await store.getItem(first!))?.state).toBe('pending');
    const again = await retry({ ids: [first!.id] });
    expect(again.json()).toEqual({ runId, retried: 0 });
  });
});
