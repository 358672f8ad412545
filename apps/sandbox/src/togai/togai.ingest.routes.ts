import { Router } from 'express';
import { badRequest, notFound, TogaiError, TogaiErrorCode } from './togai.errors.js';
import { orgIdOf, param } from './togai.http.js';
import { FILTER_PAGE } from './togai.invoices.routes.js';
import type { TogaiModel } from './togai.model.js';
import { epochFilter, paginate, readPageRequest } from './togai.pagination.js';
import type { TogaiEventPayload } from './togai.store.js';
import { optionalString, requireArray, requireDateTime, requireObject, requireString } from './togai.validate.js';

const DECIMAL = /^-?\d{1,512}(\.\d+)?$/;

/** Validates one usage event (apis.md D3); the message names the offending field. */
export function parseEvent(raw: unknown, field: string): TogaiEventPayload {
  const obj = requireObject(raw, field);
  const schemaName = requireString(obj.schemaName, `${field}.schemaName`, 1, 50);
  const id = optionalString(obj.id, `${field}.id`, 1, 512);
  const timestamp = requireString(obj.timestamp, `${field}.timestamp`, 1, 64);
  requireDateTime(timestamp, `${field}.timestamp`);
  const accountId = requireString(obj.accountId, `${field}.accountId`, 1, 512);
  const attributes = requireArray(obj.attributes, `${field}.attributes`, 0, 10).map((a, i) => {
    const f = `${field}.attributes[${i}]`;
    const attr = requireObject(a, f);
    const name = requireString(attr.name, `${f}.name`, 1, 50);
    const value = requireString(attr.value, `${f}.value`, 1, 1100);
    if (!DECIMAL.test(value)) throw badRequest(`${f}.value: "${value.slice(0, 40)}" must be a decimal string such as "12.5"`);
    const unit = optionalString(attr.unit, `${f}.unit`, 0, 50);
    return { name, value, ...(unit !== undefined ? { unit } : {}) };
  });
  const dimensionsObj = requireObject(obj.dimensions, `${field}.dimensions`);
  const dimensions: Record<string, string> = {};
  for (const [key, value] of Object.entries(dimensionsObj)) {
    dimensions[key] = requireString(value, `${field}.dimensions.${key}`, 1, 200);
  }
  return { schemaName, ...(id !== undefined ? { id } : {}), timestamp, accountId, attributes, dimensions };
}

export function togaiIngestRoutes(model: TogaiModel): Router {
  const router = Router();

  router.post('/ingest', (req, res) => {
    const body = requireObject(req.body, 'body');
    const event = parseEvent(body.event, 'event');
    model.ingestEvent(orgIdOf(res), event);
    res.status(202).json({ success: true, statusCode: 202, message: 'Event accepted for ingestion' });
  });

  router.post('/ingestBatch', (req, res) => {
    const body = requireObject(req.body, 'body');
    const max = model.ctx.limits.togai.maxBatchEvents;
    const events = requireArray(body.events, 'events', 1, max);
    const accepted: TogaiEventPayload[] = [];
    const errors: Array<{ message: string; eventPayload: unknown }> = [];
    events.forEach((raw, i) => {
      try {
        accepted.push(parseEvent(raw, `events[${i}]`));
      } catch (error) {
        if (!(error instanceof TogaiError)) throw error;
        errors.push({ message: error.message, eventPayload: raw });
      }
    });
    if (accepted.length === 0) {
      throw new TogaiError(TogaiErrorCode.BadRequest, `events: all ${events.length} events were rejected`, { errors });
    }
    const orgId = orgIdOf(res);
    for (const event of accepted) model.ingestEvent(orgId, event);
    if (errors.length > 0) {
      res.status(207).json({
        success: false,
        statusCode: 207,
        message: `${accepted.length} events accepted, ${errors.length} rejected`,
        errors,
      });
      return;
    }
    res.status(202).json({ success: true, statusCode: 202, message: `${accepted.length} events accepted for ingestion` });
  });

  // GET /events answers `{events, nextToken}` (Togai's GetEventsResponse), plus `context` like other lists.
  router.get('/events', (req, res) => {
    const page = readPageRequest(req.query, {
      ...FILTER_PAGE,
      filterKeys: ['status', 'account_id', 'schema_name', 'start_time', 'end_time'],
    });
    const f = page.filters;
    const start = epochFilter(f, 'start_time');
    const end = epochFilter(f, 'end_time');
    const events = [...model.store.org(orgIdOf(res)).events.values()].filter((e) => {
      const at = Date.parse(e.eventPayload.timestamp);
      return (
        (!f.status || e.ingestionStatus.status === f.status) &&
        (!f.account_id || e.eventPayload.accountId === f.account_id) &&
        (!f.schema_name || e.eventPayload.schemaName === f.schema_name) &&
        (start === undefined || at >= start) &&
        (end === undefined || at <= end)
      );
    });
    const result = paginate(events, (e) => e.referenceId, page);
    res.json({ events: result.data.map((e) => model.eventView(e)), nextToken: result.nextToken, context: result.context });
  });

  // GET /events/{id}: every ingestion of that event id (the original, then dropped duplicates).
  router.get('/events/:event_id', (req, res) => {
    const id = param(req.params.event_id);
    const events = [...model.store.org(orgIdOf(res)).events.values()].filter(
      (e) => e.eventPayload.id === id || e.referenceId === id,
    );
    if (events.length === 0) throw notFound(`Event with id "${id}" not found`);
    res.json({ events: events.map((e) => model.eventView(e)) });
  });

  return router;
}
