// Runs in a real browser (Debian chromium through playwright-core) against the real runtime: a published flow
// with a branch runs once down each path (one run succeeds, one fails); the run detail draws the flow's graph
// with each node coloured by its step status, a click (or Enter on a focused node) opens the step's output; the
// Runs list and the run detail show each run's outcome. One browser, tests in order.
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, TestApp } from '../test-app.js';
import { screenshot, screenshotDir } from './browser.js';
import { type EditorSession, startEditorSession } from './session.js';

/** expect.poll with waits fit for a shared machine. */
const poll = <T>(read: () => T | Promise<T>, options: { timeout?: number } = {}) => expect.poll(read, { timeout: 30_000, interval: 200, ...options });

/** The one browser global the colour checks use (the runtime's tsconfig has no DOM types). */
interface StyleGlobals {
  getComputedStyle(element: unknown): Record<'borderTopColor' | 'borderTopStyle', string>;
}
const computed = (locator: Locator, property: 'borderTopColor' | 'borderTopStyle') =>
  locator.evaluate((element, name) => (globalThis as unknown as StyleGlobals).getComputedStyle(element)[name], property);

const OWNER = { email: 'runs-owner@example.com', password: 'owner-password-1', workspace: 'Acme' };

const ordersFlow = {
  schemaVersion: 1,
  name: 'Orders by size',
  direction: 'inbound',
  trigger: { connector: 'core', trigger: 'manual', config: { payloadSchema: { type: 'object', properties: { order: { type: 'string' }, amount: { type: 'number' } } } } },
  start: 'size',
  steps: {
    size: {
      kind: 'branch', id: 'size', title: 'Big order?',
      branches: [{ id: 'big', label: 'Big', condition: { $expr: '$trigger.amount >= 100' }, start: 'label' }],
      else: { start: 'reject' },
    },
    label: { kind: 'map', id: 'label', title: 'Label the order', output: { label: { $expr: '"big order " & $trigger.order' } } },
    reject: { kind: 'action', id: 'reject', title: 'Reject small orders', connector: 'core', action: 'fail', input: { message: { $expr: '"too small: " & $trigger.order' } } },
  },
};

