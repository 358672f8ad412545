import type { Express } from 'express';
import type { Sandbox } from '../core/sandbox.server.js';
import type { ConsoleAction, SandboxService } from '../core/sandbox.service.js';
import type { DeliveryRecord } from '../core/sandbox.webhooks.js';
import { wellKnown } from '../core/sandbox.tenants.js';
import { html, htmlPage, type RawHtml } from './console.html.js';

const MAX_ROWS = 100;
const MAX_COLUMNS = 10;
const MAX_CELL = 160;

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    const json = JSON.stringify(value);
    return json.length > MAX_CELL ? `${json.slice(0, MAX_CELL)}…` : json;
  }
  const text = String(value);
  return text.length > MAX_CELL * 2 ? `${text.slice(0, MAX_CELL * 2)}…` : text;
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * Chooses which top-level keys become columns for records of unknown shape: never all-empty keys; ids, names,
 * emails, statuses and amounts first, then the most filled; shown in the records' own key order with `id` first.
 */
function pickColumns(records: Array<Record<string, unknown>>): string[] {
  const order: string[] = [];
  const filled = new Map<string, number>();
  for (const record of records) {
    for (const [key, value] of Object.entries(record)) {
      if (!filled.has(key)) {
        filled.set(key, 0);
        order.push(key);
      }
      if (!isEmpty(value)) filled.set(key, filled.get(key)! + 1);
    }
  }
  const score = (key: string) =>
    (key === 'id' ? 3000 : /(_id|Id|ID)$/.test(key) ? 2000 : /name|email|status|number|total|amount|balance|date|time|event/i.test(key) ? 1000 : 0) +
    filled.get(key)!;
  const chosen = new Set(
    order
      .filter((k) => filled.get(k)! > 0)
      .sort((a, b) => score(b) - score(a))
      .slice(0, MAX_COLUMNS),
  );
  return order.filter((k) => chosen.has(k)).sort((a, b) => Number(b === 'id') - Number(a === 'id'));
}

/** Renders any list of records as a table without knowing its shape: columns are the union of top-level keys. */
export function renderRecordsTable(records: readonly unknown[]): RawHtml {
  if (records.length === 0) return html`<p class="muted">none</p>`;
  const objects = records.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r));
  const shown = records.slice(0, MAX_ROWS);
  if (!objects) {
    return html`<table><tr><th>value</th></tr>${shown.map((r) => html`<tr><td>${cell(r)}</td></tr>`)}</table>`;
  }
  const columns = pickColumns(shown as Array<Record<string, unknown>>);
  const more = records.length - shown.length;
  return html`<table><tr>${columns.map((c) => html`<th>${c}</th>`)}<th>record</th></tr>${shown.map(
    (r) => html`<tr>${columns.map((c) => html`<td>${cell((r as Record<string, unknown>)[c])}</td>`)}<td><details><summary>JSON</summary><pre>${JSON.stringify(r, null, 2)}</pre></details></td></tr>`,
  )}</table>${more > 0 ? html`<p class="muted">… and ${more} more (GET /_admin/state for all)</p>` : ''}`;
}

function renderDeliveries(deliveries: DeliveryRecord[]): RawHtml {
  if (deliveries.length === 0) return html`<p class="muted">No webhook deliveries yet.</p>`;
  const rows = [...deliveries].reverse().slice(0, MAX_ROWS);
  return html`<table><tr><th>#</th><th>service</th><th>event</th><th>request</th><th>attempts</th><th>last result</th><th>response</th><th>body sent</th></tr>${rows.map(
    (d) => {
      const last = d.attempts[d.attempts.length - 1];
      const result = last ? (last.status !== undefined ? `HTTP ${last.status}` : `error: ${last.error ?? ''}`) : 'pending';
      return html`<tr><td>${d.id}</td><td>${d.service}</td><td>${d.event}</td><td>${d.method} ${d.url}</td><td>${d.attempts.length}</td>
<td class="${d.succeeded ? 'ok' : last ? 'error' : 'muted'}">${result}</td><td>${cell(last?.responseBody)}</td><td>${cell(d.requestBody)}</td></tr>`;
    },
  )}</table>`;
}

function renderCounts(counts: Record<string, number>): RawHtml {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return html`<p class="muted">No calls recorded.</p>`;
  return html`<table><tr><th>endpoint</th><th>calls</th></tr>${entries.map(([k, v]) => html`<tr><td>${k}</td><td>${v}</td></tr>`)}</table>`;
}

