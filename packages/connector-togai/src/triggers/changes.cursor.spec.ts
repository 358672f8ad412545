import { describe, expect, it } from 'vitest';
import { selectChanges, type ChangeCursor, type Changed } from './changes.cursor.js';

async function* rowsOf<T>(rows: T[]) {
  for (const row of rows) yield row;
}

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

describe('selectChanges', () => {
  it('starts at the newest row, remembering every id that shares its time', async () => {
    const result = await selectChanges(rowsOf([{ id: 'a', updatedAt: at(1) }, { id: 'b', updatedAt: at(3) }, { id: 'c', updatedAt: at(3) }]), null, 10);
    expect(result).toEqual({ changed: [], nextCursor: { updatedAt: at(3), idsAtBoundary: ['b', 'c'] }, hasMore: false });
    expect((await selectChanges(rowsOf([]), null, 10)).nextCursor).toEqual({ updatedAt: new Date(0).toISOString(), idsAtBoundary: [] });
  });

  it('splits a group of equal times across batches without losing or repeating rows', async () => {
    const rows = [
      { id: 'x', updatedAt: at(5) },
      { id: 'old', updatedAt: at(1) },
      { id: 'b', updatedAt: at(3) },
      { id: 'a', updatedAt: at(3) },
      { id: 'c', updatedAt: at(3) },
      { id: 'seen', updatedAt: at(2) },
    ];
    let cursor: ChangeCursor | null = { updatedAt: at(2), idsAtBoundary: ['seen'] };
    const emitted: string[] = [];
    for (let i = 0; i < 5; i++) {
      const result: Changed<{ id: string; updatedAt: string }> = await selectChanges(rowsOf(rows), cursor, 2);
      emitted.push(...result.changed.map((r) => r.id));
      cursor = result.nextCursor;
      if (!result.hasMore) break;
    }
    expect(emitted).toEqual(['a', 'b', 'c', 'x']);
    expect(cursor).toEqual({ updatedAt: at(5), idsAtBoundary: ['x'] });
    // a row changed later at the boundary time is still picked up
    const late = await selectChanges(rowsOf([...rows, { id: 'y', updatedAt: at(5) }]), cursor, 2);
    expect(late.changed.map((r) => r.id)).toEqual(['y']);
    expect(late.nextCursor).toEqual({ updatedAt: at(5), idsAtBoundary: ['x', 'y'] });
  });
});
