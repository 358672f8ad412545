import { createHmac } from 'node:crypto';
import {
  ConnectorError,
  noopLogger,
  validateOutput,
  validateTriggerConfig,
  type WebhookRequest,
  type WebhookTriggerDefinition,
} from '@braid/connector-sdk';
import { describe, expect, it } from 'vitest';
import { coreConnector } from '../core.connector.js';
import { validateManualPayload, type ManualTriggerConfig } from './manual.trigger.js';
import { nextScheduleTimes, validateCron, type ScheduleTriggerConfig } from './schedule.trigger.js';
import type { WebhookTriggerConfig } from './webhook.trigger.js';

function configError(triggerKey: string, config: unknown): ConnectorError {
  try {
    validateTriggerConfig(coreConnector, triggerKey, config);
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorError);
    return error as ConnectorError;
  }
  throw new Error('expected an invalid config');
}

describe('schedule trigger', () => {
  it('accepts five-field crons and macros with an IANA time zone', () => {
    expect(validateTriggerConfig(coreConnector, 'schedule', { cron: '0 6 * * 1-5', timezone: 'Europe/Berlin' })).toEqual({
      cron: '0 6 * * 1-5',
      timezone: 'Europe/Berlin',
    });
    expect(validateTriggerConfig(coreConnector, 'schedule', { cron: '*/15 * * * *' })).toEqual({
      cron: '*/15 * * * *',
      timezone: 'UTC',
    });
    expect(validateCron('@daily')).toEqual([]);
  });

  it('rejects bad cron syntax and unknown time zones with pointers', () => {
    expect(configError('schedule', { cron: '61 * * * *' }).issues).toEqual([
      expect.objectContaining({ pointer: '/cron', message: expect.stringContaining('not a valid cron') }),
    ]);
    expect(configError('schedule', { cron: '* * *' }).issues?.[0]?.message).toContain('5 fields');
    expect(configError('schedule', { cron: '*/5 * * * * *' }).issues?.[0]?.message).toContain('got 6');
    expect(configError('schedule', { cron: '0 0 * * mon-xyz' }).issues?.[0]?.pointer).toBe('/cron');
    expect(configError('schedule', { cron: '0 6 * * *', timezone: 'Mars/Olympus' }).issues).toEqual([
      expect.objectContaining({ pointer: '/timezone' }),
    ]);
    expect(configError('schedule', {}).issues).toEqual([expect.objectContaining({ pointer: '/cron', message: 'is required' })]);
  });

  it('computes the next fire times in the time zone', () => {
    const config: ScheduleTriggerConfig = { cron: '0 6 * * 1-5', timezone: 'Europe/Berlin' };
    // Friday 2026-01-02 12:00 UTC → next weekdays at 06:00 Berlin (05:00 UTC in winter).
    expect(nextScheduleTimes(config, new Date('2026-01-02T12:00:00Z'), 2)).toEqual([
      '2026-01-05T05:00:00.000Z',
      '2026-01-06T05:00:00.000Z',
    ]);
  });
});

describe('manual trigger', () => {
  it('validates the payload schema and payloads against it', () => {
    const config = validateTriggerConfig<ManualTriggerConfig>(coreConnector, 'manual', {
      payloadSchema: { type: 'object', properties: { accountId: { type: 'string' } }, required: ['accountId'] },
      samplePayload: { accountId: 'A-1' },
    });
    expect(validateManualPayload(config, { accountId: 'A-17' })).toEqual({ accountId: 'A-17' });
    expect(() => validateManualPayload(config, {})).toThrow(/accountId is required/);
    expect(configError('manual', { payloadSchema: { type: 'object', properties: { a: { type: 'nope' } } } }).issues?.[0]?.pointer).toBe(
      '/payloadSchema',
    );
    expect(
      configError('manual', { payloadSchema: { type: 'object', required: ['x'] }, samplePayload: {} }).issues?.[0]?.pointer,
    ).toBe('/samplePayload/x');
  });
});