function renderActionForm(service: SandboxService, action: ConsoleAction): RawHtml {
  const field = (f: ConsoleAction['fields'][number]) => {
    const id = `f-${service.name}-${action.key}-${f.name}`;
    const required = f.required ? html` required` : '';
    let input: RawHtml;
    if (f.type === 'select') {
      input = html`<select id="${id}" name="${f.name}"${required}>${(f.options ?? []).map(
        (o) => html`<option value="${o.value}"${o.value === f.defaultValue ? html` selected` : ''}>${o.label}</option>`,
      )}</select>`;
    } else if (f.type === 'textarea') {
      input = html`<textarea id="${id}" name="${f.name}" placeholder="${f.placeholder ?? ''}"${required}>${f.defaultValue ?? ''}</textarea>`;
    } else if (f.type === 'checkbox') {
      input = html`<input id="${id}" type="checkbox" name="${f.name}"${f.defaultValue === 'true' ? html` checked` : ''}>`;
    } else {
      input = html`<input id="${id}" type="${f.type}" name="${f.name}" value="${f.defaultValue ?? ''}" placeholder="${f.placeholder ?? ''}"${required}>`;
    }
    return html`<label for="${id}">${f.label}</label>${input}`;
  };
  return html`<form class="card" data-admin="/_admin/console/${service.name}/${action.key}" data-kind="action">
<h3>${action.title}</h3>${action.fields.map(field)}<div><button type="submit">${action.title}</button></div><pre class="result" hidden></pre></form>`;
}

function tryConsentUrl(base: string): string {
  const query = new URLSearchParams({
    client_id: wellKnown.webClient.clientId,
    response_type: 'code',
    redirect_uri: `${base}/bin/oauth-callback`,
    scope: 'ZohoBooks.fullaccess.all,ZohoCRM.modules.ALL',
    access_type: 'offline',
    prompt: 'consent',
    state: 'console-demo',
  });
  return `/oauth/v2/auth?${query.toString()}`;
}

function overview(sandbox: Sandbox): RawHtml {
  const ctx = sandbox.context;
  const base = ctx.baseUrl();
  const dcRows = ctx.dataCentres.map(
    (dc) => html`<tr><td>${dc.key} (location ${dc.location})</td><td><code>${base}${dc.prefix}</code></td><td><code>${base}${dc.prefix}/books/v3</code></td><td><code>${base}${dc.prefix}/crm/v8</code></td></tr>`,
  );
  const faultOptions = sandbox.services.map((s) => html`<option value="${s.name}">${s.name}</option>`);
  return html`
<div class="card"><h2>Endpoints</h2>
<table><tr><th>Zoho data centre</th><th>accounts server = api_domain</th><th>Books</th><th>CRM</th></tr>${dcRows}</table>
<p>Togai: <code>${base}/togai</code> · Request bin: <code>${base}/bin/&lt;name&gt;</code> · Admin API: <code>${base}/_admin</code> ·
Self Client page: <a href="/oauth/selfclient">/oauth/selfclient</a></p>
<p>Try the Zoho consent page: <a href="${tryConsentUrl(base)}">authorize the sandbox web client</a> (the redirect lands in the
request bin <code>oauth-callback</code>; see the Request bin tab).</p></div>
<div class="card"><h2>Well-known sandbox credentials</h2>
<p>Zoho web client: <code>${wellKnown.webClient.clientId}</code> / secret <code>${wellKnown.webClient.clientSecret}</code> (accepts any loopback redirect URI)</p>
<p>Togai API token: <code>${wellKnown.togai.apiToken}</code></p>
<h3>Zoho users</h3>${renderRecordsTable([...ctx.tenants.zohoUsers.values()])}
<h3>Books organizations</h3>${renderRecordsTable([...ctx.tenants.booksOrgs.values()].map(({ userIds: _u, ...o }) => o))}
<h3>CRM organizations</h3>${renderRecordsTable([...ctx.tenants.crmOrgs.values()].map(({ userIds: _u, ...o }) => o))}
</div>
<div class="card"><h2>Faults</h2>${renderRecordsTable(ctx.faults.list())}
<form data-admin="/_admin/faults" data-kind="json">
<label for="fault-service">Service</label><select id="fault-service" name="service">${faultOptions}</select>
<label for="fault-kind">Kind</label><select id="fault-kind" name="kind">${['rate-limit', 'server-error', 'unavailable', 'timeout', 'slow'].map((k) => html`<option>${k}</option>`)}</select>
<label for="fault-count">Count</label><input id="fault-count" name="count" type="number" value="1" data-number>
<label for="fault-path">Path contains</label><input id="fault-path" name="pathContains">
<label for="fault-retry">Retry-After seconds (rate-limit)</label><input id="fault-retry" name="retryAfterSeconds" type="number" data-number>
<label for="fault-delay">Delay ms (slow, timeout)</label><input id="fault-delay" name="delayMs" type="number" data-number>
<div><button type="submit">Arm fault</button></div><pre class="result" hidden></pre></form>
<form data-admin="/_admin/faults" data-method="DELETE"><button type="submit" class="secondary">Clear faults</button><pre class="result" hidden></pre></form></div>
<div class="card"><h2>Calls per endpoint</h2>${renderCounts(ctx.calls.counts())}</div>
<div class="card"><h2>Webhook deliveries</h2>${renderDeliveries(ctx.webhooks.list())}</div>
<div class="card"><h2>Sandbox clock</h2><p class="muted">Move time forward to expire codes and tokens, end rate-limit windows, make invoices overdue.</p>
<form data-admin="/_admin/clock/advance" data-kind="json">
<label for="clock-minutes">Advance by (minutes)</label><input id="clock-minutes" name="minutes" type="number" value="60" data-number>
<div><button type="submit">Advance clock</button></div><pre class="result" hidden></pre></form></div>
<div class="card"><h2>Reset</h2><form data-admin="/_admin/reset" data-kind="reset">
<label for="reset-seed">Seed</label><select id="reset-seed" name="seed"><option>demo</option><option>empty</option></select>
<div><button type="submit" class="danger">Reset sandbox</button></div><pre class="result" hidden></pre></form></div>`;
}

