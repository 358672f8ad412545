// In-process RecordLinkStore with the same semantics the runtime's PostgreSQL store must keep
// (see links.types.ts). Used by connector tests and previews; the runtime persists links itself.
import type { RecordLink, RecordLinkInput, RecordLinkKey, RecordLinkStore } from './links.types.js';

interface StoredLink {
  a: { app: string; type: string; id: string };
  b: { app: string; type: string; id: string };
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

function sideKey(app: string, type: string, id: string, otherApp: string, otherType: string): string {
  return JSON.stringify([app, type, id, otherApp, otherType]);
}

export class InMemoryRecordLinkStore implements RecordLinkStore {
  private readonly links = new Set<StoredLink>();
  private readonly index = new Map<string, StoredLink>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  private orient(link: StoredLink, key: RecordLinkKey): RecordLink {
    const forward = link.a.app === key.appA && link.a.type === key.typeA && link.a.id === key.idA;
    const from = forward ? link.a : link.b;
    const to = forward ? link.b : link.a;
    return {
      appA: from.app,
      typeA: from.type,
      idA: from.id,
      appB: to.app,
      typeB: to.type,
      idB: to.id,
      metadata: structuredClone(link.metadata),
      createdAt: link.createdAt,
      updatedAt: link.updatedAt,
    };
  }

  private remove(link: StoredLink): void {
    this.links.delete(link);
    this.index.delete(sideKey(link.a.app, link.a.type, link.a.id, link.b.app, link.b.type));
    this.index.delete(sideKey(link.b.app, link.b.type, link.b.id, link.a.app, link.a.type));
  }

  async find(key: RecordLinkKey): Promise<RecordLink | null> {
    const link = this.index.get(sideKey(key.appA, key.typeA, key.idA, key.appB, key.typeB));
    return link ? this.orient(link, key) : null;
  }

  async upsert(input: RecordLinkInput): Promise<{ link: RecordLink; created: boolean }> {
    const stamp = this.now().toISOString();
    const fromA = this.index.get(sideKey(input.appA, input.typeA, input.idA, input.appB, input.typeB));
    const fromB = this.index.get(sideKey(input.appB, input.typeB, input.idB, input.appA, input.typeA));
    if (fromA && fromA === fromB) {
      fromA.metadata = { ...fromA.metadata, ...(input.metadata ?? {}) };
      fromA.updatedAt = stamp;
      return { link: this.orient(fromA, input), created: false };
    }
    // One record links to at most one record of a given (app, type): replace older links on either side.
    const createdAt = fromA?.createdAt ?? stamp;
    if (fromA) this.remove(fromA);
    if (fromB) this.remove(fromB);
    const link: StoredLink = {
      a: { app: input.appA, type: input.typeA, id: input.idA },
      b: { app: input.appB, type: input.typeB, id: input.idB },
      metadata: structuredClone(input.metadata ?? {}),
      createdAt,
      updatedAt: stamp,
    };
    this.links.add(link);
    this.index.set(sideKey(input.appA, input.typeA, input.idA, input.appB, input.typeB), link);
    this.index.set(sideKey(input.appB, input.typeB, input.idB, input.appA, input.typeA), link);
    return { link: this.orient(link, input), created: fromA === undefined };
  }

  async delete(key: RecordLinkKey): Promise<{ deleted: number }> {
    const link = this.index.get(sideKey(key.appA, key.typeA, key.idA, key.appB, key.typeB));
    if (!link) return { deleted: 0 };
    this.remove(link);
    return { deleted: 1 };
  }
}
