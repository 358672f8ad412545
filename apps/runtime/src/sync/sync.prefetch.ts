// While an initial sync (backfill) of a flow runs, an upsert-with-link step with `prefetch` lists the target's
// records ONCE (per backfill, per process) and matches its find keys in memory, instead of one search per
// record (Togai's find scans pages at 10 requests/s: 500 searches would take minutes). Records the step
// creates during the backfill are added to the index, so a later record with the same key links to them.
import type { UpsertWithLinkStep } from '@braid/flow-model';
import type { DataSource } from 'typeorm';
import { readPath } from './sync.fingerprint.js';

export interface PrefetchIndex {
  lookup(key: string, value: string): string | undefined;
  add(key: string, value: string, id: string): void;
  size: number;
}

const normalise = (value: string) => value.trim().toLowerCase();

function buildIndex(items: unknown[], idPath: string, keys: Record<string, string>): PrefetchIndex {
  const maps = new Map<string, Map<string, string>>(Object.keys(keys).map((k) => [k, new Map()]));
  const add = (key: string, value: string, id: string) => {
    const map = maps.get(key);
    if (map && value.trim() !== '' && !map.has(normalise(value))) map.set(normalise(value), id);
  };
  for (const item of items) {
    const id = readPath(item, idPath);
    if (id === undefined || id === null || id === '') continue;
    for (const [key, path] of Object.entries(keys)) {
      const value = readPath(item, path);
      if (typeof value === 'string' || typeof value === 'number') add(key, String(value), String(id));
    }
  }
  return { lookup: (key, value) => maps.get(key)?.get(normalise(value)), add, size: items.length };
}

const cache = new Map<string, { backfillId: string; index: Promise<PrefetchIndex> }>();

async function runningBackfill(db: DataSource, run: { workspaceId: string; flowId: string }): Promise<string | undefined> {
  const rows: Array<{ id: string }> = await db.query(
    `SELECT id FROM backfills WHERE workspace_id = $1 AND flow_id = $2 AND status = 'running' ORDER BY started_at DESC LIMIT 1`,
    [run.workspaceId, run.flowId],
  );
  return rows[0]?.id;
}

/** The step's prefetched index while a backfill of the flow runs; undefined otherwise (search one by one). */
export async function prefetchIndex(
  db: DataSource,
  step: UpsertWithLinkStep,
  run: { workspaceId: string; flowId: string },
  call: (action: string, input: unknown) => Promise<unknown>,
  evaluate: (value: unknown) => Promise<unknown>,
): Promise<PrefetchIndex | undefined> {
  const prefetch = step.prefetch;
  if (!prefetch) return undefined;
  const backfillId = await runningBackfill(db, run);
  const cacheKey = `${run.workspaceId}:${run.flowId}:${step.id}`;
  if (!backfillId) {
    cache.delete(cacheKey);
    return undefined;
  }
  const cached = cache.get(cacheKey);
  if (cached && cached.backfillId === backfillId) return cached.index;
  const index = (async () => {
    const output = await call(prefetch.action, await evaluate(prefetch.input));
    const items = readPath(output, prefetch.itemsPath);
    return buildIndex(Array.isArray(items) ? items : [], prefetch.idPath, prefetch.keys);
  })();
  cache.set(cacheKey, { backfillId, index });
  index.catch(() => cache.delete(cacheKey));
  return index;
}

/** Adds a record the step just created to the running backfill's index (by the values it was searched for). */
export function rememberCreated(step: UpsertWithLinkStep, run: { workspaceId: string; flowId: string }, searched: Array<{ key: string; value: string }>, id: string): void {
  const cached = cache.get(`${run.workspaceId}:${run.flowId}:${step.id}`);
  if (!cached) return;
  void cached.index.then((index) => {
    for (const { key, value } of searched) index.add(key, value, id);
  }, () => undefined);
}
