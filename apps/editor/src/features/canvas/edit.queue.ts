import type { FlowEdit } from '@braid/flow-model';

// Helpers for edits the server applies (PATCH …/draft): what travels, and what the page keeps of the answer.

function samePath(a: string | ReadonlyArray<string | number>, b: string | ReadonlyArray<string | number>): boolean {
  const parts = (path: string | ReadonlyArray<string | number>) => (typeof path === 'string' ? path.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')) : path.map(String));
  const pa = parts(a);
  const pb = parts(b);
  return pa.length === pb.length && pa.every((p, i) => p === pb[i]);
}

const covers = (later: object, earlier: object) => Object.keys(earlier).every((key) => key in later);

/** True when applying `later` leaves nothing of `earlier` (both set the same place to a whole new value). */
export function supersedes(later: FlowEdit, earlier: FlowEdit): boolean {
  switch (later.type) {
    case 'renameFlow':
      return earlier.type === 'renameFlow';
    case 'updateInput':
      return earlier.type === 'updateInput' && earlier.stepId === later.stepId && samePath(earlier.path, later.path);
    case 'updateTriggerConfig':
      return earlier.type === 'updateTriggerConfig' && samePath(earlier.path, later.path);
    case 'updateStep':
      return earlier.type === 'updateStep' && earlier.stepId === later.stepId && covers(later.patch ?? {}, earlier.patch ?? {});
    case 'updateBranch':
      return earlier.type === 'updateBranch' && earlier.stepId === later.stepId && earlier.branchId === later.branchId && covers(later.patch ?? {}, earlier.patch ?? {});
    default:
      return false;
  }
}

/**
 * Drops each edit the next one overwrites (typing sends the whole field value per keystroke): a fast typist's
 * batch stays one edit per field instead of one per key (the API takes at most 500 edits per request, and each
 * keystroke's edit carries the whole text).
 */
export function compactEdits(edits: readonly FlowEdit[]): FlowEdit[] {
  const out: FlowEdit[] = [];
  for (const edit of edits) {
    while (out.length > 0 && supersedes(edit, out[out.length - 1]!)) out.pop();
    out.push(edit);
  }
  return out;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * `next` with every part that equals the same part of `current` replaced by `current`'s own object (same
 * identity, same key order). The server answers a draft read back from jsonb, whose key order differs from the
 * page's: taken as is, every field would get a new value on every answer — lists re-ordered under the cursor,
 * text editors reset, every form re-derived — although nothing changed. Returns `current` itself when equal.
 */
export function keepEqualParts<T>(current: T, next: T): T {
  if (Object.is(current, next)) return current;
  if (Array.isArray(current) && Array.isArray(next)) {
    let same = current.length === next.length;
    const merged = next.map((item, i) => {
      const kept = i < current.length ? keepEqualParts(current[i], item) : item;
      if (kept !== current[i]) same = false;
      return kept;
    });
    return (same ? current : merged) as T;
  }
  if (isPlainObject(current) && isPlainObject(next)) {
    const currentKeys = Object.keys(current);
    const nextKeys = Object.keys(next);
    let same = currentKeys.length === nextKeys.length;
    const merged: Record<string, unknown> = {};
    // The page's key order first (what is on screen stays where it is), then keys only the server has.
    for (const key of [...currentKeys.filter((k) => k in next), ...nextKeys.filter((k) => !(k in current))]) {
      const kept = key in current ? keepEqualParts(current[key], next[key]) : next[key];
      if (!(key in current) || kept !== current[key]) same = false;
      merged[key] = kept;
    }
    return (same ? current : merged) as T;
  }
  return next;
}
