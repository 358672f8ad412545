import { Router } from 'express';
import { badRequest, notFound } from './togai.errors.js';
import { orgIdOf, param } from './togai.http.js';
import { FILTER_PAGE } from './togai.invoices.routes.js';
import type { PaymentInput, TogaiModel } from './togai.model.js';
import { epochFilter, paginate, readPageRequest } from './togai.pagination.js';
import {
  optionalObject,
  optionalString,
  requireArray,
  requireCurrency,
  requireEnum,
  requireNumber,
  requireObject,
  requireString,
  optionalInteger,
  optionalNumber,
} from './togai.validate.js';

export function togaiPaymentRoutes(model: TogaiModel): Router {
  const router = Router();

  router.post('/payments', (req, res) => {
    const body = requireObject(req.body, 'body');
    const ref = requireObject(body.externalPaymentReference, 'externalPaymentReference');
    const totalAmount = requireNumber(body.totalAmount, 'totalAmount');
    if (totalAmount <= 0) throw badRequest('totalAmount: must be greater than 0');
    const input: PaymentInput = {
      accountId: requireString(body.accountId, 'accountId', 1, 512),
      currency: requireCurrency(body.currency, 'currency'),
      totalAmount,
      externalPaymentReference: {
        sourceName: requireString(ref.sourceName, 'externalPaymentReference.sourceName', 1, 255),
        sourceType: requireEnum(ref.sourceType, 'externalPaymentReference.sourceType', ['GATEWAY', 'CASH', 'CHEQUE', 'BANK_TRANSFER', 'CARD'] as const),
        transactionNumber: requireString(ref.transactionNumber, 'externalPaymentReference.transactionNumber', 1, 255),
      },
      lineItemRecords: requireArray(body.lineItemRecords, 'lineItemRecords', 1, 100).map((raw, i) => {
        const f = `lineItemRecords[${i}]`;
        const record = requireObject(raw, f);
        const togaiId = optionalString(record.togaiId, `${f}.togaiId`, 1, 255);
        const amount = optionalNumber(record.amount, `${f}.amount`);
        const order = optionalInteger(record.order, `${f}.order`, 0, 10_000);
        if (order === undefined) throw badRequest(`${f}.order: is required`);
        return {
          type: requireEnum(record.type, `${f}.type`, ['INVOICE', 'CREDIT', 'WALLET_CREDIT'] as const),
          ...(togaiId !== undefined ? { togaiId } : {}),
          ...(amount !== undefined ? { amount } : {}),
          order,
        };
      }),
    };
    const description = optionalString(ref.description, 'externalPaymentReference.description', 0, 1000);
    if (description !== undefined) input.externalPaymentReference.description = description;
    const refMetadata = optionalObject(ref.metadata, 'externalPaymentReference.metadata');
    if (refMetadata) input.externalPaymentReference.metadata = refMetadata;
    const paymentDescription = optionalString(body.description, 'description', 0, 1000);
    if (paymentDescription !== undefined) input.description = paymentDescription;
    const notes = optionalString(body.notes, 'notes', 0, 2000);
    if (notes !== undefined) input.notes = notes;
    input.lineItemRecords.sort((a, b) => a.order - b.order);
    res.status(201).json(model.recordPayment(orgIdOf(res), input));
  });

  router.get('/payments', (req, res) => {
    // account_id and start_time/end_time (on createdAt, epoch ms) are sandbox conveniences.
    const page = readPageRequest(req.query, { ...FILTER_PAGE, filterKeys: ['account_id', 'start_time', 'end_time'] });
    const start = epochFilter(page.filters, 'start_time');
    const end = epochFilter(page.filters, 'end_time');
    const payments = [...model.store.org(orgIdOf(res)).payments.values()].filter(
      (p) =>
        (!page.filters.account_id || p.accountId === page.filters.account_id) &&
        (start === undefined || Date.parse(p.createdAt) >= start) &&
        (end === undefined || Date.parse(p.createdAt) <= end),
    );
    res.json(paginate(payments, (p) => p.id, page));
  });

  router.get('/payments/:payment_id', (req, res) => {
    const id = param(req.params.payment_id);
    const payment = model.store.org(orgIdOf(res)).payments.get(id);
    if (!payment) throw notFound(`Payment with id "${id}" not found`);
    res.json(payment);
  });

  return router;
}
