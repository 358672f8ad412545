// S5 end to end: the template's flows created through the API with accounts picked from the Books chart of accounts
// (dynamic options), polls run now through the triggers service, schedules through a manual run, the invoice
// deletion through the app webhook Braid registered in Books. Payments go both ways without echo; the daily deposit
// is net of fees and books the fees to the fees account; a second check, a replay and a second deposit run create
// nothing twice; a Books 429 is retried.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { booksRequest, obtainZohoTokens } from '../../../sandbox/src/test-support/index.js';
import { TriggersService } from '../triggers/triggers.service.js';
import { BOOKS_ORG, type E2eHarness, type Json, startE2eHarness, stepOutput } from './test-support/e2e.harness.js';

/** Outputs of a step inside a loop body (paths like `each_invoice[0]/upsert_payment`), in order. */
function loopOutputs(run: Json, stepId: string): Json[] {
  return (run.steps as Json[]).filter((s) => s.stepId === stepId && String(s.path).endsWith(`/${stepId}`)).map((s) => s.output as Json);
}

describe('S5 template: Zoho Books ↔ platform payments (against the sandbox)', () => {
  let h: E2eHarness;
  let booksToken: string;
  let booksApi: string;

  const books = (method: string, path: string, body?: unknown) =>
    booksRequest({ apiDomain: booksApi, accessToken: booksToken, organizationId: BOOKS_ORG }, method, path, body) as Promise<Json>;

  async function options(key: string): Promise<Array<{ value: string; label: string }>> {
    const response = await h.owner.client.get(h.api(`/connections/${h.booksConnection}/options/${key}`));
    expect(response.status, response.text).toBe(200);
    return response.body.options as Array<{ value: string; label: string }>;
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

  /** Minutes between the flow's last poll and the next one its trigger state has scheduled. */
  async function pollIntervalMinutes(flowId: string): Promise<number> {
    for (let i = 0; i < 100; i++) {
      const [row] = await h.t.query<{ last_run_at: Date | null; next_run_at: Date | null }>('SELECT last_run_at, next_run_at FROM trigger_states WHERE flow_id = $1', [flowId]);
      if (row?.last_run_at && row.next_run_at && row.next_run_at > row.last_run_at) return (row.next_run_at.getTime() - row.last_run_at.getTime()) / 60_000;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`flow ${flowId}: no next poll scheduled`);
  }

  /** Polls now and waits for the runs it started. */
  async function pollNow(flowId: string): Promise<Json[]> {
    const before = (await h.runs(flowId)).length;
    await h.t.braid.app.get(TriggersService).pollFlow(flowId);
    const after = (await h.runs(flowId)).length;
    return (await h.finishedRuns(flowId, after)).slice(before);
  }

  beforeAll(async () => {
    h = await startE2eHarness();
    const tokens = await obtainZohoTokens(h.sandbox.url, { scopes: ['ZohoBooks.fullaccess.all'], booksOrgId: BOOKS_ORG });
    booksToken = tokens.accessToken;
    booksApi = tokens.apiDomain;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('first sync (recent, then older), invoices to Togai, payments both ways without echo or duplicates, the daily deposit net of fees, deleted invoices voided', async () => {
    // The accounts come from the organisation's chart of accounts (the settings form's dropdowns).
    const deposit = (await options('deposit_accounts')).find((o) => /undeposited/i.test(o.label))!;
    const bank = (await options('bank_accounts'))[0]!;
    const feesAccount = (await options('expense_accounts')).find((o) => o.label === 'Payment Processing Fees')!;
    expect(deposit && bank && feesAccount).toBeTruthy();
    const integration = await h.createIntegration('s5-books-payments-two-way', {
      settings: { depositAccountId: deposit.value, bankAccountId: bank.value, feesAccountId: feesAccount.value, processingFeePercent: 2.5, processingFeeFixed: 0.3 },
    });
    expect(integration.status).toBe('pending-initial-sync');
    const flow = (key: string) => (integration.flows as Json[]).find((f) => f.key === key)!.flowId as string;
    for (const key of ['customers', 'invoices', 'books_payments', 'platform_payments']) await pollerReady(flow(key));
    // Customers and invoices are checked every hour, payments every 5 minutes (the triggers' intervalMinutes).
    for (const [key, minutes] of [['customers', 60], ['invoices', 60], ['books_payments', 5], ['platform_payments', 5]] as const) {
      expect(await pollIntervalMinutes(flow(key)), key).toBeCloseTo(minutes, 0);
    }
    const today = new Date().toISOString().slice(0, 10);

    // First sync: the organisation's existing customers and invoices, the last 12 months first, then the older ones.
    const wayne = ((await books('GET', '/contacts?contact_type=customer')).contacts as Json[]).find((c) => c.contact_name === 'Wayne Enterprises')!;
    const old = await books('POST', '/invoices', { customer_id: wayne.contact_id, date: '2023-03-01', line_items: [{ name: 'Legacy retainer', rate: 75, quantity: 1 }] });
    const oldId = (old.invoice as Json).invoice_id as string;
    await books('POST', `/invoices/${oldId}/status/sent`);
    const sync = await h.owner.client.post(h.api(`/integrations/${integration.id}/initial-sync`)).send({});
    expect(sync.status, sync.text).toBe(202);
    let progress = sync.body as Json;
    for (let i = 0; i < 300 && progress.status === 'running'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      progress = (await h.owner.client.get(h.api(`/integrations/${integration.id}/initial-sync`))).body as Json;
    }
    expect(progress).toMatchObject({ status: 'succeeded', failed: 0 });
    expect((progress.flows as Json[]).map((f) => f.flowKey).sort()).toEqual(['customers', 'invoices']);
    expect((await h.owner.client.get(h.api(`/integrations/${integration.id}`))).body).toMatchObject({ status: 'active' });
    const imported = await h.finishedRuns(flow('invoices'), (await h.runs(flow('invoices'))).length);
    const importedIds = imported.map((r) => stepOutput(r, 'upsert_invoice')?.sourceId).filter(Boolean);
    expect(importedIds.at(-1)).toBe(oldId); // the older phase comes after the recent one
    expect(importedIds.length).toBeGreaterThan(1);
    expect(imported.every((r) => r.status === 'succeeded')).toBe(true);

    // A customer and a sent invoice in Books → on the next checks, a Togai customer and invoice, linked.
    const contact = await books('POST', '/contacts', {
      contact_name: 'Quillmate Studios', contact_type: 'customer',
      contact_persons: [{ first_name: 'Ada', last_name: 'Quill', email: 'ada@quillmate.example', is_primary_contact: true }],
    });
    const contactId = (contact.contact as Json).contact_id as string;
    const created = await books('POST', '/invoices', { customer_id: contactId, date: today, line_items: [{ name: 'Design sprint', rate: 200, quantity: 1 }] });
    const invoiceId = (created.invoice as Json).invoice_id as string;
    await books('POST', `/invoices/${invoiceId}/status/sent`);
    const customerRuns = await pollNow(flow('customers'));
    expect(customerRuns.map((r) => [r.status, stepOutput(r, 'upsert_customer')?.targetId])).toContainEqual(['succeeded', `books-${contactId}`]);
    const invoiceRuns = await pollNow(flow('invoices'));
    const invoiceRun = invoiceRuns.find((r) => stepOutput(r, 'upsert_invoice'))!;
    expect(invoiceRun.status, JSON.stringify(invoiceRun.error)).toBe('succeeded');
    const togaiInvoiceId = stepOutput(invoiceRun, 'upsert_invoice')!.targetId as string;
    expect((await h.togai(`/invoices/${togaiInvoiceId}`)).body).toMatchObject({ status: 'DUE', ownerId: `books-${contactId}`, totalAmount: 200 });
    expect(JSON.stringify(await h.links('togai', 'invoice', togaiInvoiceId))).toContain(invoiceId);

    // A partial payment in Books (80) → recorded on the Togai invoice, which shows 80 paid.
    await books('POST', '/customerpayments', { customer_id: contactId, amount: 80, date: today, payment_mode: 'banktransfer', account_id: deposit.value, invoices: [{ invoice_id: invoiceId, amount_applied: 80 }] });
    const booksPaymentRuns = await pollNow(flow('books_payments'));
    expect(booksPaymentRuns.map((r) => r.status)).toEqual(['succeeded']);
    expect(loopOutputs(booksPaymentRuns[0]!, 'record_payment')).toEqual([expect.objectContaining({ created: true })]);
    expect((await h.togai(`/invoices/${togaiInvoiceId}`)).body).toMatchObject({ status: 'PARTIALLY_PAID', paidAmount: 80 });

    // The rest paid in Togai (120) while Books answers one 429 → a Books payment of the full 120 applied to the invoice,
    // deposited to the chosen account (its fee is booked with the daily deposit). The Togai payment Braid wrote from
    // Books is skipped.
    const paid = await h.togai('/payments', {
      method: 'POST',
      body: { accountId: `books-${contactId}`, currency: 'USD', totalAmount: 120, externalPaymentReference: { sourceName: 'Stripe', sourceType: 'CARD', transactionNumber: 'ch_42' }, lineItemRecords: [{ type: 'INVOICE', togaiId: togaiInvoiceId, amount: 120, order: 1 }] },
    });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    await h.admin.armFault({ service: 'books', kind: 'rate-limit', count: 1, pathContains: '/customerpayments', method: 'POST' });
    const platformRuns = await pollNow(flow('platform_payments'));
    expect(platformRuns.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    const recorded = platformRuns.flatMap((r) => loopOutputs(r, 'upsert_payment'));
    expect(recorded).toEqual([expect.objectContaining({ path: 'created' })]);
    const booksInvoice = (await books('GET', `/invoices/${invoiceId}`)).invoice as Json;
    expect(booksInvoice).toMatchObject({ status: 'paid', balance: 0 });
    const booksPayments = ((await books('GET', `/customerpayments?customer_id=${contactId}`)).customerpayments as Json[]);
    expect(booksPayments).toHaveLength(2);
    const fromTogai = (await books('GET', `/customerpayments/${recorded[0]!.targetId}`)).payment as Json;
    expect(fromTogai).toMatchObject({ amount: 120, account_id: deposit.value, bank_charges: 0, reference_number: `togai-${paid.body.id}-1` });

    // No echo: checking both sides again copies nothing back; a replay finds the link.
    expect((await pollNow(flow('books_payments'))).map((r) => [r.status, loopOutputs(r, 'record_payment')])).toEqual([['succeeded', []]]);
    expect(await pollNow(flow('platform_payments'))).toEqual([]);
    const togaiPayments = ((await h.togai(`/payments?account_id=books-${contactId}`)).body.data as Json[]);
    expect(togaiPayments.map((p) => p.totalAmount).sort()).toEqual([120, 80]);
    const createdRun = platformRuns.find((r) => loopOutputs(r, 'upsert_payment').length > 0)!;
    const replay = await h.owner.client.post(h.api(`/runs/${createdRun.id}/replay`)).send({});
    expect(replay.status, replay.text).toBeLessThan(300);
    const replayed = (await h.finishedRuns(flow('platform_payments'), platformRuns.length + 1)).at(-1)!;
    expect(loopOutputs(replayed, 'upsert_payment')[0]).toMatchObject({ path: 'linked', targetId: recorded[0]!.targetId });
    expect(((await books('GET', `/customerpayments?customer_id=${contactId}`)).customerpayments as Json[])).toHaveLength(2);

    // The daily deposit: the day's payments in the deposit account (the demo organisation's and our 80 + 120), net of
    // the bank charges Books already withheld and of the processing fee of the platform payment (2.5 % of 120 + 0.30 =
    // 3.30), to the bank account; the fee booked as an expense to the fees account, paid through the deposit account,
    // so the deposit account is emptied of the day's payments. A second run finds both.
    const ofTheDay = ((await books('GET', `/customerpayments?date_start=${today}&date_end=${today}`)).customerpayments as Json[]).filter((p) => p.date === today && p.account_id === deposit.value);
    expect(ofTheDay.filter((p) => p.customer_id === contactId)).toHaveLength(2);
    const expectedFees = 3.3;
    const expectedNet = Math.round((ofTheDay.reduce((sum, p) => sum + Number(p.amount) - Number(p.bank_charges ?? 0), 0) - expectedFees) * 100) / 100;
    // Books answers the first expense write with a 500: retried, still one expense.
    await h.admin.armFault({ service: 'books', kind: 'server-error', count: 1, pathContains: '/expenses', method: 'POST' });
    for (let i = 1; i <= 2; i++) {
      const run = await h.owner.client.post(h.api(`/flows/${flow('daily_deposit')}/runs`)).send({ payload: { scheduledAt: `${today}T23:30:00.000Z`, timezone: 'UTC' } });
      expect(run.status, run.text).toBe(202);
      const finished = (await h.finishedRuns(flow('daily_deposit'), i)).at(-1)!;
      expect(finished.status, JSON.stringify(finished.error)).toBe('succeeded');
    }
    const deposits = (await books('GET', `/banktransactions?account_id=${bank.value}`)).banktransactions as Json[];
    const ours = deposits.filter((t) => t.reference_number === `braid-deposit-${today}`);
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({ amount: expectedNet, transaction_type: 'deposit', from_account_id: deposit.value });
    expect(JSON.stringify(ours[0])).toContain('3.3 processing fees');
    expect(await (await fetch(`${h.sandbox.url}/_admin/faults`)).json()).toMatchObject({ faults: [] }); // the 500 was served
    const fees = ((await books('GET', `/expenses?reference_number=braid-fees-${today}`)).expenses as Json[]);
    expect(fees).toHaveLength(1);
    expect(fees[0]).toMatchObject({ account_id: feesAccount.value, account_name: 'Payment Processing Fees', paid_through_account_id: deposit.value, amount: expectedFees, date: today });

    // An invoice deleted in Books (the workflow rule Braid registered calls its webhook) → the Togai invoice voided.
    const second = await books('POST', '/invoices', { customer_id: contactId, date: today, line_items: [{ name: 'Extra revision', rate: 50, quantity: 1 }] });
    const secondId = (second.invoice as Json).invoice_id as string;
    await books('POST', `/invoices/${secondId}/status/sent`);
    const secondRun = (await pollNow(flow('invoices'))).find((r) => stepOutput(r, 'upsert_invoice')?.sourceId === secondId)!;
    const secondTogai = stepOutput(secondRun, 'upsert_invoice')!.targetId as string;
    await books('POST', `/invoices/${secondId}/status/void`); // Books deletes only draft or void invoices
    await books('DELETE', `/invoices/${secondId}`);
    const [voided] = await h.finishedRuns(flow('invoice_deletions'), 1);
    expect(voided!.status, JSON.stringify(voided!.error)).toBe('succeeded');
    expect((await h.togai(`/invoices/${secondTogai}`)).body.status).toBe('VOID');
  });
});