describe('runs in a browser', { timeout: 180_000 }, () => {
  let t: TestApp;
  let page: Page;
  let baseUrl: string;
  let problems: string[];
  let session: EditorSession | undefined;
  let api: Client;
  let ws: string;
  const runIds: Record<'big' | 'small', string> = { big: '', small: '' };

  beforeAll(async () => {
    session = await startEditorSession({ width: 1280, height: 860 });
    ({ t, page, baseUrl, problems } = session);
  }, 300_000);

  afterAll(async () => {
    await session?.close();
  });

  const runStatus = async (id: string) => (await t.query<{ status: string }>('SELECT status FROM runs WHERE id = $1', [id]))[0]?.status;

  it('runs a published flow with a branch down each path: one run succeeds, one fails', async () => {
    await page.goto(baseUrl);
    await page.locator('input[name=email]').waitFor({ timeout: 60_000 });
    await page.locator('input[name=email]').fill(OWNER.email);
    await page.locator('input[name=password]').fill(OWNER.password);
    await page.locator('input[name=workspaceName]').fill(OWNER.workspace);
    await page.getByRole('button', { name: 'Create the owner account' }).click();
    await poll(() => page.getByTestId('signed-in-email').textContent()).toBe(OWNER.email);

    api = t.agent();
    expect((await api.login(OWNER.email, OWNER.password)).status).toBe(200);
    ws = (await t.query<{ id: string }>('SELECT id FROM workspaces'))[0]!.id;
    const created = await api.post(`/api/v1/workspaces/${ws}/flows`).send({ definition: ordersFlow });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const flowId = created.body.id as string;
    const published = await api.post(`/api/v1/workspaces/${ws}/flows/${flowId}/publish`);
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    for (const [key, payload] of [['big', { order: 'A-1', amount: 500 }], ['small', { order: 'A-2', amount: 5 }]] as const) {
      const run = await api.post(`/api/v1/workspaces/${ws}/flows/${flowId}/runs`).send({ payload });
      expect(run.status, JSON.stringify(run.body)).toBe(202);
      runIds[key] = run.body.runId as string;
    }
    await poll(() => runStatus(runIds.big), { timeout: 60_000 }).toBe('succeeded');
    await poll(() => runStatus(runIds.small), { timeout: 60_000 }).toBe('failed');
  });

  it('shows each run\'s outcome in the Runs list', async () => {
    await page.getByTestId('nav-runs').click();
    const row = (id: string) => page.locator(`[data-testid=run-row][data-run-id="${id}"]`);
    await poll(() => row(runIds.small).getByTestId('run-summary').textContent()).toBe('failed at reject: too small: A-2');
    expect(await row(runIds.big).getByTestId('run-summary').textContent()).toBe('completed: 2 steps');
    expect(await page.getByTestId('runs-table').locator('th').allTextContents()).toContain('Outcome');
    await screenshot(page, 'runs-00-list-outcomes');
  });

  it('draws a succeeded run as the flow\'s graph coloured by step status; a click opens a step\'s output', async () => {
    await page.locator(`[data-testid=run-row][data-run-id="${runIds.big}"]`).getByTestId('run-link').click();
    const detail = page.getByTestId('run-detail');
    await poll(() => detail.getAttribute('data-status')).toBe('succeeded');
    const node = (id: string) => detail.getByTestId('run-graph').locator(`[data-testid=run-node][data-step-id=${id}]`);
    await node('label').waitFor();
    expect(await detail.getByTestId('run-detail-outcome').textContent()).toBe('Outcome: completed: 2 steps');
    expect(await node('trigger').getAttribute('data-status')).toBe('succeeded');
    expect(await node('size').getAttribute('data-status')).toBe('succeeded');
    expect(await node('label').getAttribute('data-status')).toBe('succeeded');
    expect(await node('reject').getAttribute('data-status')).toBe('not-run');
    // The colours are the statuses' (green border for succeeded, dashed for a path not taken).
    expect(await computed(node('label'), 'borderTopColor')).toBe('rgb(23, 178, 106)');
    expect(await computed(node('reject'), 'borderTopStyle')).toBe('dashed');

    await node('label').click();
    const panel = detail.getByTestId('run-step-panel');
    await poll(() => panel.getAttribute('data-step-id')).toBe('label');
    expect(await panel.getByTestId('json-output').locator('pre').textContent()).toContain('big order A-1');
    await screenshot(page, 'runs-01-run-graph-succeeded');
  });

  it('draws a failed run with the failing step red and open; Enter on a focused node opens it', async () => {
    await page.goto(`${baseUrl}/runs/${runIds.small}`);
    const detail = page.getByTestId('run-detail');
    await poll(() => detail.getAttribute('data-status')).toBe('failed');
    const node = (id: string) => detail.getByTestId('run-graph').locator(`[data-testid=run-node][data-step-id=${id}]`);
    await node('reject').waitFor();
    expect(await node('reject').getAttribute('data-status')).toBe('failed');
    expect(await node('label').getAttribute('data-status')).toBe('not-run');
    expect(await computed(node('reject'), 'borderTopColor')).toBe('rgb(240, 68, 56)');
    const panel = detail.getByTestId('run-step-panel');
    // A failed run opens on its failing step, with the error.
    await poll(() => panel.getAttribute('data-step-id')).toBe('reject');
    expect(await panel.getByTestId('step-error').textContent()).toContain('too small: A-2');
    expect(await panel.getByTestId('step-execution').getAttribute('data-status')).toBe('failed');
    await detail.getByTestId('run-error').waitFor();
    await screenshot(page, 'runs-02-run-graph-failed');

    // Keyboard: the nodes are focusable; Enter opens the focused one.
    await detail.getByTestId('run-graph').locator('.react-flow__node[data-id=size]').focus();
    await page.keyboard.press('Enter');
    await poll(() => panel.getAttribute('data-step-id')).toBe('size');
    expect(await panel.getByTestId('json-output').locator('pre').textContent()).toContain('"branchId": null');
    await detail.getByTestId('replay-original').waitFor();
    expect(problems).toEqual([]);
  });
  it('edits an upsert-with-link step with forms: match keys in order, field mapper with its locked pair, conflict rule', async () => {
    const definition = {
      schemaVersion: 1,
      name: 'Orders → Books contacts',
      direction: 'outbound',
      trigger: { connector: 'core', trigger: 'manual', config: {} },
      start: 'upsert',
      steps: {
        upsert: {
          kind: 'upsertWithLink', id: 'upsert', title: 'Find or create the contact', connector: 'zoho-books',
          source: { app: 'togai', type: 'account', id: { $expr: '$trigger.id' } }, target: { type: 'contact' },
          create: { action: 'create_contact', input: {}, idPath: 'contact_id' },
        },
      },
    };
    const created = await api.post(`/api/v1/workspaces/${ws}/flows`).send({ definition });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const flowId = created.body.id as string;
    await page.goto(`${baseUrl}/flows/${flowId}`);
    await page.getByTestId('flow-editor').waitFor();
    await page.getByTestId('canvas-node-upsert').click();
    const panel = page.getByTestId('upsert-panel');
    const saved = () => poll(() => page.getByTestId('save-status').getAttribute('data-status')).toBe('saved');

    // The create action's mandatory pair is there from the start, locked.
    const rows = panel.getByTestId('mapper-row');
    await poll(() => rows.first().getByTestId('mapper-target').inputValue()).toBe('contact_name');
    expect(await rows.first().getByTestId('mapper-target').getAttribute('readonly')).not.toBeNull();
    expect(await rows.first().getByTestId('mapper-remove').isDisabled()).toBe(true);
    await rows.first().locator('textarea').fill('$trigger.name');
    await panel.getByTestId('mapper-add').click();
    await rows.nth(1).getByTestId('mapper-target').fill('email');
    await rows.nth(1).locator('textarea').fill('$trigger.email');
    // The mapped fields are not asked for again in the create form.
    expect(await panel.getByTestId('upsert-create').getByTestId('input-contact_name').count()).toBe(0);

    // Two match keys, the second moved first.
    for (const [index, field, source] of [[0, 'email', '$trigger.email'], [1, 'contact_name', '$trigger.name']] as const) {
      await panel.getByTestId('upsert-add-find').click();
      const call = panel.getByTestId(`upsert-find-${index}-call`);
      await call.getByTestId(`upsert-find-${index}-call-action`).selectOption('find_contact');
      await call.getByTestId(`toggle-expression-${field}`).click();
      await call.getByTestId(`expression-${field}`).fill(source);
    }
    await panel.getByTestId('upsert-find-1-key').fill('name');
    await panel.getByTestId('upsert-find-1-up').click();
    await panel.getByTestId('upsert-conflict').selectOption('source-wins');
    // Update a found record: the update action starts with its id field set to the found record's id.
    await panel.getByTestId('upsert-update-enabled').check();
    await panel.getByTestId('upsert-update-action').selectOption('update_contact');
    await saved();

    const step = (await api.get(`/api/v1/workspaces/${ws}/flows/${flowId}`)).body.draft.steps.upsert;
    expect(step.find.map((rule: { key: string }) => rule.key)).toEqual(['name', 'email']);
    expect(step.find[0]).toMatchObject({ action: 'find_contact', input: { contact_name: { $expr: '$trigger.name' } }, idPath: 'contact_id' });
    expect(step.find[1]).toMatchObject({ action: 'find_contact', input: { email: { $expr: '$trigger.email' } } });
    expect(step.mapping.pairs).toEqual([{ source: { $expr: '$trigger.name' }, target: 'contact_name' }, { source: { $expr: '$trigger.email' }, target: 'email' }]);
    expect(step.sync).toMatchObject({ conflict: 'source-wins' });
    expect(step.update).toEqual({ action: 'update_contact', input: { contact_id: { $expr: '$target.id' } } });
    // Valid: the only thing left before publishing is the Books connection.
    const validation = await api.post(`/api/v1/workspaces/${ws}/flows/${flowId}/validate`);
    const stepProblems = (validation.body.problems as Array<{ pointer: string; message: string }>).filter((p) => p.pointer.startsWith('/steps/upsert'));
    expect(stepProblems.filter((p) => !p.pointer.endsWith('/connectionRef')), JSON.stringify(stepProblems)).toEqual([]);
    await screenshot(page, 'runs-03-upsert-panel');
    // The panel scrolls on its own: one view of the match keys, one of the mapping and the conflict rule.
    for (const [part, name] of [['upsert-find-list', 'runs-04-upsert-match-keys'], ['field-mapper', 'runs-05-upsert-mapping']] as const) {
      await panel.getByTestId(part).scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
    }
    expect(problems).toEqual([]);
  });
});
