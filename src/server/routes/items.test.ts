import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  bearer,
  itemCount,
  populatedStore,
  testServer,
  type PopulatedStore,
} from '../../../test/support/server-run.js';
import type { ItemRecord, Store } from '../../store/index.js';
import { describeSqlite } from '../../testing/vitest/index.js';
import type { SluiceServer } from '../create-server.js';
import type { ErrorEnvelope } from '../errors.js';
import type { PageView } from '../views.js';

describeSqlite('server: items of a run', (sqlite) => {
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
  const errorOf = (response: { json: <T>() => T }) => response.json<ErrorEnvelope>().error;
  const plain = (items: readonly ItemRecord[]) => JSON.parse(JSON.stringify(items)) as unknown;

  it('lists items by stage and state as the store does', async () => {
    const dead = await get(`/api/v1/runs/${runId}/items?stage=fetch&state=dead`);
    expect(dead.statusCode).toBe(200);
    const stored = await store.listItems({ runId, stage: 'fetch', states: ['dead'] });
    expect(stored.items.length).toBeGreaterThan(0);
    expect(dead.json()).toEqual({ items: plain(stored.items), next: null });

    const several = await get(`/api/v1/runs/${runId}/items?state=dead,completed`);
    const both = await store.listItems({ runId, states: ['dead', 'completed'] });
    expect(several.json<PageView<ItemRecord>>().items.map((i) => `${i.stage}/${i.id}`)).toEqual(
      both.items.map((i) => `${i.stage}/${i.id}`),
    );
  });

  it('pages through every item of the run with limit and cursor', async () => {
    const seen: string[] = [];
    let url = `/api/v1/runs/${runId}/items?limit=5`;
    for (let pages = 0; ; pages++) {
      expect(pages).toBeLessThan(100);
      const page = (await get(url)).json<PageView<ItemRecord>>();
      seen.push(...page.items.map((i) => `${i.stage}/${i.id}`));
      if (page.next === null) break;
      url = `/api/v1/runs/${runId}/items?limit=5&cursor=${encodeURIComponent(page.next)}`;
    }
    const counts = await store.counts(runId);
    expect(seen).toHaveLength(Object.values(counts).reduce((sum, c) => sum + c.total, 0));
    expect(seen.filter((s) => s.startsWith('fetch/'))).toHaveLength(itemCount);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('shows one item with its retry history and dead letters', async () => {
    const ref = { runId, stage: 'fetch', id: 'n2' };
    const response = await get(`/api/v1/runs/${runId}/items/fetch/n2`);
    expect(response.statusCode).toBe(200);
    const body = response.json<{ item: ItemRecord; retries: unknown[]; deadLetters: unknown[] }>();
    expect(body.item).toEqual(JSON.parse(JSON.stringify(await store.getItem(ref))));
    const history = await store.retryHistory(ref);
    expect(history.length).toBeGreaterThan(0);
    expect(body.retries).toEqual(history);
    const dead = await store.deadLetters({ runId, stage: 'fetch', ids: ['n2'] });
    expect(body.deadLetters).toEqual(dead.items);
    expect(body.item.state).toBe('dead');

    // Item 1 failed once and then completed: history, no dead letter.
    const recovered = await get(`/api/v1/runs/${runId}/items/fetch/n1`);
    const r = recovered.json<{ item: ItemRecord; retries: unknown[]; deadLetters: unknown[] }>();
    expect(r.item.state).toBe('completed');
    expect(r.retries).toHaveLength(1);
    expect(r.deadLetters).toEqual([]);
  });

  it('finds items whose ID holds a slash or spaces, percent-encoded in the path', async () => {
    const { store: s } = fixture;
    await s.seedItems(
      fixture.freshRunId,
      'fetch',
      [{ id: 'https://news.example/a b/1', input: 1 }],
      Date.now(),
    );
    const id = encodeURIComponent('https://news.example/a b/1');
    const response = await get(`/api/v1/runs/${fixture.freshRunId}/items/fetch/${id}`);
    expect(response.statusCode).toBe(200);
    expect(response.json<{ item: ItemRecord }>().item.id).toBe('https://news.example/a b/1');
  });

  it('refuses bad queries and unknown stages or items, naming the field', async () => {
    const cases: [string, number, string, RegExp][] = [
      [
        'items?state=lost',
        400,
        'state',
        /^state must be one of "pending", .* or several of them separated by commas, got "lost"$/,
      ],
      ['items?state=dead,', 400, 'state', /^state must be one of/],
      [
        'items?stage=fetch2',
        400,
        'stage',
        /^stage must be a stage of the run: one of "fetch", "store", got "fetch2"$/,
      ],
      ['items?limit=-1', 400, 'limit', /^limit must be an integer in \[1, 1000\]/],
      ['items?cursor=abc', 400, 'cursor', /^cursor must be the `next` cursor/],
      [
        'items?sort=id',
        400,
        'sort',
        /^sort must be absent \(known query parameters: stage, state, limit, cursor\)/,
      ],
      ['items/fetch/n999', 404, 'itemId', /^no item in stage "fetch" with ID "n999"$/],
      ['items/fetch2/n1', 400, 'stage', /^stage must be a stage of the run/],
      [
        'items/fetch/n1?verbose=1',
        400,
        'verbose',
        /^verbose must be absent \(this route takes no query parameters\)/,
      ],
    ];
    for (const [path, status, field, message] of cases) {
      const response = await get(`/api/v1/runs/${runId}/${path}`);
      expect(response.statusCode, path).toBe(status);
      const error = errorOf(response);
      expect(error.field, path).toBe(field);
      expect(error.message, path).toMatch(message);
    }
  });
});
