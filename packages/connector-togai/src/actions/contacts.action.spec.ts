import { ConnectorError } from '@braid/connector-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { address, startTogaiHarness, type TogaiHarness } from '../test-support/togai.harness.js';

describe('Togai customer contacts against the sandbox', () => {
  let t: TogaiHarness;
  beforeAll(async () => {
    t = await startTogaiHarness({ name: 'empty' });
  });
  afterAll(async () => {
    await t.close();
  });

  const contactsOf = (customerId: string) => t.state().contacts.filter((c) => c.customerId === customerId);

  it('adds a contact person to a customer and returns the username Togai gave it', async () => {
    await t.run('create_customer', { id: 'hooli', name: 'Hooli Inc', primaryEmail: 'ap@hooli.example', address });
    const added = await t.run('create_customer_contact', { customerId: 'hooli', name: 'Gavin Belson', email: 'gavin@hooli.example', phone: '+1 650 555 0100' });
    expect(added).toMatchObject({ customerId: 'hooli', contact: { name: 'Gavin Belson', email: 'gavin@hooli.example', phone: '+1 650 555 0100', loginAccess: false } });
    expect(added.username).toBe(added.contact.username);
    expect(contactsOf('hooli')).toEqual([expect.objectContaining({ username: added.username, name: 'Gavin Belson', email: 'gavin@hooli.example' })]);
  });

  it('a customer that does not exist is NOT_FOUND; a contact without an email is refused before any call', async () => {
    const missing = (await t.run('create_customer_contact', { customerId: 'nobody', name: 'X', email: 'x@example.com' }).catch((e: unknown) => e)) as ConnectorError;
    expect(missing).toBeInstanceOf(ConnectorError);
    expect(missing.code).toBe('NOT_FOUND');
    const before = await t.callCount('POST /togai/customers/hooli/contacts');
    const invalid = (await t.run('create_customer_contact', { customerId: 'hooli', name: 'No Mail' }).catch((e: unknown) => e)) as ConnectorError;
    expect(invalid.code).toBe('INVALID_INPUT');
    expect(invalid.message).toContain('email');
    expect(await t.callCount('POST /togai/customers/hooli/contacts')).toBe(before);
    expect(contactsOf('hooli')).toHaveLength(1);
  });

  it('a 429 is retried (Togai did not add the contact); a 503 ends RETRYABLE after one attempt (a write without idempotency key is not resent blindly)', async () => {
    await t.admin.armFault({ service: 'togai', kind: 'rate-limit', count: 1, method: 'POST', pathContains: '/togai/customers/hooli/contacts' });
    await t.run('create_customer_contact', { customerId: 'hooli', name: 'Jared Dunn', email: 'jared@hooli.example' });
    expect(contactsOf('hooli').filter((c) => c.email === 'jared@hooli.example')).toHaveLength(1);

    await t.admin.armFault({ service: 'togai', kind: 'unavailable', count: 1, method: 'POST', pathContains: '/togai/customers/hooli/contacts' });
    const error = (await t.run('create_customer_contact', { customerId: 'hooli', name: 'Big Head', email: 'bighead@hooli.example' }).catch((e: unknown) => e)) as ConnectorError;
    expect(error.code).toBe('RETRYABLE');
    expect(error.retryable).toBe(true);
    expect(contactsOf('hooli').filter((c) => c.email === 'bighead@hooli.example')).toHaveLength(0);
    await t.admin.clearFaults();
  });
});
