// Record links: "Togai account A-17 is Zoho Books contact 4600000123". The runtime implements the store
// (PostgreSQL, scoped to the workspace); connectors and the core link actions only use this interface.

export interface RecordLinkKey {
  appA: string;
  typeA: string;
  idA: string;
  appB: string;
  typeB: string;
}

export interface RecordLinkInput extends RecordLinkKey {
  idB: string;
  /** Small non-secret JSON kept with the link (e.g. a hash of the last synced values to stop echo loops). */
  metadata?: Record<string, unknown>;
}

export interface RecordLink extends RecordLinkInput {
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/**
 * Semantics every implementation must keep:
 * - links are symmetric: `find({appA:'togai',typeA:'account',idA:'A-17',appB:'zoho-books',typeB:'contact'})`
 *   and the mirrored query from the Books side find the same link (returned oriented as asked);
 * - one record links to at most one record of a given (app, type): `upsert` replaces an older link of
 *   either side, so re-running a sync never creates a second link;
 * - `delete` removes the link of the A record towards (appB, typeB) and returns how many were removed.
 */
export interface RecordLinkStore {
  find(key: RecordLinkKey): Promise<RecordLink | null>;
  upsert(link: RecordLinkInput): Promise<{ link: RecordLink; created: boolean }>;
  delete(key: RecordLinkKey): Promise<{ deleted: number }>;
}
