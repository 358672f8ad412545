import type { DataSource, EntityManager } from 'typeorm';

interface Pending<T> {
  work: (manager: EntityManager) => Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for webhook accepts. Each accept is a small write (event + run + job) whose cost is mostly the
 * commit (WAL flush). Up to `parallel` transactions run at once; requests arriving while all are busy are
 * committed together in the next transaction (at most `maxBatch`), so under load one flush serves many accepts
 * while an idle system still commits each request at once. Every caller is answered only after its transaction
 * committed. A failed batch is retried one item per transaction, so one bad request cannot fail its neighbours.
 */
export class AcceptBatcher {
  private readonly pending: Array<Pending<unknown>> = [];
  private running = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly parallel = 4,
    private readonly maxBatch = 64,
  ) {}

  submit<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve, reject } as Pending<unknown>);
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.parallel && this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.running += 1;
      void this.commit(batch).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  private async commit(batch: Array<Pending<unknown>>): Promise<void> {
    try {
      const results = await this.dataSource.transaction(async (manager) => {
        const out: unknown[] = [];
        for (const item of batch) out.push(await item.work(manager));
        return out;
      });
      batch.forEach((item, index) => item.resolve(results[index]));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      for (const item of batch) {
        try {
          item.resolve(await this.dataSource.transaction((manager) => item.work(manager)));
        } catch (single) {
          item.reject(single);
        }
      }
    }
  }
}