function serviceTab(sandbox: Sandbox, service: SandboxService): RawHtml {
  const ctx = sandbox.context;
  let collections: Record<string, unknown[]>;
  let inspectError = '';
  try {
    collections = service.inspect();
  } catch (error) {
    collections = {};
    inspectError = (error as Error).message;
  }
  const actions = service.consoleActions ?? [];
  return html`
${actions.length ? html`<div class="actions">${actions.map((a) => renderActionForm(service, a))}</div>` : ''}
${inspectError ? html`<div class="card error">inspect() failed: ${inspectError}</div>` : ''}
${Object.entries(collections).map(
  ([name, records]) => html`<div class="card"><h2>${name} <span class="muted">(${Array.isArray(records) ? records.length : 0})</span></h2>${renderRecordsTable(Array.isArray(records) ? records : [])}</div>`,
)}
<div class="card"><h2>Webhook deliveries</h2>${renderDeliveries(ctx.webhooks.list({ service: service.name }))}</div>
<div class="card"><h2>Calls per endpoint</h2>${renderCounts(ctx.calls.counts({ service: service.name }))}</div>`;
}

/** Submits admin forms with fetch and shows the answer; reloads on success so tables show the change. */
const consoleScript = `
document.querySelectorAll('form[data-admin]').forEach(function (form) {
  form.addEventListener('submit', async function (event) {
    event.preventDefault();
    var values = {};
    new FormData(form).forEach(function (v, k) { values[k] = String(v); });
    form.querySelectorAll('input[type=checkbox]').forEach(function (c) { values[c.name] = c.checked ? 'true' : 'false'; });
    var body = values;
    if (form.dataset.kind === 'action') body = { values: values };
    if (form.dataset.kind === 'json') {
      Object.keys(values).forEach(function (k) { if (values[k] === '') delete values[k]; });
      form.querySelectorAll('[data-number]').forEach(function (i) { if (values[i.name] !== undefined) values[i.name] = Number(values[i.name]); });
    }
    var out = form.querySelector('.result');
    try {
      var response = await fetch(form.dataset.admin, { method: form.dataset.method || 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      var text = await response.text();
      out.hidden = false;
      out.textContent = response.status + ' ' + text;
      out.className = 'result ' + (response.ok ? 'ok' : 'error');
      if (response.ok) setTimeout(function () { location.reload(); }, 1500);
    } catch (e) { out.hidden = false; out.textContent = String(e); out.className = 'result error'; }
  });
});`;

/** `GET /`: what each service holds, the webhooks it sent, calls and faults, and buttons to change records. */
export function mountConsole(app: Express, sandbox: Sandbox): void {
  app.get('/', (req, res) => {
    const tab = typeof req.query.tab === 'string' ? req.query.tab : 'overview';
    const service = sandbox.services.find((s) => s.name === tab);
    const tabs = [
      html`<a href="/" class="${service ? '' : 'active'}">Overview</a>`,
      ...sandbox.services.map((s) => html`<a href="/?tab=${encodeURIComponent(s.name)}" class="${s === service ? 'active' : ''}">${s.title}</a>`),
    ];
    const body = html`<nav class="tabs">${tabs}</nav>
<p class="muted">Sandbox time ${new Date(sandbox.context.clock.now()).toISOString()} · <a href="">refresh</a></p>
${service ? serviceTab(sandbox, service) : overview(sandbox)}`;
    res.type('html').send(htmlPage('Braid sandbox', body, { script: consoleScript }));
  });
}
