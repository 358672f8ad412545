import { describe, expect, it } from 'vitest';
import { InMemoryRecordLinkStore } from './links.memory.js';

const togai = { appA: 'togai', typeA: 'account', idA: 'A-17', appB: 'zoho-books', typeB: 'contact' };

describe('InMemoryRecordLinkStore', () => {
  it('finds a link from either side, oriented as asked', async () => {
    const store = new InMemoryRecordLinkStore(() => new Date('2026-01-01T00:00:00Z'));
    const { created } = await store.upsert({ ...togai, idB: '4600', metadata: { hash: 'h1' } });
    expect(created).toBe(true);
    expect(await store.find(togai)).toMatchObject({ idA: 'A-17', idB: '4600', metadata: { hash: 'h1' } });
    expect(
      await store.find({ appA: 'zoho-books', typeA: 'contact', idA: '4600', appB: 'togai', typeB: 'account' }),
    ).toMatchObject({ appA: 'zoho-books', idA: '4600', appB: 'togai', idB: 'A-17' });
    expect(await store.find({ ...togai, typeB: 'invoice' })).toBeNull();
  });

  it('upserting again updates instead of duplicating, and relinking replaces the old link', async () => {
    const store = new InMemoryRecordLinkStore();
    await store.upsert({ ...togai, idB: '4600' });
    expect((await store.upsert({ ...togai, idB: '4600', metadata: { n: 2 } })).created).toBe(false);
    expect((await store.upsert({ ...togai, idB: '4700' })).created).toBe(false);
    expect((await store.find(togai))?.idB).toBe('4700');
    // The old Books contact is no longer linked to anything.
    expect(
      await store.find({ appA: 'zoho-books', typeA: 'contact', idA: '4600', appB: 'togai', typeB: 'account' }),
    ).toBeNull();
  });

  it('deletes a link', async () => {
    const store = new InMemoryRecordLinkStore();
    await store.upsert({ ...togai, idB: '4600' });
    expect(await store.delete(togai)).toEqual({ deleted: 1 });
    expect(await store.delete(togai)).toEqual({ deleted: 0 });
    expect(await store.find(togai)).toBeNull();
  });
});
