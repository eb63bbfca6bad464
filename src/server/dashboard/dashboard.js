// The Sluice dashboard: a page over /api/v1 that redraws every few seconds. No framework and no
// build step; every value reaches the page through textContent (never innerHTML), so an item ID
// or error message cannot inject markup, and the page runs under a CSP without inline scripts.
const api = '/api/v1';
const refreshMs = Number(new URLSearchParams(location.search).get('refresh') ?? 2000);
const tokenKey = 'sluice.token';
const $ = (id) => document.getElementById(id);

let selectedRun = new URLSearchParams(location.search).get('run') ?? undefined;
let timer;

function takeTokenFromHash() {
  // `#token=...` as printed by `sluice run --serve`: fragments never reach the server's logs.
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem(tokenKey, decodeURIComponent(match[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(tokenKey) ?? undefined;
}

class HttpError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
  }
}

async function call(path, options = {}) {
  const response = await fetch(api + path, {
    ...options,
    headers: {
      authorization: `Bearer ${sessionStorage.getItem(tokenKey) ?? ''}`,
      ...(options.body ? { 'content-type': 'application/json' } : {}),
    },
  });
  const body = await response.json().catch(() => undefined);
  if (!response.ok) throw new HttpError(response.status, body);
  return body;
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const cell of cells) tr.append(cell instanceof Node ? cell : el('td', cell));
  return tr;
}

const td = (text, className) => el('td', text, className);
const num = (value) => td(value ?? '–', 'num');
const pct = (rate) =>
  rate === null || rate === undefined ? '–' : `${Math.round(rate * 1000) / 10}%`;
const time = (ms) => (ms ? new Date(ms).toLocaleTimeString() : '–');

function fill(tableId, rows) {
  $(tableId).tBodies[0].replaceChildren(...rows);
}

function say(text, kind = 'info') {
  const node = $('message');
  node.hidden = text === undefined;
  node.textContent = text ?? '';
  node.dataset.kind = kind;
}

