import { Router } from 'express';
import { badRequest, notFound } from './togai.errors.js';
import { orgIdOf, param } from './togai.http.js';
import type { InvoiceInput, LineInput, TogaiModel } from './togai.model.js';
import { epochFilter, paginate, readPageRequest } from './togai.pagination.js';
import { invoiceClasses, type InvoiceStatus, invoiceStatuses, type TogaiInvoiceRecord } from './togai.store.js';
import {
  type Json,
  optionalBoolean,
  optionalDateTime,
  optionalEnum,
  optionalNumber,
  optionalObject,
  optionalString,
  requireArray,
  requireDateTime,
  requireEnum,
  requireObject,
  requireString,
} from './togai.validate.js';

/** Filter-style lists (invoices, events, payments): default and maximum page size 50 (apis.md D7). */
export const FILTER_PAGE = { defaultPageSize: 50, maxPageSize: 50 };

/**
 * Custom invoice lines: `value`, or `quantity` + `valuePerQuantity` (then value = their product).
 * Sandbox extension: `metadata` (e.g. `{"taxRate": 19}`, the line's VAT percentage) and, on sandbox-only
 * routes, `type`.
 */
export function parseLines(value: unknown, field: string, options: { allowType: boolean }): LineInput[] {
  return requireArray(value, field, 1, 50).map((raw, i) => {
    const f = `${field}[${i}]`;
    const obj = requireObject(raw, f);
    const line: LineInput = {};
    const id = optionalString(obj.id, `${f}.id`, 1, 100);
    if (id !== undefined) line.id = id;
    const description = optionalString(obj.description, `${f}.description`, 0, 1000);
    if (description !== undefined) line.description = description;
    const quantity = optionalNumber(obj.quantity, `${f}.quantity`);
    const valuePerQuantity = optionalNumber(obj.valuePerQuantity, `${f}.valuePerQuantity`);
    const lineValue = optionalNumber(obj.value, `${f}.value`);
    if (quantity !== undefined) line.quantity = quantity;
    if (valuePerQuantity !== undefined) line.valuePerQuantity = valuePerQuantity;
    if (lineValue !== undefined) line.value = lineValue;
    if (lineValue === undefined && (quantity === undefined || valuePerQuantity === undefined)) {
      throw badRequest(`${f}: either value or quantity and valuePerQuantity is required`);
    }
    const units = optionalString(obj.units, `${f}.units`, 0, 50);
    if (units !== undefined) line.units = units;
    const metadata = optionalObject(obj.metadata, `${f}.metadata`);
    if (metadata) {
      const rate = metadata.taxRate;
      if (rate !== undefined && rate !== null) {
        const numeric = typeof rate === 'string' ? Number(rate) : rate;
        if (typeof numeric !== 'number' || !Number.isFinite(numeric) || numeric < 0 || numeric > 100) {
          throw badRequest(`${f}.metadata.taxRate: must be a percentage between 0 and 100`);
        }
      }
      line.metadata = metadata;
    }
    if (options.allowType && obj.type !== undefined) line.type = requireString(obj.type, `${f}.type`, 1, 100);
    return line;
  });
}

