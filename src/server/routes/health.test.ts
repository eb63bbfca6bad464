import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testServer } from '../../../test/support/server-run.js';
import { HttpStatusError } from '../../errors/index.js';
import type { HealthJson } from '../../observe/index.js';
import { definePipeline, Runner, stage, type AttemptReport } from '../../runtime/index.js';
import { createSqliteStore, type Store } from '../../store/index.js';
import { createTempSqlite } from '../../testing/index.js';
import { describeSqlite } from '../../testing/vitest/index.js';

const healthJson = 'application/health+json; charset=utf-8';

describeSqlite('server: /health/live and /health/ready', (sqlite) => {
  let store: Store;
  beforeAll(async () => {
    store = await createSqliteStore({ path: sqlite().path });
  });
  afterAll(() => store.close());

  it('live is 200 pass whatever the dependencies say', async () => {
    const server = testServer(store, {
      dependencyChecks: [{ name: 'db', check: () => Promise.reject(new Error('down')) }],
    });
    const response = await server.app.inject({ url: '/health/live' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(healthJson);
    expect(response.json()).toEqual({ status: 'pass' });
    await server.close();
  });

  it('ready is 200 pass with the store check when nothing else is wrong', async () => {
    const server = testServer(store);
    const response = await server.app.inject({ url: '/health/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(healthJson);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json<HealthJson>();
    expect(body.status).toBe('pass');
    expect(body.checks['store:responseTime']?.[0]).toMatchObject({
      componentType: 'dependency',
      status: 'pass',
    });
    await server.close();
  });

  it('ready is 503 fail when a critical dependency fails, 200 warn when an optional one does', async () => {
    const failing = (critical: boolean) =>
      testServer(store, {
        dependencyChecks: [
          { name: 'ok', check: () => Promise.resolve() },
          { name: 'redis', critical, check: () => Promise.reject(new Error('ECONNREFUSED')) },
        ],
      });
    const critical = failing(true);
    const down = await critical.app.inject({ url: '/health/ready' });
    expect(down.statusCode).toBe(503);
    expect(down.headers['content-type']).toBe(healthJson);
    const body = down.json<HealthJson>();
    expect(body.status).toBe('fail');
    expect(body.checks['redis:responseTime']?.[0]).toMatchObject({
      status: 'fail',
      output: 'ECONNREFUSED',
    });
    expect(body.checks['ok:responseTime']?.[0]?.status).toBe('pass');
    expect(body.notes).toEqual(['dependency redis: ECONNREFUSED (unhealthy)']);
    await critical.close();

    const optional = failing(false);
    const degraded = await optional.app.inject({ url: '/health/ready' });
    expect(degraded.statusCode).toBe(200);
    expect(degraded.json<HealthJson>().status).toBe('warn');
    await optional.close();
  });

  it('ready is 503 when the health function throws: a broken probe is not a pass', async () => {
    const server = testServer(store, {
      health: () => {
        throw new Error('tracker gone');
      },
    });
    const response = await server.app.inject({ url: '/health/ready' });
    expect(response.statusCode).toBe(503);
    expect(response.json<HealthJson>().checks['health:responseTime']?.[0]).toMatchObject({
      status: 'fail',
      output: 'tracker gone',
    });
    await server.close();
  });

  it('ready is 503 when its own store is closed', async () => {
    const tmp = createTempSqlite();
    const closed = await createSqliteStore({ path: tmp.path });
    await closed.close();
    const server = testServer(closed);
    const response = await server.app.inject({ url: '/health/ready' });
    expect(response.statusCode).toBe(503);
    expect(response.json<HealthJson>().checks['store:responseTime']?.[0]?.status).toBe('fail');
    await server.close();
    tmp.cleanup();
  });

  it("serves a running Runner's verdict: 200 while its stage succeeds, 503 once it only fails", async () => {
    const verdictOf = async (runId: string, fail: boolean) => {
      const pipeline = definePipeline({
        name: `health-${runId}`,
        version: '1',
        stages: [
          stage({
            name: 'work',
            handler: (n: number) => {
              if (fail) throw new HttpStatusError(404);
              return n;
            },
          }),
        ],
      });
      let attempts = 0;
      let allAttempted!: () => void;
      const attempted = new Promise<void>((resolve) => (allAttempted = resolve));
      const runner = new Runner({
        store,
        pipeline,
        logger: pino({ level: 'silent' }),
        tracing: false,
        pollMs: 5,
        onAttempt: (_report: AttemptReport) => {
          if (++attempts === 6) allAttempted();
        },
      });
      // until: 'stopped' keeps the run active (and its health defined) after the work is done.
      const running = runner.run({
        runId,
        seed: Array.from({ length: 6 }, (_, n) => ({ id: `i${n}`, input: n })),
        until: 'stopped',
      });
      await attempted;
      const server = testServer(store, { health: () => runner.health() });
      const response = await server.app.inject({ url: '/health/ready' });
      await server.close();
      await runner.stop();
      await running;
      return response;
    };

    const good = await verdictOf('healthy-run', false);
    expect(good.statusCode).toBe(200);
    const goodBody = good.json<HealthJson>();
    expect(goodBody.status).toBe('pass');
    expect(goodBody.checks['work:successRate']?.[0]).toMatchObject({
      status: 'pass',
      observedValue: 1,
    });
    expect(goodBody.checks['database:responseTime']?.[0]?.status).toBe('pass');
    expect(goodBody.checks['store:responseTime']?.[0]?.status).toBe('pass');

    const bad = await verdictOf('failing-run', true);
    expect(bad.statusCode).toBe(503);
    const badBody = bad.json<HealthJson>();
    expect(badBody.status).toBe('fail');
    expect(badBody.checks['work:successRate']?.[0]).toMatchObject({
      status: 'fail',
      observedValue: 0,
    });
    expect(badBody.output).toMatch(/^stage work: success rate 0\.0% below 50\.0% \(unhealthy\)$/);
  });
});
