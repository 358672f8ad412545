import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../core/sandbox.server.js';
import { wellKnown } from '../core/sandbox.tenants.js';
import { renderRecordsTable } from './console.routes.js';

describe('console page', () => {
  let running: RunningSandbox;
  beforeEach(async () => {
    running = await startSandbox({ port: 0 });
  });
  afterEach(async () => {
    await running.close();
  });

  it('renders the overview with endpoints, credentials, faults and a tab per service', async () => {
    await fetch(`${running.url}/_admin/faults`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'bin', kind: 'slow', pathContains: '<script>alert(1)</script>' }),
    });
    const response = await fetch(`${running.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const page = await response.text();
    expect(page).toContain(`${running.url}/dc/eu`);
    expect(page).toContain(wellKnown.webClient.clientId);
    expect(page).toContain('href="/?tab=accounts"');
    expect(page).toContain('href="/?tab=bin"');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // the "try the consent page" link works and its redirect target is accepted
    const link = /href="(\/oauth\/v2\/auth\?[^"]+)"/.exec(page)![1]!.replace(/&amp;/g, '&');
    const consent = await fetch(`${running.url}${link}`);
    expect(consent.status).toBe(200);
    expect(await consent.text()).toContain(`${running.url}/bin/oauth-callback`);
    expect(page).not.toContain('<script>alert(1)</script>');
  });

  it('shows a service tab with its records (escaped), console action forms and calls', async () => {
    await fetch(`${running.url}/bin/demo-erp/<img src=x onerror=alert(1)>`, { method: 'POST', body: '<b>"quoted"</b>' });
    const page = await (await fetch(`${running.url}/?tab=bin`)).text();
    expect(page).toContain('demo-erp');
    expect(page).toContain('&lt;b&gt;&quot;quoted&quot;&lt;/b&gt;');
    expect(page).not.toContain('<b>"quoted"</b>');
    expect(page).toContain('data-admin="/_admin/console/bin/set-status"');
    expect(page).toContain('POST /bin');
    const accounts = await (await fetch(`${running.url}/?tab=accounts`)).text();
    expect(accounts).toContain('Expire access tokens now');
    expect(accounts).toContain(wellKnown.euUser.email);
  });

  it('renders any record shape as a table', () => {
    expect(renderRecordsTable([]).html).toContain('none');
    const table = renderRecordsTable([{ a: 1, nested: { deep: ['x'] }, empty: '' }, { b: '<i>', id: 'r2' }]).html;
    expect(table).toContain('<th>id</th><th>a</th><th>nested</th><th>b</th><th>record</th>');
    expect(table).not.toContain('<th>empty</th>');
    expect(table).toContain('{&quot;deep&quot;:[&quot;x&quot;]}');
    expect(table).toContain('&lt;i&gt;');
    expect(renderRecordsTable(['plain', 3]).html).toContain('<th>value</th>');
  });
});
