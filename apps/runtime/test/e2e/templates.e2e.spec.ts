// The Templates gallery and Integrations screens in a real browser (Debian chromium through playwright-core)
// against the real runtime and its own sandbox: S1 used through the wizard (Togai connection added in place
// with an API token, Books picked), a Togai account → a succeeded run and the Books contact; S4 used through the
// wizard (Zoho CRM connected in place through the sandbox consent popup), the initial sync started in the editor
// with its progress on the page and in a live toast, and a module switched on. One browser, tests in order.
import type { RunningSandbox } from '@braid/sandbox';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxAdmin } from '../../../sandbox/src/test-support/index.js';
import type { TestApp } from '../test-app.js';
import { screenshot } from './browser.js';
import { type EditorSession, startEditorSession } from './session.js';

const OWNER = { email: 'templates-owner@example.com', password: 'owner-password-1', workspace: 'Acme' };
const TOGAI_TOKEN = 'togai_sandbox_api_token_0001';

describe('templates gallery and integrations in a browser', () => {
  let sandbox: RunningSandbox;
  let t: TestApp;
  let page: Page;
  let baseUrl: string;
  let problems: string[];
  let session: EditorSession | undefined;

  beforeAll(async () => {
    session = await startEditorSession({ width: 1280, height: 900 });
    ({ sandbox, t, page, baseUrl, problems } = session);
  }, 300_000);

  afterAll(async () => {
    await session?.close();
  });

  /** Approves the sandbox's Zoho consent page in the popup the add-connection dialog opens. */
  const connectInPopup = async (submit: () => Promise<void>) => {
    const popupOpened = page.waitForEvent('popup');
    await submit();
    const popup = await popupOpened;
    await popup.locator('form#consent').waitFor();
    await popup.locator('button[value=approve]').click();
    await page.getByTestId('add-connection-dialog').waitFor({ state: 'detached' });
    if (!popup.isClosed()) await popup.close();
  };

  it('signs up the owner and connects Zoho Books (consent popup, organisation picked)', async () => {
    await page.goto(baseUrl);
    await page.locator('input[name=email]').fill(OWNER.email);
    await page.locator('input[name=password]').fill(OWNER.password);
    await page.locator('input[name=workspaceName]').fill(OWNER.workspace);
    await page.getByRole('button', { name: 'Create the owner account' }).click();
    await expect.poll(() => page.getByTestId('signed-in-email').textContent()).toBe(OWNER.email);

    await page.getByTestId('nav-connections').click();
    await page.getByTestId('add-connection').click();
    await page.getByTestId('connector-option-zoho-books').click();
    const dialog = page.getByTestId('add-connection-dialog');
    await dialog.getByTestId('connection-name-input').fill('Books – Acme');
    await dialog.getByTestId('data-centre-select').selectOption('us');
    await connectInPopup(() => dialog.getByTestId('connect-submit').click());
    const row = page.getByTestId('connection-row').filter({ hasText: 'Books – Acme' });
    await expect.poll(() => row.getByTestId('organisation-select').locator('option').count()).toBeGreaterThan(1);
    await row.getByTestId('organisation-select').selectOption('10234695');
    await row.getByTestId('organisation-save').click();
    await expect.poll(async () => (await t.query<{ settings: Record<string, unknown> }>(`SELECT settings FROM connections WHERE name = 'Books – Acme'`))[0]?.settings).toEqual({ organizationId: '10234695' });
  });

  it('shows one card per scenario with its apps, connections and modules', async () => {
    await page.getByTestId('nav-templates').click();
    await page.getByTestId('template-gallery').waitFor();
    for (const id of ['s1-platform-accounts-to-books', 's2-platform-invoices-to-books', 's3-books-events-to-platform', 's4-crm-accounts-two-way', 's5-books-payments-two-way', 's6-paid-orders-to-books']) {
      await page.getByTestId(`template-card-${id}`).waitFor();
      await page.getByTestId(`use-template-${id}`).waitFor();
    }
    const s1 = page.getByTestId('template-card-s1-platform-accounts-to-books');
    expect(await s1.locator('h2').textContent()).toBe('Platform accounts → Zoho Books customers');
    expect(await s1.getByTestId('template-connection-togai').textContent()).toContain('Togai');
    expect(await s1.getByTestId('template-connection-books').textContent()).toContain('Zoho Books');
    expect(await s1.locator('img.connector-icon, .connector-icon').count()).toBe(2);
    expect(await page.getByTestId('template-card-s4-crm-accounts-two-way').textContent()).toContain('Extra addresses');
    await screenshot(page, 'templates-01-gallery');
  });

  let s1IntegrationId: string;

  it('uses S1 through the wizard: Togai added in place with an API token, Books picked, settings, modules → the integration page', async () => {
    await page.getByTestId('use-template-s1-platform-accounts-to-books').click();
    const wizard = page.getByTestId('template-wizard');
    await wizard.getByTestId('wizard-name').fill('Acme accounts → Books');
    await wizard.getByTestId('wizard-next').click();

    // Step 2: Books has exactly one connection (chosen for the user); Togai has none yet: add it in place.
    await expect.poll(() => wizard.getByTestId('wizard-step').getAttribute('data-step')).toBe('connections');
    expect(await wizard.getByTestId('wizard-next').isDisabled()).toBe(true);
    await wizard.getByTestId('slot-add-togai').click();
    const add = page.getByTestId('add-connection-dialog');
    await add.getByTestId('connection-name-input').fill('Togai – billing');
    await add.getByTestId('api-token-input').fill(TOGAI_TOKEN);
    await add.getByTestId('connect-submit').click();
    await add.waitFor({ state: 'detached' });
    await expect.poll(async () => wizard.getByTestId('slot-select-togai').locator('option:checked').textContent()).toBe('Togai – billing');
    expect(await wizard.getByTestId('slot-select-books').locator('option:checked').textContent()).toBe('Books – Acme');
    await screenshot(page, 'templates-02-wizard-connections');
    await wizard.getByTestId('wizard-next').click();

    // Step 3: the settings form from the template's JSON Schema (an enum with its default).
    expect(await wizard.getByTestId('setting-customerSubType').inputValue()).toBe('business');
    await wizard.getByTestId('setting-customerSubType').selectOption('individual');
    await wizard.getByTestId('wizard-next').click();

    // Step 4: modules.
    expect(await wizard.getByTestId('wizard-module-accounts').isChecked()).toBe(true);
    await screenshot(page, 'templates-03-wizard-modules');
    await wizard.getByTestId('wizard-create').click();

    const detail = page.getByTestId('integration-detail');
    await detail.waitFor();
    s1IntegrationId = (await detail.getAttribute('data-integration-id'))!;
    expect(await detail.getByTestId('integration-name').textContent()).toBe('Acme accounts → Books');
    expect(await detail.getByTestId('integration-status').getAttribute('data-status')).toBe('pending-initial-sync');
    expect(await detail.getByTestId('integration-reasons').textContent()).toContain('start the initial sync');
    expect(await detail.getByTestId('integration-flow-sync_accounts').getAttribute('data-enabled')).toBe('true');
    expect(await detail.getByTestId('integration-flow-sync_accounts').textContent()).toContain('v1');
    const stored = await t.query<{ settings: Record<string, unknown> }>('SELECT settings FROM integrations WHERE id = $1', [s1IntegrationId]);
    expect(stored[0]!.settings).toEqual({ customerSubType: 'individual' });
    await screenshot(page, 'templates-04-s1-integration');
  });

  it('S1 runs: a Togai account becomes a Books contact; the flow opens on the canvas from the integration', async () => {
    const response = await fetch(`${sandbox.url}/_admin/console/togai/create-customer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ values: { id: 'gallery-e2e', name: 'Gallery E2E GmbH', email: 'billing@gallery-e2e.test' } }),
    });
    expect(response.status, await response.clone().text()).toBeLessThan(300);
    const detail = page.getByTestId('integration-detail');
    const flowRow = detail.getByTestId('integration-flow-sync_accounts');
    await expect
      .poll(
        async () => {
          await page.reload();
          await detail.waitFor();
          return (await flowRow.locator('.badge').count()) > 0 ? flowRow.locator('.badge').textContent() : null;
        },
        { timeout: 45_000, interval: 1000 },
      )
      .toBe('succeeded');
    const contacts = ((await sandboxAdmin(sandbox.url).state('books')).contacts ?? []) as Array<Record<string, unknown>>;
    expect(contacts.filter((c) => c.email === 'billing@gallery-e2e.test' || (c.contact_persons as Array<{ email?: string }> | undefined)?.some((p) => p.email === 'billing@gallery-e2e.test'))).toHaveLength(1);
    await screenshot(page, 'templates-05-s1-run-succeeded');

    await flowRow.getByTestId('integration-flow-link').click();
    await page.locator('[data-testid=canvas][data-ready=true]').waitFor({ timeout: 30_000 });
    await page.getByTestId('canvas-node-upsert_contact').waitFor();
    await page.goBack();
    await page.getByTestId('integration-detail').waitFor();
  });

  it('uses S4 through the wizard (Zoho CRM connected in place through the consent popup), runs the initial sync with live progress, switches a module on', async () => {
    await page.getByTestId('tab-gallery').click();
    await page.getByTestId('use-template-s4-crm-accounts-two-way').click();
    const wizard = page.getByTestId('template-wizard');
    await wizard.getByTestId('wizard-name').fill('Acme CRM ↔ Togai');
    await wizard.getByTestId('wizard-next').click();
    expect(await wizard.getByTestId('slot-select-togai').locator('option:checked').textContent()).toBe('Togai – billing');
    await wizard.getByTestId('slot-add-crm').click();
    const add = page.getByTestId('add-connection-dialog');
    await add.getByTestId('connection-name-input').fill('CRM – Acme');
    await connectInPopup(() => add.getByTestId('connect-submit').click());
    await expect.poll(async () => wizard.getByTestId('slot-select-crm').locator('option:checked').textContent()).toBe('CRM – Acme');
    await wizard.getByTestId('wizard-next').click();
    await wizard.getByText('This template has no settings.').waitFor();
    await wizard.getByTestId('wizard-next').click();
    expect(await wizard.getByTestId('wizard-module-accounts').isChecked()).toBe(true);
    expect(await wizard.getByTestId('wizard-module-extra-addresses').isChecked()).toBe(false);
    await wizard.getByTestId('wizard-create').click();

    const detail = page.getByTestId('integration-detail');
    await expect.poll(async () => detail.getByTestId('integration-name').textContent()).toBe('Acme CRM ↔ Togai');
    expect(await detail.getByTestId('integration-status').getAttribute('data-status')).toBe('pending-initial-sync');
    const progress = detail.getByTestId('initial-sync-progress');
    expect(await progress.getAttribute('data-status')).toBe('not-started');

    await detail.getByTestId('initial-sync').click();
    // The live toast follows the progress endpoint; the page shows the same numbers.
    await expect.poll(() => page.getByTestId('toast').filter({ hasText: /Initial sync (running|finished)/ }).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => progress.getAttribute('data-status'), { timeout: 90_000, interval: 500 }).toBe('succeeded');
    const done = Number(await progress.getAttribute('data-done'));
    expect(done).toBeGreaterThan(0);
    expect(await progress.getAttribute('data-failed')).toBe('0');
    expect(await page.getByTestId('toast').filter({ hasText: `Initial sync finished: ${done}` }).count()).toBe(1);
    await screenshot(page, 'templates-06-s4-initial-sync');
    await expect.poll(async () => detail.getByTestId('integration-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('active');
    const imported = await t.query<{ n: string }>(`SELECT count(*)::text AS n FROM record_links WHERE workspace_id = (SELECT workspace_id FROM integrations WHERE name = 'Acme CRM ↔ Togai')`);
    expect(Number(imported[0]!.n)).toBeGreaterThanOrEqual(done);

    // A module switch enables the flow behind it (PATCH), and the list shows both integrations.
    expect(await detail.getByTestId('integration-flow-extra_addresses').getAttribute('data-enabled')).toBe('false');
    await detail.locator('label.switch:has([data-testid=integration-module-extra-addresses])').click();
    await expect.poll(() => detail.getByTestId('integration-flow-extra_addresses').getAttribute('data-enabled')).toBe('true');
    expect(await detail.getByTestId('integration-module-extra-addresses').isChecked()).toBe(true);
    await page.getByTestId('tab-integrations').click();
    await expect.poll(() => page.getByTestId('integration-row').count()).toBe(2);
    await screenshot(page, 'templates-07-integrations-list');
  });

  it('uses S5: its account settings are dropdowns filled from the Books chart of accounts; a setting the API refuses is shown under its field', async () => {
    await page.getByTestId('tab-gallery').click();
    await page.getByTestId('use-template-s5-books-payments-two-way').click();
    const wizard = page.getByTestId('template-wizard');
    await wizard.getByTestId('wizard-next').click();
    expect(await wizard.getByTestId('slot-select-books').locator('option:checked').textContent()).toBe('Books – Acme');
    expect(await wizard.getByTestId('slot-select-togai').locator('option:checked').textContent()).toBe('Togai – billing');
    await wizard.getByTestId('wizard-next').click();

    const deposit = wizard.getByTestId('setting-depositAccountId');
    const bank = wizard.getByTestId('setting-bankAccountId');
    expect(await deposit.getAttribute('data-options-key')).toBe('deposit_accounts');
    await expect.poll(() => deposit.locator('option').count()).toBeGreaterThan(1);
    await expect.poll(() => bank.locator('option').count()).toBeGreaterThan(1);
    const depositLabels = await deposit.locator('option').allTextContents();
    expect(depositLabels.some((label) => /undeposited/i.test(label)), depositLabels.join(', ')).toBe(true);
    await deposit.selectOption({ label: depositLabels.find((label) => /undeposited/i.test(label))! });
    await bank.selectOption({ index: 1 });
    const fees = wizard.getByTestId('setting-feesAccountId');
    expect(await fees.getAttribute('data-options-key')).toBe('expense_accounts');
    await expect.poll(() => fees.locator('option').count()).toBeGreaterThan(1);
    await fees.selectOption({ label: 'Payment Processing Fees' });
    await wizard.getByTestId('setting-processingFeePercent').fill('150');
    await screenshot(page, 'templates-08-s5-settings');
    await wizard.getByTestId('wizard-next').click();
    await wizard.getByTestId('wizard-create').click();

    // The runtime refuses the fee (maximum 100): the wizard goes back to the settings and shows it on the field.
    await wizard.getByTestId('setting-error-processingFeePercent').waitFor();
    expect(await wizard.getByTestId('wizard-step').getAttribute('data-step')).toBe('settings');
    expect(await wizard.getByTestId('setting-error-processingFeePercent').textContent()).toMatch(/100/);
    await screenshot(page, 'templates-09-s5-settings-refused');
    await wizard.getByTestId('setting-processingFeePercent').fill('2.5');
    await wizard.getByTestId('wizard-next').click();
    await wizard.getByTestId('wizard-create').click();

    const detail = page.getByTestId('integration-detail');
    await expect.poll(async () => detail.getByTestId('integration-name').textContent()).toBe('Zoho Books ↔ platform payments');
    const stored = await t.query<{ settings: Record<string, unknown> }>(`SELECT settings FROM integrations WHERE template_id = 's5-books-payments-two-way'`);
    expect(stored[0]!.settings).toMatchObject({ depositAccountId: await detail.getByTestId('setting-depositAccountId').inputValue(), processingFeePercent: 2.5, processingFeeFixed: 0 });
    expect(stored[0]!.settings.bankAccountId).toMatch(/^[0-9]+$/);
    expect(stored[0]!.settings.feesAccountId).toMatch(/^[0-9]+$/);
    await screenshot(page, 'templates-10-s5-integration');
    expect(problems).toEqual([]);
  });
});
