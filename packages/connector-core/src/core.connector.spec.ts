import { ConnectorRegistry } from '@braid/connector-sdk';
import { describe, expect, it } from 'vitest';
import { coreConnector } from './core.connector.js';

describe('core connector', () => {
  it('registers like every other connector and describes itself', () => {
    const registry = new ConnectorRegistry().register(coreConnector);
    const descriptor = registry.describe('core')!;
    expect(descriptor.auth).toEqual({ kind: 'none' });
    expect(descriptor.actions.map((a) => a.key)).toEqual([
      'http_request',
      'delay',
      'transform',
      'aggregate',
      'find_link',
      'upsert_link',
      'delete_link',
      'stop',
      'fail',
    ]);
    expect(descriptor.actions.every((a) => a.requiresConnection === false)).toBe(true);
    expect(descriptor.triggers.map((t) => [t.key, t.kind, t.requiresConnection])).toEqual([
      ['manual', 'manual', false],
      ['schedule', 'schedule', false],
      ['webhook', 'webhook', false],
    ]);
    expect(descriptor.actions.find((a) => a.key === 'delete_link')?.classification).toBe('delete');
  });
});
