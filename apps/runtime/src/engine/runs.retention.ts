import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { QueueService } from '../queue/queue.service.js';
import { EngineSettings } from './engine.settings.js';
import { rowsOf } from '../queue/sql.rows.js';

export const HOUSEKEEPING_QUEUE = 'runs.housekeeping';

/**
 * Run data retention: a daily pg-boss schedule (one tick across all replicas) deletes runs (and their
 * steps) finished more than BRAID_RUN_RETENTION_DAYS days ago. Record links keep existing (their run
 * reference becomes empty).
 */
@Injectable()
export class RunsRetention implements OnApplicationBootstrap {
  private readonly logger = new Logger('RunsRetention');

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: QueueService,
    private readonly settings: EngineSettings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.ensureQueue(HOUSEKEEPING_QUEUE, { retryLimit: 2, expireInSeconds: 60 * 60 });
    await this.queue.schedule(HOUSEKEEPING_QUEUE, '17 3 * * *', {}, { tz: 'UTC' });
    await this.queue.work(HOUSEKEEPING_QUEUE, { pollingIntervalSeconds: 60 }, async () => {
      await this.deleteExpiredRuns();
    });
  }

  /** Deletes finished runs older than the retention period, in batches; returns how many. */
  async deleteExpiredRuns(now: Date = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.settings.retentionDays * 86_400_000);
    let total = 0;
    for (let batch = 0; batch < 1000; batch++) {
      const rows = rowsOf<{ id: string }>(await this.dataSource.query(
        `DELETE FROM runs WHERE id IN (
           SELECT id FROM runs WHERE status IN ('succeeded', 'failed', 'cancelled') AND finished_at < $1 LIMIT 2000)
         RETURNING id`,
        [cutoff],
      ));
      total += rows.length;
      if (rows.length < 2000) break;
    }
    if (total > 0) this.logger.log(`Deleted ${total} run(s) finished before ${cutoff.toISOString()} (retention ${this.settings.retentionDays} days).`);
    return total;
  }
}