/** Body of POST /invoices (custom invoice); the sandbox route adds invoiceType/type through `sandboxExtras`. */
export function parseInvoiceInput(body: Json, options: { allowType: boolean }): InvoiceInput {
  const startDateMs = requireDateTime(body.startDate, 'startDate');
  const endDateMs = requireDateTime(body.endDate, 'endDate');
  if (endDateMs <= startDateMs) throw badRequest('endDate: must be after startDate');
  const input: InvoiceInput = {
    accountId: requireString(body.accountId, 'accountId', 1, 512),
    startDateMs,
    endDateMs,
    status: requireEnum(body.status, 'status', options.allowType ? invoiceStatuses : (['DRAFT', 'DUE', 'PAID'] as const)),
    lines: parseLines(body.lineItems, 'lineItems', options),
  };
  const ownerType = optionalEnum(body.ownerType, 'ownerType', ['ACCOUNT', 'INVOICE_GROUP'] as const);
  if (ownerType === 'INVOICE_GROUP') throw badRequest('ownerType: INVOICE_GROUP is not supported by the sandbox; use ACCOUNT');
  const idempotencyKey = optionalString(body.idempotencyKey, 'idempotencyKey', 1, 255);
  if (idempotencyKey !== undefined) input.idempotencyKey = idempotencyKey;
  const autoAdvance = optionalBoolean(body.autoAdvance, 'autoAdvance');
  if (autoAdvance !== undefined) input.autoAdvance = autoAdvance;
  optionalBoolean(body.applyCredits, 'applyCredits');
  optionalBoolean(body.applyWalletBalance, 'applyWalletBalance');
  // Sandbox extension: custom orders (Togai makes ORDER invoices from purchases).
  const invoiceClass = optionalEnum(body.invoiceClass, 'invoiceClass', invoiceClasses);
  if (invoiceClass !== undefined) input.invoiceClass = invoiceClass;
  const metadata = optionalObject(body.metadata, 'metadata');
  if (metadata) input.metadata = metadata;
  return input;
}

/** Statuses a client may set with PATCH; PAID needs a recorded payment (apis.md D6). */
const patchTransitions: Partial<Record<InvoiceStatus, InvoiceStatus[]>> = {
  DUE: ['DRAFT'],
  VOID: ['DRAFT', 'DUE'],
  UN_COLLECTIBLE: ['DUE', 'PARTIALLY_PAID'],
};

