import { describe, expect, it } from 'vitest';
import { paginate, takeAtMost } from './paginate.js';

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
});