describe('generic webhook trigger', () => {
  const trigger = coreConnector.triggers.find((t) => t.key === 'webhook') as WebhookTriggerDefinition<WebhookTriggerConfig>;
  const now = new Date('2026-01-01T00:00:00Z');
  const secret = 'whsec_test';
  const body = JSON.stringify({ event: 'invoice.paid', invoiceId: 'INV-1' });
  const sign = (content: string) => createHmac('sha256', secret).update(content).digest('hex');
  const request = (overrides: Partial<WebhookRequest> = {}): WebhookRequest => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': `sha256=${sign(body)}`, 'x-event-id': 'evt-1' },
    query: { source: 'billing' },
    rawBody: Buffer.from(body),
    contentType: 'application/json',
    ...overrides,
  });
  const signedConfig = () =>
    validateTriggerConfig<WebhookTriggerConfig>(coreConnector, 'webhook', {
      signature: { type: 'hmac-sha256', prefix: 'sha256=' },
      eventIdHeader: 'X-Event-Id',
    });
  const verify = (config: WebhookTriggerConfig, req: WebhookRequest, withSecret: string | null = secret) =>
    trigger.verifyRequest!({ config, ...(withSecret ? { secret: withSecret } : {}), request: req, now: () => now });

  it('applies defaults to the config', () => {
    expect(validateTriggerConfig(coreConnector, 'webhook', {})).toEqual({
      allowedMethods: ['POST'],
      signature: { type: 'none', header: 'x-signature', encoding: 'hex', prefix: '', toleranceSeconds: 300 },
    });
  });

  it('parses a JSON POST into one event with the provider event id, hiding secrets in headers', async () => {
    const config = signedConfig();
    const { events } = await trigger.parseRequest(
      { config, logger: noopLogger, now: () => now },
      request({ headers: { ...request().headers, authorization: 'Bearer x' } }),
    );
    expect(events).toEqual([
      {
        id: 'evt-1',
        payload: {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-event-id': 'evt-1' },
          query: { source: 'billing' },
          body: { event: 'invoice.paid', invoiceId: 'INV-1' },
          receivedAt: '2026-01-01T00:00:00.000Z',
        },
      },
    ]);
    expect(validateOutput(trigger.outputSchema, events[0]!.payload).valid).toBe(true);
  });

  it('parses form bodies and refuses bad JSON and other methods', async () => {
    const config = validateTriggerConfig<WebhookTriggerConfig>(coreConnector, 'webhook', {});
    const ctx = { config, logger: noopLogger, now: () => now };
    const form = await trigger.parseRequest(
      ctx,
      request({ rawBody: Buffer.from('a=1&b=2&b=3'), contentType: 'application/x-www-form-urlencoded' }),
    );
    expect((form.events[0]!.payload as { body: unknown }).body).toEqual({ a: '1', b: ['2', '3'] });
    expect(form.events[0]!.id).toBeUndefined();
    await expect(trigger.parseRequest(ctx, request({ rawBody: Buffer.from('{oops') }))).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(trigger.parseRequest(ctx, request({ method: 'GET' }))).rejects.toMatchObject({ code: 'BAD_REQUEST', status: 405 });
  });

  it('accepts a valid HMAC-SHA256 signature', async () => {
    await expect(Promise.resolve(verify(signedConfig(), request()))).resolves.toBeUndefined();
    const base64 = validateTriggerConfig<WebhookTriggerConfig>(coreConnector, 'webhook', {
      signature: { type: 'hmac-sha256', encoding: 'base64', header: 'X-Hub-Signature' },
    });
    const signature = createHmac('sha256', secret).update(body).digest('base64');
    expect(() => verify(base64, request({ headers: { 'x-hub-signature': signature } }))).not.toThrow();
  });

  it('rejects a tampered body, a wrong secret, a missing header or a missing secret', () => {
    const config = signedConfig();
    const tampered = request({ rawBody: Buffer.from(body.replace('INV-1', 'INV-2')) });
    expect(() => verify(config, tampered)).toThrow(expect.objectContaining({ code: 'SIGNATURE_INVALID' }));
    expect(() => verify(config, request(), 'other-secret')).toThrow(/does not match/);
    expect(() => verify(config, request({ headers: { 'content-type': 'application/json' } }))).toThrow(/no x-signature/);
    expect(() => verify(config, request(), null)).toThrow(/no secret/);
    expect(() => verify(config, request({ headers: { 'x-signature': sign(body) } }))).toThrow(/does not match/); // prefix missing
  });

  it('signs timestamp.body and refuses replays when a timestamp header is configured', () => {
    const config = validateTriggerConfig<WebhookTriggerConfig>(coreConnector, 'webhook', {
      signature: { type: 'hmac-sha256', timestampHeader: 'x-timestamp', toleranceSeconds: 60 },
    });
    const ts = String(now.getTime() / 1000);
    const ok = request({ headers: { 'x-timestamp': ts, 'x-signature': sign(`${ts}.${body}`) } });
    expect(() => verify(config, ok)).not.toThrow();
    const old = String(now.getTime() / 1000 - 3600);
    expect(() => verify(config, request({ headers: { 'x-timestamp': old, 'x-signature': sign(`${old}.${body}`) } }))).toThrow(
      /replay/,
    );
  });

  it('works with a stored config that lacks defaults', async () => {
    const raw = { signature: { type: 'hmac-sha256' } } as unknown as WebhookTriggerConfig;
    expect(() => verify(raw, request({ headers: { 'x-signature': sign(body) } }))).not.toThrow();
    // Every delivery reads the config again (completed once per config object): the stored config is left as it was.
    expect(() => verify(raw, request({ headers: { 'x-signature': 'sha256=' } }))).toThrow(/does not match/);
    expect(raw).toEqual({ signature: { type: 'hmac-sha256' } });
    const { events } = await trigger.parseRequest({ config: {} as WebhookTriggerConfig, logger: noopLogger, now: () => now }, request());
    expect(events).toHaveLength(1);
  });

  it('tells the user how to call it', () => {
    const instructions = trigger.setupInstructions!(signedConfig(), 'https://braid.example/hooks/abc', secret);
    expect(instructions).toMatchObject({ method: 'POST', url: 'https://braid.example/hooks/abc' });
    expect(instructions.notes.join(' ')).toContain('HMAC-SHA256');
    expect(JSON.stringify(instructions)).not.toContain(secret);
  });
});
