/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against a real
 * server on loopback over a store a real pipeline run wrote: it logs in with a token from the
 * URL fragment, shows the run's progress per stage, failed items, retry statistics, breakers and
 * queues, resets an open breaker, refuses actions for a read token, runs under the CSP with no
 * violation and no console error, and never puts data into markup (an item ID with HTML in it
 * stays text).
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserProblem, launchChromium } from '../../../test/support/browser.js';
import { populatedStore, type PopulatedStore } from '../../../test/support/server-run.js';
import { HttpStatusError } from '../../errors/index.js';
import { breakerRegistry } from '../../policies/index.js';
import { createTempSqlite } from '../../testing/index.js';
import { breakerControl } from '../breaker-control.js';
import { createServer, type SluiceServer } from '../create-server.js';
import { pino } from 'pino';

const adminSecret = 'dashboard-admin-0123456789';
const readSecret = 'dashboard-read-0123456789';
const problem = browserProblem();

describe.skipIf(problem !== null)('dashboard in Chromium', () => {
  let fixture: PopulatedStore;
  let server: SluiceServer;
  let url: string;
  let browser: Browser;
  const temp = createTempSqlite();
  const registry = breakerRegistry({
    breaker: { window: { kind: 'count', size: 2 }, minimumCalls: 1, openDurationMs: 60_000 },
  });

  beforeAll(async () => {
    fixture = await populatedStore(temp.path);
    // An item whose ID is markup: it must show as text, not run.
    await fixture.store.seedItems(
      'srv-fresh',
      'fetch',
      [{ id: '<img src=x onerror=alert(1)>', input: 1 }],
      Date.now(),
    );
    await registry
      .for('images', 'down.example')
      .execute(() => Promise.reject(new HttpStatusError(503)))
      .catch(() => undefined);
    server = createServer({
      store: fixture.store,
      logger: pino({ level: 'silent' }),
      rateLimit: false,
      tokens: [
        { name: 'ops', scope: 'admin', secret: adminSecret },
        { name: 'screen', scope: 'read', secret: readSecret },
      ],
      breakers: breakerControl(() => [{ service: 'images', registry }]),
    });
    url = await server.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await fixture?.store.close();
    temp.cleanup();
  });

  async function open(secret: string | undefined, query = '?refresh=200&run=srv-run') {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(`${url}/dashboard/${query}${secret ? `#token=${secret}` : ''}`);
    return { page, problems };
  }
  const loaded = (page: Page) => page.waitForSelector('body[data-loaded]');

  it('shows progress per stage, failed items, retries, breakers and queues for a read token', async () => {
    const { page, problems } = await open(readSecret);
    await loaded(page);
    expect(new URL(page.url()).hash).toBe(''); // the token left the address bar
    const fetchRow = page.locator('#stages tr[data-stage="fetch"]');
    await expect.poll(() => fetchRow.textContent()).toContain('12 / 12');
    expect(await page.locator('#run-totals').textContent()).toContain('18 / 18 done (100%)');
    expect(await page.locator('#failed tbody tr').count()).toBe(6);
    expect(await page.locator('#retries tbody').textContent()).toContain('recoverable 5');
    const breaker = page.locator('#breakers tr[data-breaker="images/down.example"]');
    expect(await breaker.textContent()).toContain('open');
    // A read token cannot act: the reset is refused and says why.
    await breaker.locator('button').click();
    await expect.poll(() => page.locator('#message').textContent()).toContain('Not allowed');
    expect(registry.get('images', 'down.example')?.state).toBe('OPEN');
    mkdirSync('reports', { recursive: true });
    await page.screenshot({ path: 'reports/dashboard.png', fullPage: true });
    expect(problems.filter((p) => !p.includes('403'))).toEqual([]);
    await page.close();
  });

  it('resets an open breaker with an admin token, and shows item IDs as text', async () => {
    const { page, problems } = await open(adminSecret);
    await loaded(page);
    await page.locator('#breakers tr[data-breaker="images/down.example"] button').click();
    await expect.poll(() => page.locator('#message').textContent()).toContain('closed');
    expect(registry.get('images', 'down.example')?.state).toBe('CLOSED');
    await expect
      .poll(() => page.locator('#breakers tr[data-breaker="images/down.example"]').textContent())
      .toContain('closed');
    // The run with the markup item: its ID shows as text; no alert ran.
    await page.locator('#runs tr[data-run="srv-fresh"]').click();
    await expect.poll(() => page.locator('#run-id').textContent()).toBe('srv-fresh');
    expect(await page.locator('#stages img').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('asks for a token when there is none, and refuses a wrong one', async () => {
    const { page } = await open(undefined);
    await page.waitForSelector('#login:not([hidden])');
    await page.fill('#token', 'not-the-right-token-0000');
    await page.click('#login button[type=submit]');
    await expect.poll(() => page.locator('#message').textContent()).toContain('refused');
    await page.fill('#token', adminSecret);
    await page.click('#login button[type=submit]');
    await loaded(page);
    expect(await page.locator('#board').isVisible()).toBe(true);
    await page.close();
  });

  it('serves the files with the CSP and refuses any other file', async () => {
    const index = await fetch(`${url}/dashboard/`);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${url}/dashboard/../package.json`)).status).toBe(404);
    expect((await fetch(`${url}/dashboard/secret.txt`)).status).toBe(404);
    const redirect = await fetch(`${url}/dashboard`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
  });
});
