// S4 end to end: CRM connected through the real OAuth code flow, Togai by API token; the initial sync imports the
// CRM accounts with progress and links an existing Togai account of the same name; later checks take only what
// changed; a change written by Braid on one side comes back as an echo and is skipped; the CRM 429 is retried; a
// second check and a replay create nothing twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obtainZohoTokens } from '../../../sandbox/src/test-support/index.js';
import { type ConnectionsHarness, connectViaOAuth } from '../connections/test-support/connections.fixtures.js';
import { TriggersService } from '../triggers/triggers.service.js';
import { type E2eHarness, type Json, startE2eHarness, stepOutput } from './test-support/e2e.harness.js';

const CRM_ORG = '60001234';

describe('S4 template: Zoho CRM accounts ↔ Togai customers (against the sandbox)', () => {
  let h: E2eHarness;
  let crmConnection: string;
  let crmToken: string;
  let crmApi: string;

  async function crm(method: string, path: string, body?: unknown): Promise<Json> {
    const response = await fetch(`${crmApi}/crm/v8${path}`, {
      method,
      headers: { authorization: `Zoho-oauthtoken ${crmToken}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`CRM ${method} ${path}: ${response.status} ${text}`);
    return text ? (JSON.parse(text) as Json) : {};
  }

  async function crmAccounts(): Promise<Json[]> {
    return ((await crm('GET', '/Accounts?fields=Account_Name,Email,Currency&per_page=200')).data as Json[]) ?? [];
  }

  async function togaiAccounts(): Promise<Json[]> {
    return (await h.togai('/accounts?pageSize=50')).body.data as Json[];
  }

  /** Waits until the flow's polling trigger has taken its starting point (the first poll after arming). */
  async function pollerReady(flowId: string): Promise<void> {
    for (let i = 0; i < 300; i++) {
      const rows = await h.t.query<{ cursor: unknown }>('SELECT cursor FROM trigger_states WHERE flow_id = $1', [flowId]);
      if (rows[0]?.cursor) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`flow ${flowId}: the first poll did not happen`);
  }

  /** Waits until the flow's runs settle (finished and unchanged for a moment) and returns them, oldest first. */
  async function settledRuns(flowId: string, atLeast: number): Promise<Json[]> {
    let last = -1;
    for (let i = 0; i < 200; i++) {
      const runs = await h.runs(flowId);
      const busy = runs.some((r) => !['succeeded', 'failed', 'cancelled'].includes(r.status as string));
      if (!busy && runs.length >= atLeast && runs.length === last) return Promise.all(runs.map((r) => h.run(r.id as string)));
      last = busy ? -1 : runs.length;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`flow ${flowId}: runs did not settle`);
  }

  const idsOf = (runs: Array<{ id?: unknown }>) => new Set(runs.map((r) => r.id as string));

  /** Runs of the flow not in `seen`, once at least `atLeast` of them exist and all runs have settled. */
  async function newRuns(flowId: string, seen: Set<string>, atLeast: number): Promise<Json[]> {
    const runs = await settledRuns(flowId, seen.size + atLeast);
    return runs.filter((r) => !seen.has(r.id as string));
  }

  beforeAll(async () => {
    h = await startE2eHarness();
    crmConnection = await connectViaOAuth({ owner: h.owner, base: h.api('/connections') } as unknown as ConnectionsHarness, { connectorKey: 'zoho-crm', name: 'Acme CRM' });
    const tokens = await obtainZohoTokens(h.sandbox.url, { scopes: ['ZohoCRM.modules.ALL'], crmOrgId: CRM_ORG });
    crmToken = tokens.accessToken;
    crmApi = tokens.apiDomain;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('initial sync with progress and dedupe by name, incremental changes both ways, no echo, last writer wins, no duplicates, a CRM 429 retried, mandatory mapper pairs, extra addresses module', async () => {
    // An account that already exists in Togai under a CRM account's name: it must be linked, not duplicated.
    const existing = await h.togai('/customers', {
      method: 'POST',
      body: { id: 'initech-us', name: 'Initech', primaryEmail: 'ap@initech.example', address: { city: 'Austin' }, account: { id: 'initech-billing', name: 'Initech', invoiceCurrency: 'USD' } },
    });
    expect(existing.status, JSON.stringify(existing.body)).toBe(201);
    const crmBefore = await crmAccounts();
    const idOf = (name: string) => crmBefore.find((a) => a.Account_Name === name)!.id as string;
    const contactsBefore = ((await crm('GET', '/Contacts?fields=First_Name,Last_Name,Email,Account_Name&per_page=200')).data as Json[]) ?? [];

    const integration = await h.createIntegration('s4-crm-accounts-two-way', { connections: { crm: crmConnection, togai: h.togaiConnection } });
    expect(integration.status).toBe('pending-initial-sync');
    expect((integration.modules as Json[]).map((m) => [m.key, m.enabled])).toEqual([['accounts', true], ['contacts', true], ['extra-addresses', false]]);
    const flow = (key: string) => (integration.flows as Json[]).find((f) => f.key === key)!.flowId as string;

    // Initial sync: every CRM account (and every contact), with progress.
    const started = await h.owner.client.post(h.api(`/integrations/${integration.id}/initial-sync`)).send({});
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    let progress: Json = started.body as Json;
    for (let i = 0; i < 300 && progress.status === 'running'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      progress = (await h.owner.client.get(h.api(`/integrations/${integration.id}/initial-sync`))).body as Json;
    }
    expect(progress).toMatchObject({ status: 'succeeded', failed: 0, done: crmBefore.length + contactsBefore.length });
    const imported = await settledRuns(flow('crm_to_togai'), crmBefore.length);
    expect(imported.map((r) => r.status)).toEqual(crmBefore.map(() => 'succeeded'));
    const paths = Object.fromEntries(imported.map((r) => [stepOutput(r, 'upsert_account')!.sourceId, stepOutput(r, 'upsert_account')]));
    expect(paths[idOf('Initech')]).toMatchObject({ path: 'matched', matchedBy: 'name', targetId: 'initech-billing' });
    expect(paths[idOf('Zylker Inc')]).toMatchObject({ path: 'created', targetId: `crm-${idOf('Zylker Inc')}` });
    const accounts = await togaiAccounts();
    expect(accounts.filter((a) => a.name === 'Initech')).toHaveLength(1);
    expect(accounts.find((a) => a.id === `crm-${idOf('Zylker Inc')}`)).toMatchObject({ name: 'Zylker Inc', invoiceCurrency: 'USD', primaryEmail: 'billing@zylker.example' });
    expect(accounts.find((a) => a.id === `crm-${idOf('Globex Corporation')}`)).toMatchObject({ invoiceCurrency: 'EUR' });
    expect(JSON.stringify(await h.links('togai', 'account', 'initech-billing'))).toContain(idOf('Initech'));
    expect((await h.owner.client.get(h.api(`/integrations/${integration.id}`))).body).toMatchObject({ status: 'active' });

    // Braid's writes to Togai come back as Togai account events: the reverse flow recognises every one as an echo and
    // writes nothing to CRM (the fingerprint is stored before the write, so no event can overtake it).
    const crmState = async () => (await crmAccounts()).map((a) => [a.id, a.Account_Name, a.Email, a.Currency].join('|')).sort();
    const crmImported = await crmState();
    const echoes = await settledRuns(flow('togai_to_crm'), 1);
    expect(echoes.map((r) => [r.status, stepOutput(r, 'upsert_crm_account')!.path, stepOutput(r, 'upsert_crm_account')!.reason])).toEqual(echoes.map(() => ['succeeded', 'skipped', 'echo']));
    expect(await crmState()).toEqual(crmBefore.map((a) => [a.id, a.Account_Name, a.Email, a.Currency].join('|')).sort());
    expect(crmImported).toEqual(await crmState());

    // Incremental: only the account changed since the last check is processed.
    const triggers = h.t.braid.app.get(TriggersService);
    await triggers.pollFlow(flow('crm_to_togai'));
    let seenCrm = idsOf(await settledRuns(flow('crm_to_togai'), imported.length));
    expect(seenCrm.size).toBe(imported.length);
    await crm('PUT', `/Accounts/${idOf('Zylker Inc')}`, { data: [{ Email: 'finance@zylker.example' }] });
    await triggers.pollFlow(flow('crm_to_togai'));
    const incremental = await newRuns(flow('crm_to_togai'), seenCrm, 1);
    expect(incremental.map((r) => [r.status, stepOutput(r, 'upsert_account')?.sourceId, stepOutput(r, 'upsert_account')?.path])).toEqual([['succeeded', idOf('Zylker Inc'), 'linked']]);
    expect((await h.togai(`/accounts/crm-${idOf('Zylker Inc')}`)).body.primaryEmail).toBe('finance@zylker.example');
    let seenTogai = idsOf(echoes);
    const zylkerEcho = await newRuns(flow('togai_to_crm'), seenTogai, 1);
    expect(zylkerEcho.every((r) => r.status === 'succeeded')).toBe(true);
    expect((await crmAccounts()).find((a) => a.id === idOf('Zylker Inc'))).toMatchObject({ Email: 'finance@zylker.example' });
    await triggers.pollFlow(flow('crm_to_togai'));
    const absorbed = await newRuns(flow('crm_to_togai'), new Set([...seenCrm, ...idsOf(incremental)]), 0);
    expect(absorbed.every((r) => stepOutput(r, 'upsert_account')!.reason === 'echo')).toBe(true);
    seenCrm = idsOf(await settledRuns(flow('crm_to_togai'), 1));
    seenTogai = idsOf(await settledRuns(flow('togai_to_crm'), 1));

    // Togai → CRM, while CRM answers one 429: the linked CRM account is renamed (not a new one).
    await h.admin.armFault({ service: 'crm', kind: 'rate-limit', count: 1, pathContains: '/Accounts' });
    const renamed = await h.togai(`/accounts/crm-${idOf('Globex Corporation')}`, { method: 'PATCH', body: { name: 'Globex International' } });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    const [reverse] = await newRuns(flow('togai_to_crm'), seenTogai, 1);
    expect(await (await fetch(`${h.sandbox.url}/_admin/faults`)).json()).toMatchObject({ faults: [] }); // the 429 was served
    expect(reverse!.status, JSON.stringify(reverse!.error)).toBe('succeeded');
    expect(stepOutput(reverse!, 'upsert_crm_account')).toMatchObject({ path: 'linked', targetId: idOf('Globex Corporation') });
    const crmAfter = await crmAccounts();
    expect(crmAfter.length).toBe(crmBefore.length);
    expect(crmAfter.find((a) => a.id === idOf('Globex Corporation'))).toMatchObject({ Account_Name: 'Globex International' });
    seenTogai = idsOf(await settledRuns(flow('togai_to_crm'), 1));

    // That CRM change comes back on the next check: skipped as the echo of the reverse run; nothing written to Togai.
    await triggers.pollFlow(flow('crm_to_togai'));
    const back = await newRuns(flow('crm_to_togai'), seenCrm, 1);
    expect(back.map((r) => [stepOutput(r, 'upsert_account')?.sourceId, stepOutput(r, 'upsert_account')?.path, stepOutput(r, 'upsert_account')?.echoOfRunId])).toEqual([
      [idOf('Globex Corporation'), 'skipped', reverse!.id],
    ]);
    seenCrm = idsOf(await settledRuns(flow('crm_to_togai'), 1));

    // Again: a check with no changes starts nothing; a replay of the reverse run finds the link.
    await triggers.pollFlow(flow('crm_to_togai'));
    expect(await newRuns(flow('crm_to_togai'), seenCrm, 0)).toEqual([]);
    const replay = await h.owner.client.post(h.api(`/runs/${reverse!.id}/replay`)).send({});
    expect(replay.status, replay.text).toBeLessThan(300);
    const [replayed] = await newRuns(flow('togai_to_crm'), seenTogai, 1);
    expect(stepOutput(replayed!, 'upsert_crm_account')).toMatchObject({ targetId: idOf('Globex Corporation') });
    expect((await crmAccounts()).filter((a) => String(a.Account_Name).startsWith('Globex'))).toHaveLength(1);
    expect((await togaiAccounts()).filter((a) => ['Globex International', 'Globex Corporation'].includes(a.name as string)).map((a) => a.id)).toEqual([`crm-${idOf('Globex Corporation')}`]);
    seenTogai = idsOf(await settledRuns(flow('togai_to_crm'), 1));

    // A change on both sides between two syncs: last writer wins. CRM changes Zylker's email, then (a second later)
    // Togai changes it too: the Togai run sees that CRM changed since the last sync, Togai's later change wins, and
    // the CRM version it overwrote is kept in the run.
    await crm('PUT', `/Accounts/${idOf('Zylker Inc')}`, { data: [{ Email: 'crm-side@zylker.example' }] });
    await new Promise((resolve) => setTimeout(resolve, 1100)); // CRM times have second precision
    await h.togai(`/accounts/crm-${idOf('Zylker Inc')}`, { method: 'PATCH', body: { primaryEmail: 'togai-side@zylker.example' } });
    const [conflictRun] = await newRuns(flow('togai_to_crm'), seenTogai, 1);
    expect(stepOutput(conflictRun!, 'upsert_crm_account')).toMatchObject({
      path: 'linked',
      conflict: { rule: 'last-writer-wins', winner: 'source', losing: expect.objectContaining({ Email: 'crm-side@zylker.example' }) },
    });
    expect((await crmAccounts()).find((a) => a.id === idOf('Zylker Inc'))).toMatchObject({ Email: 'togai-side@zylker.example' });
    await triggers.pollFlow(flow('crm_to_togai'));
    // The CRM writes Braid made since the last check (the replayed Globex rename, the Zylker conflict winner) are echoes.
    const sinceLast = (await newRuns(flow('crm_to_togai'), seenCrm, 2)).map((r) => stepOutput(r, 'upsert_account')!);
    expect(sinceLast.map((o) => [o.sourceId, o.path, o.reason]).sort()).toEqual([[idOf('Zylker Inc'), 'skipped', 'echo'], [idOf('Globex Corporation'), 'skipped', 'echo']].sort());
    expect((await h.togai(`/accounts/crm-${idOf('Zylker Inc')}`)).body.primaryEmail).toBe('togai-side@zylker.example');

    // The field mapper's mandatory pairs: a draft without "currency → Currency" cannot be published (named).
    const detail = (await h.owner.client.get(h.api(`/flows/${flow('togai_to_crm')}`))).body as Json;
    const draft = structuredClone(detail.draft) as Json;
    const step = (draft.steps as Json).upsert_crm_account as Json;
    (step.mapping as Json).pairs = ((step.mapping as Json).pairs as Json[]).filter((p) => p.target !== 'Currency');
    const saved = await h.owner.client.put(h.api(`/flows/${flow('togai_to_crm')}/draft`)).send({ definition: draft });
    expect(saved.status, saved.text).toBe(200);
    const publish = await h.owner.client.post(h.api(`/flows/${flow('togai_to_crm')}/publish`)).send({});
    expect(publish.status).toBe(400);
    expect(publish.text).toContain('must map \\"Currency\\"');

    // Extra addresses (custom CRM module "Addresses", off by default): switched on, the account's main billing
    // address record changed in CRM becomes the Togai account's address.
    const switched = await h.owner.client.patch(h.api(`/integrations/${integration.id}`)).send({ modules: { 'extra-addresses': true } });
    expect(switched.status, switched.text).toBe(200);
    expect((switched.body.flows as Json[]).find((f) => f.key === 'extra_addresses')).toMatchObject({ enabled: true });
    await pollerReady(flow('extra_addresses'));
    const addresses = ((await crm('GET', '/Addresses?fields=Name,Account,Address_Type,Is_Main,Street,City,Code,Country&per_page=200')).data as Json[]);
    const hq = addresses.find((a) => a.Name === 'Globex HQ')!;
    expect(hq).toMatchObject({ Is_Main: true, Address_Type: 'Billing' });
    await crm('PUT', `/Addresses/${hq.id}`, { data: [{ Street: 'Friedrichstraße 100', Code: '10117' }] });
    await triggers.pollFlow(flow('extra_addresses'));
    const [addressRun] = await settledRuns(flow('extra_addresses'), 1);
    expect(addressRun!.status, JSON.stringify(addressRun!.error)).toBe('succeeded');
    expect((await h.togai(`/accounts/crm-${idOf('Globex Corporation')}`)).body.address).toMatchObject({ line1: 'Friedrichstraße 100', city: 'Berlin', postalCode: '10117', country: 'DE' });
  });

  it('contacts (module on by default): the initial sync added each CRM contact to the linked Togai customer; a new contact appears once, a change or a replay adds no second one; a mapper without the email pair cannot be published', async () => {
    const integration = (await h.owner.client.get(h.api('/integrations'))).body.integrations.find((i: Json) => i.templateId === 's4-crm-accounts-two-way') as Json;
    const flow = (key: string) => (integration.flows as Json[]).find((f) => f.key === key)!.flowId as string;
    const accounts = await crmAccounts();
    const idOf = (name: string) => accounts.find((a) => String(a.Account_Name).startsWith(name))!.id as string;
    const contacts = ((await crm('GET', '/Contacts?fields=First_Name,Last_Name,Email,Account_Name&per_page=200')).data as Json[]) ?? [];
    const togaiContacts = () => (h.sandbox.sandbox.service('togai')!.inspect().contacts ?? []) as Json[];
    const namesOf = (customerId: string) => togaiContacts().filter((c) => c.customerId === customerId).map((c) => c.name).sort();

    const imported = await settledRuns(flow('crm_contacts'), contacts.length);
    expect(imported.map((r) => r.status)).toEqual(contacts.map(() => 'succeeded'));
    expect(imported.map((r) => stepOutput(r, 'upsert_contact')?.path)).toEqual(contacts.map(() => 'created'));
    expect(namesOf(`crm-${idOf('Zylker')}`)).toEqual(['Ada Lovelace', 'Grace Hopper']);
    expect(namesOf(`crm-${idOf('Globex')}`)).toEqual(['Hank Scorpio']);
    expect(namesOf('initech-us')).toEqual(['Peter Gibbons']); // the customer of the account linked by name
    expect(togaiContacts().find((c) => c.name === 'Ada Lovelace')).toMatchObject({ email: 'ada@zylker.example', phone: '+1 415 555 0101', loginAccess: false });

    // A contact created in CRM → on the next check, a contact person of the Togai customer, linked.
    const triggers = h.t.braid.app.get(TriggersService);
    const seen = idsOf(imported);
    const added = await crm('POST', '/Contacts', { data: [{ First_Name: 'Linus', Last_Name: 'Torvalds', Email: 'linus@zylker.example', Phone: '+1 503 555 0142', Account_Name: { id: idOf('Zylker') } }] });
    const linusId = ((added.data as Json[])[0]!.details as Json).id as string;
    await triggers.pollFlow(flow('crm_contacts'));
    const [created] = await newRuns(flow('crm_contacts'), seen, 1);
    expect(created!.status, JSON.stringify(created!.error)).toBe('succeeded');
    const createdOutput = stepOutput(created!, 'upsert_contact')!;
    expect(createdOutput).toMatchObject({ path: 'created', sourceId: linusId });
    const linus = () => togaiContacts().filter((c) => c.email === 'linus@zylker.example');
    expect(linus()).toEqual([expect.objectContaining({ customerId: `crm-${idOf('Zylker')}`, name: 'Linus Torvalds', phone: '+1 503 555 0142', username: createdOutput.targetId })]);
    expect(JSON.stringify(await h.links('zoho-crm', 'contact', linusId))).toContain(createdOutput.targetId as string);
    seen.add(created!.id as string);

    // Fired again: the contact changed in CRM, and a replay of the first run → the link is found, nothing added.
    await new Promise((resolve) => setTimeout(resolve, 1100)); // CRM times have second precision
    await crm('PUT', `/Contacts/${linusId}`, { data: [{ Title: 'CTO' }] });
    await triggers.pollFlow(flow('crm_contacts'));
    const [changed] = await newRuns(flow('crm_contacts'), seen, 1);
    expect(stepOutput(changed!, 'upsert_contact')).toMatchObject({ path: 'linked', sourceId: linusId, targetId: createdOutput.targetId });
    seen.add(changed!.id as string);
    const replay = await h.owner.client.post(h.api(`/runs/${created!.id}/replay`)).send({});
    expect(replay.status, replay.text).toBeLessThan(300);
    const [replayed] = await newRuns(flow('crm_contacts'), seen, 1);
    expect(stepOutput(replayed!, 'upsert_contact')).toMatchObject({ path: 'linked', targetId: createdOutput.targetId });
    seen.add(replayed!.id as string);
    await triggers.pollFlow(flow('crm_contacts'));
    expect(await newRuns(flow('crm_contacts'), seen, 0)).toEqual([]);
    expect(linus()).toHaveLength(1);
    expect(togaiContacts()).toHaveLength(contacts.length + 1);

    // Togai refuses a contact without an email: the create action marks it mandatory, so a mapper without the email
    // pair cannot be published even when the flow's own mandatory list leaves it out.
    const detail = (await h.owner.client.get(h.api(`/flows/${flow('crm_contacts')}`))).body as Json;
    const draft = structuredClone(detail.draft) as Json;
    const mapping = ((draft.steps as Json).upsert_contact as Json).mapping as Json;
    mapping.pairs = (mapping.pairs as Json[]).filter((p) => p.target !== 'email');
    mapping.mandatoryTargets = ['name'];
    expect((await h.owner.client.put(h.api(`/flows/${flow('crm_contacts')}/draft`)).send({ definition: draft })).status).toBe(200);
    const publish = await h.owner.client.post(h.api(`/flows/${flow('crm_contacts')}/publish`)).send({});
    expect(publish.status).toBe(400);
    expect(publish.text).toContain('must map \\"email\\"');
  });
});
