import { describe, expect, it } from 'vitest';
import { collectRows, paginate, takeAtMost } from './paginate.js';

describe('paginate', () => {
  it('yields items page by page and stops on a null cursor', async () => {
    const seen: Array<number | undefined> = [];
    const pages = paginate<string, number>(async (cursor) => {
      seen.push(cursor);
      const start = cursor ?? 0;
      return { items: [`a${start}`, `a${start + 1}`], next: start + 2 < 6 ? start + 2 : null };
    });
    const all: string[] = [];
    for await (const item of pages) all.push(item);
    expect(all).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5']);
    expect(seen).toEqual([undefined, 2, 4]);
  });

  it('stops on an empty page even if the vendor still returns a cursor (Togai)', async () => {
    let calls = 0;
    const items = await takeAtMost(
      paginate<number, string>(async () => {
        calls += 1;
        return calls === 1 ? { items: [1, 2], next: 'more' } : { items: [], next: 'still-more' };
      }),
      100,
    );
    expect(items).toEqual([1, 2]);
    expect(calls).toBe(2);
  });

  it('fetches no more pages than needed and refuses endless pagination', async () => {
    let calls = 0;
    const endless = () =>
      paginate<number, number>(
        async (cursor) => {
          calls += 1;
          return { items: [cursor ?? 0], next: (cursor ?? 0) + 1 };
        },
        { maxPages: 5 },
      );
    expect(await takeAtMost(endless(), 2)).toEqual([0, 1]);
    expect(calls).toBe(2);
    await expect(takeAtMost(endless(), 100)).rejects.toMatchObject({ code: 'VENDOR' });
  });

  it('collectRows keeps up to the limit of the accepted rows and says whether more existed', async () => {
    async function* rows() {
      for (let i = 1; i <= 6; i++) yield i;
    }
    expect(await collectRows(rows(), 10)).toEqual({ items: [1, 2, 3, 4, 5, 6], truncated: false });
    expect(await collectRows(rows(), 6)).toEqual({ items: [1, 2, 3, 4, 5, 6], truncated: false });
    expect(await collectRows(rows(), 2)).toEqual({ items: [1, 2], truncated: true });
    expect(await collectRows(rows(), 2, (n) => n % 2 === 0)).toEqual({ items: [2, 4], truncated: true });
    expect(await collectRows(rows(), 3, (n) => n % 2 === 0)).toEqual({ items: [2, 4, 6], truncated: false });
  });
});