function actionButton(label, action) {
  const button = el('button', label);
  button.type = 'button';
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      say(await action());
      await refresh();
    } catch (error) {
      say(error.status === 403 ? `Not allowed: ${error.message}` : error.message, 'error');
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

function drawRuns(runs) {
  if (selectedRun === undefined && runs.items.length > 0) selectedRun = runs.items[0].id;
  fill(
    'runs',
    runs.items.map((run) => {
      const tr = row([
        td(run.id),
        td(run.pipeline),
        td(run.status, `state-${run.status}`),
        td(time(run.updatedAt)),
      ]);
      tr.dataset.run = run.id;
      if (run.id === selectedRun) tr.className = 'selected';
      tr.addEventListener('click', () => {
        selectedRun = run.id;
        void refresh();
      });
      return tr;
    }),
  );
}

function drawProgress(progress) {
  $('run-id').textContent = progress.runId;
  const rate = progress.ratePerSecond === null ? '–' : `${progress.ratePerSecond.toFixed(1)}/s`;
  const eta = progress.etaSeconds === null ? '–' : `${Math.ceil(progress.etaSeconds)} s`;
  $('run-totals').textContent =
    `${progress.status}: ${progress.done} / ${progress.total} done (${progress.percent}%), rate ${rate}, ETA ${eta}`;
  fill(
    'stages',
    progress.stages.map((s) => {
      const bar = el('progress');
      bar.max = Math.max(1, s.total);
      bar.value = s.done;
      bar.title = `${s.percent}%`;
      const cell = el('td');
      cell.append(bar, ` ${s.percent}%`);
      const tr = row([
        td(s.stage),
        cell,
        num(`${s.done} / ${s.total}`),
        num(s.failed),
        num(s.retriesWaiting),
        num(s.inFlight),
      ]);
      tr.dataset.stage = s.stage;
      return tr;
    }),
  );
}

function drawBreakers(result) {
  $('breakers-empty').hidden = result.breakers.length > 0;
  fill(
    'breakers',
    result.breakers.map((b) => {
      const reset = actionButton('Reset', async () => {
        await call(`/services/${encodeURIComponent(b.service)}/breakers/reset`, {
          method: 'POST',
          body: JSON.stringify({ key: b.key }),
        });
        return `Breaker ${b.service} ${b.key || '(service)'} closed.`;
      });
      const tr = row([
        td(b.service),
        td(b.key || '(service)'),
        td(b.state, `state-${b.state}`),
        num(pct(b.failureRate)),
        num(b.calls),
        b.state === 'closed' ? td('') : wrap(reset),
      ]);
      tr.dataset.breaker = `${b.service}/${b.key}`;
      return tr;
    }),
  );
}

function wrap(node) {
  const cell = el('td');
  cell.append(node);
  return cell;
}

function drawFailed(failed) {
  fill(
    'failed',
    failed.items.map((i) =>
      row([
        td(i.stage),
        td(i.id),
        td(i.state, `state-${i.state}`),
        td(i.category ?? '–'),
        num(i.attempts),
        td(i.lastError ?? '', 'error'),
      ]),
    ),
  );
}

function drawRetries(stats) {
  fill(
    'retries',
    stats.stages.map((s) =>
      row([
        td(s.stage),
        num(s.items),
        num(s.attempts),
        num(s.retried),
        num(pct(s.retryRate)),
        num(s.exhausted),
        td(
          Object.entries(s.byCategory)
            .map(([c, n]) => `${c} ${n}`)
            .join(', ') || '–',
        ),
      ]),
    ),
  );
}

function drawQueues(result) {
  const rows = [];
  for (const queue of result.queues) {
    for (const t of queue.types) {
      const retry = actionButton('Retry dead', async () => {
        const r = await call(`/queues/${encodeURIComponent(queue.name)}/dead-letters/retry`, {
          method: 'POST',
          body: JSON.stringify({ type: t.type }),
        });
        return `${r.retried} dead ${t.type} jobs of ${queue.name} sent back.`;
      });
      rows.push(
        row([
          td(queue.name),
          td(t.type),
          num(t.depth),
          num(t.states.leased),
          num(t.states.dead),
          td(t.byPriority.map((p) => `p${p.priority}: ${p.waiting}`).join(', ') || '–'),
          t.states.dead > 0 ? wrap(retry) : td(''),
        ]),
      );
    }
  }
  fill('queues', rows);
}

function drawWorkers(result) {
  fill(
    'workers',
    result.workers.map((w) =>
      row([td(w.id), td(w.host), num(w.pid), td(w.status), td(time(w.lastHeartbeatAt))]),
    ),
  );
}

async function refresh() {
  clearTimeout(timer);
  try {
    const runs = await call('/runs?limit=20');
    drawRuns(runs);
    const [progress, failed, stats, breakers, queues, workers] = await Promise.all([
      selectedRun ? call(`/runs/${encodeURIComponent(selectedRun)}/progress`) : undefined,
      selectedRun
        ? call(`/runs/${encodeURIComponent(selectedRun)}/failed-items?limit=20`)
        : undefined,
      selectedRun ? call(`/runs/${encodeURIComponent(selectedRun)}/retry-stats`) : undefined,
      call('/breakers'),
      call('/queues'),
      call('/workers'),
    ]);
    $('run-section').hidden = progress === undefined;
    if (progress) drawProgress(progress);
    if (failed) drawFailed(failed);
    if (stats) drawRetries(stats);
    drawBreakers(breakers);
    drawQueues(queues);
    drawWorkers(workers);
    $('connection').textContent = 'live';
    $('connection').dataset.state = 'live';
    $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
    document.body.dataset.loaded = String(Number(document.body.dataset.loaded ?? 0) + 1);
  } catch (error) {
    $('connection').textContent = 'error';
    $('connection').dataset.state = 'error';
    if (error.status === 401) return showLogin('That token was refused: enter a valid one.');
    say(error.message, 'error');
  }
  timer = setTimeout(refresh, refreshMs);
}

function showLogin(why) {
  clearTimeout(timer);
  sessionStorage.removeItem(tokenKey);
  $('board').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  say(why, why ? 'error' : 'info');
}

function showBoard() {
  $('login').hidden = true;
  $('board').hidden = false;
  $('logout').hidden = false;
  say(undefined);
  void refresh();
}

$('login').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(tokenKey, $('token').value);
  $('token').value = '';
  showBoard();
});
$('retry-failed').addEventListener('click', async () => {
  try {
    const r = await call(`/runs/${encodeURIComponent(selectedRun)}/retry-failed`, {
      method: 'POST',
      body: '{}',
    });
    say(`${r.reset} failed items of ${selectedRun} sent back to pending.`);
    await refresh();
  } catch (error) {
    say(error.status === 403 ? `Not allowed: ${error.message}` : error.message, 'error');
  }
});
$('logout').addEventListener('click', () => showLogin());

// No token yet: the server may serve the API without one (auth: false on a trusted network).
if (takeTokenFromHash()) showBoard();
else call('/runs?limit=1').then(showBoard, () => showLogin());
