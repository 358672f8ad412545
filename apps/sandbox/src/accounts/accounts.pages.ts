import type { DataCentre, OAuthClient, ZohoUser } from '../core/sandbox.tenants.js';
import { html, htmlPage, raw } from '../console/console.html.js';

export interface OrgOption {
  id: string;
  name: string;
}

export interface ConsentView {
  dc: DataCentre;
  formAction: string;
  appName: string;
  /** the original authorization request, carried as hidden fields */
  request: Record<string, string>;
  scopes: string[];
  users: ZohoUser[];
  selectedUser: ZohoUser;
  booksOrgs?: OrgOption[];
  crmOrgs?: OrgOption[];
}

function safeOrigin(uri: string | undefined): string {
  try {
    const url = new URL(uri ?? '');
    return `${url.origin}${url.pathname}`;
  } catch {
    return '';
  }
}

/** The consent screen: who is signing in (no password — it's a sandbox), which org, approve or deny. */
export function renderConsentPage(view: ConsentView): string {
  const hidden = Object.entries(view.request).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">\n`,
  );
  const userOptions = view.users.map(
    (u) =>
      html`<option value="${u.email}"${raw(u.id === view.selectedUser.id ? ' selected' : '')}>${u.name} &lt;${u.email}&gt; (${u.dc})</option>`,
  );
  const orgSelect = (name: string, label: string, orgs: OrgOption[] | undefined) => {
    if (!orgs) return '';
    if (orgs.length === 0) return html`<p class="error">${view.selectedUser.email} has no ${label} in this data centre.</p>`;
    return html`<label for="${name}">${label}</label><select id="${name}" name="${name}">${orgs.map(
      (o, i) => html`<option value="${o.id}"${raw(i === 0 ? ' selected' : '')}>${o.name} (${o.id})</option>`,
    )}</select>`;
  };
  const body = html`
<div class="card">
  <p><strong>${view.appName}</strong> would like to access the following data in your Zoho account
  (data centre <code>${view.dc.location}</code>):</p>
  <ul>${view.scopes.map((s) => html`<li><code>${s}</code></li>`)}</ul>
  <form method="post" action="${view.formAction}" id="consent">
    ${hidden}
    <label for="user_email">Signed in as</label>
    <select id="user_email" name="user_email" data-switch-user>${userOptions}</select>
    <p class="muted">Sandbox: there is no password. Pick any user; the grant belongs to that user's data centre.</p>
    ${orgSelect('books_org', 'Zoho Books organization', view.booksOrgs)}
    ${orgSelect('crm_org', 'Zoho CRM organization', view.crmOrgs)}
    <p class="muted">After you decide you will be sent to <code>${safeOrigin(view.request.redirect_uri)}</code>.</p>
    <div>
      <button type="submit" name="decision" value="approve">Accept</button>
      <button type="submit" name="decision" value="deny" class="secondary">Reject</button>
    </div>
  </form>
</div>`;
  // Switching user reloads the page so the org pickers show that user's orgs.
  const script = `document.querySelector('[data-switch-user]').addEventListener('change',function(e){var u=new URL(location.href);u.searchParams.set('sandbox_user',e.target.value);location.href=u.toString();});`;
  return htmlPage('Zoho Accounts (sandbox) — Authorize', body, { script });
}

export function renderErrorPage(title: string, message: string): string {
  return htmlPage('Zoho Accounts (sandbox)', html`<div class="card"><h2 class="error">${title}</h2><p>${message}</p></div>`);
}

export interface SelfClientView {
  dc: DataCentre;
  basePath: string;
  users: ZohoUser[];
  clients: Array<OAuthClient & { userEmail: string }>;
  orgs: Array<OrgOption & { service: 'ZohoBooks' | 'ZohoCRM'; userEmail: string }>;
  created?: { clientId: string; clientSecret: string };
  code?: { value: string; ttlMinutes: number; scopes: string[] };
  error?: string;
}

/** The API console's Self Client screen: create a client, generate a code for chosen scopes and org. */
export function renderSelfClientPage(view: SelfClientView): string {
  const body = html`
${view.error ? html`<div class="card error">${view.error}</div>` : ''}
${view.created ? html`<div class="card"><h2 class="ok">Self Client created</h2>
  <p>Client ID: <code data-client-id>${view.created.clientId}</code></p>
  <p>Client Secret: <code data-client-secret>${view.created.clientSecret}</code></p>
  <p class="muted">Copy the secret now; it is not shown again.</p></div>` : ''}
${view.code ? html`<div class="card"><h2 class="ok">Code generated</h2>
  <p>Code: <code data-code>${view.code.value}</code></p>
  <p>Valid for ${view.code.ttlMinutes} minutes for scopes <code>${view.code.scopes.join(',')}</code>.
  Exchange it at <code>${view.basePath}/oauth/v2/token</code> with grant_type=authorization_code and no redirect_uri.</p></div>` : ''}
<div class="card"><h2>Create Self Client</h2>
  <form method="post" action="${view.basePath}/oauth/selfclient/clients">
    <label for="sc-user">Owner</label>
    <select id="sc-user" name="user_email">${view.users.map((u) => html`<option value="${u.email}">${u.name} &lt;${u.email}&gt;</option>`)}</select>
    <div><button type="submit">Create</button></div>
  </form>
</div>
<div class="card"><h2>Generate code</h2>
  ${view.clients.length === 0 ? html`<p class="muted">Create a Self Client first.</p>` : html`
  <form method="post" action="${view.basePath}/oauth/selfclient/codes">
    <label for="gc-client">Self Client</label>
    <select id="gc-client" name="client_id">${view.clients.map((c) => html`<option value="${c.clientId}">${c.clientId} (${c.userEmail})</option>`)}</select>
    <label for="gc-scope">Scopes (comma separated)</label>
    <input id="gc-scope" name="scope" required placeholder="ZohoBooks.fullaccess.all,ZohoCRM.modules.ALL">
    <label for="gc-ttl">Time duration</label>
    <select id="gc-ttl" name="ttl_minutes">${[3, 5, 7, 10].map((m) => html`<option value="${m}">${m} minutes</option>`)}</select>
    <label for="gc-org">Portal / organization</label>
    <select id="gc-org" name="org_id"><option value="">(none)</option>${view.orgs.map(
      (o) => html`<option value="${o.id}">${o.service}: ${o.name} (${o.id}) — ${o.userEmail}</option>`,
    )}</select>
    <div><button type="submit">Create code</button></div>
  </form>`}
</div>
<div class="card"><h2>Self Clients in this data centre</h2>
  <table><tr><th>Client ID</th><th>Owner</th></tr>${view.clients.map(
    (c) => html`<tr><td><code>${c.clientId}</code></td><td>${c.userEmail}</td></tr>`,
  )}</table>
</div>`;
  return htmlPage(`Zoho API Console (sandbox, ${view.dc.location}) — Self Client`, body);
}