export function togaiInvoiceRoutes(model: TogaiModel): Router {
  const router = Router();

  const findInvoice = (orgId: string, id: string): TogaiInvoiceRecord => {
    const invoice = model.store.org(orgId).invoices.get(id);
    if (!invoice) throw notFound(`Invoice with id "${id}" not found`);
    return invoice;
  };

  router.get('/invoices', (req, res) => {
    const orgId = orgIdOf(res);
    const page = readPageRequest(req.query, {
      ...FILTER_PAGE,
      filterKeys: ['status', 'owner_id', 'account_id', 'customer_id', 'invoiceClass', 'invoice_class', 'start_time', 'end_time'],
    });
    const f = page.filters;
    const statuses = f.status ? f.status.split(',') : undefined;
    for (const s of statuses ?? []) {
      if (!invoiceStatuses.includes(s as InvoiceStatus)) throw badRequest(`status: must be one of ${invoiceStatuses.join(', ')}`);
    }
    const invoiceClass = f.invoiceClass ?? f.invoice_class;
    if (invoiceClass !== undefined) optionalEnum(invoiceClass, 'invoiceClass', invoiceClasses);
    const owner = f.owner_id ?? f.account_id;
    const start = epochFilter(f, 'start_time');
    const end = epochFilter(f, 'end_time');
    // start_time/end_time select invoices whose billing period lies inside [start_time, end_time].
    const invoices = [...model.store.org(orgId).invoices.values()].filter(
      (inv) =>
        (!statuses || statuses.includes(inv.status)) &&
        (!owner || inv.ownerId === owner) &&
        (!f.customer_id || inv.customerId === f.customer_id) &&
        (!invoiceClass || inv.invoiceClass === invoiceClass) &&
        (start === undefined || Date.parse(inv.startDate) >= start) &&
        (end === undefined || Date.parse(inv.endDate) <= end),
    );
    const result = paginate(invoices, (inv) => inv.id, page);
    res.json({ ...result, data: result.data.map((inv) => model.invoiceView(orgId, inv, { summary: true })) });
  });

  router.get('/invoices/:invoice_id', (req, res) => {
    const orgId = orgIdOf(res);
    res.json(model.invoiceView(orgId, findInvoice(orgId, param(req.params.invoice_id))));
  });

  router.post('/invoices', (req, res) => {
    const orgId = orgIdOf(res);
    const input = parseInvoiceInput(requireObject(req.body, 'body'), { allowType: false });
    // A repeated idempotencyKey answers with the invoice made the first time (same status code).
    const { invoice } = model.createInvoice(orgId, input);
    res.status(201).json(model.invoiceView(orgId, invoice));
  });

  router.patch('/invoices/:invoice_id', (req, res) => {
    const orgId = orgIdOf(res);
    const invoice = findInvoice(orgId, param(req.params.invoice_id));
    const body = requireObject(req.body, 'body');
    const status = optionalEnum(body.status, 'status', invoiceStatuses);
    const startDate = optionalDateTime(body.startDate, 'startDate');
    const endDate = optionalDateTime(body.endDate, 'endDate');
    const lines = body.lineItems === undefined || body.lineItems === null ? undefined : parseLines(body.lineItems, 'lineItems', { allowType: false });
    const autoAdvance = optionalBoolean(body.autoAdvance, 'autoAdvance');
    const metadata = optionalObject(body.metadata, 'metadata');
    if (status === undefined && startDate === undefined && endDate === undefined && !lines && autoAdvance === undefined && !metadata) {
      throw badRequest('body: nothing to update (status, startDate, endDate, lineItems, autoAdvance, metadata)');
    }
    if ((startDate !== undefined || endDate !== undefined || lines) && invoice.status !== 'DRAFT') {
      throw badRequest(`Invoice "${invoice.id}" is ${invoice.status}: dates and lineItems can only change while it is DRAFT`);
    }
    if (status !== undefined && status !== invoice.status) {
      if (status === 'PAID' || status === 'PARTIALLY_PAID') {
        throw badRequest(`status: an invoice becomes ${status} by recording a payment (POST /payments), not by PATCH`);
      }
      const from = patchTransitions[status];
      if (!from || !from.includes(invoice.status)) {
        throw badRequest(`status: cannot move invoice "${invoice.id}" from ${invoice.status} to ${status}`);
      }
    }
    const newStart = startDate ?? Date.parse(invoice.startDate);
    const newEnd = endDate ?? Date.parse(invoice.endDate);
    if (newEnd <= newStart) throw badRequest('endDate: must be after startDate');
    invoice.startDate = new Date(newStart).toISOString();
    invoice.endDate = new Date(newEnd).toISOString();
    if (lines) invoice.lines = model.buildLines(lines, 'CUSTOM_AMOUNT');
    if (autoAdvance !== undefined) invoice.autoAdvance = autoAdvance;
    // Metadata merges: given keys are set, keys given as null are removed, others stay.
    if (metadata) {
      for (const [key, value] of Object.entries(metadata)) {
        if (value === null) delete invoice.metadata[key];
        else invoice.metadata[key] = value;
      }
    }
    if (status !== undefined && status !== invoice.status) {
      model.transitionInvoice(orgId, invoice, status);
    } else {
      invoice.updatedAt = model.nowIso();
      model.publisher.publish(orgId, 'invoice.updated', model.invoiceView(orgId, invoice));
    }
    res.json(model.invoiceView(orgId, invoice));
  });

  router.delete('/invoices/:invoice_id', (req, res) => {
    const orgId = orgIdOf(res);
    const invoice = findInvoice(orgId, param(req.params.invoice_id));
    if (invoice.invoiceType !== 'CUSTOM' || invoice.status !== 'DRAFT') {
      throw badRequest(`Invoice "${invoice.id}" is a ${invoice.invoiceType} invoice in ${invoice.status}: only CUSTOM invoices in DRAFT can be deleted`);
    }
    const org = model.store.org(orgId);
    org.invoices.delete(invoice.id);
    if (invoice.idempotencyKey !== undefined) org.invoiceIdempotency.delete(invoice.idempotencyKey);
    res.json({ success: true });
  });

  return router;
}
