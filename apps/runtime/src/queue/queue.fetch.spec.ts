import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/test-app.js';
import { QueueService } from './queue.service.js';

describe('queue fetch', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('takes the oldest due jobs first, reading them in index order instead of sorting every waiting job', async () => {
    const queue = t.braid.app.get(QueueService);
    await queue.ensureQueue('test-fetch-order');
    // 3,000 waiting jobs, created one second apart (the oldest last in insertion order), 20 of them not due yet.
    await t.query(
      `INSERT INTO pgboss.job (name, data, created_on, start_after)
       SELECT 'test-fetch-order', jsonb_build_object('n', n), now() - make_interval(secs => n), CASE WHEN n > 2980 THEN now() + interval '1 hour' ELSE now() - interval '1 second' END
         FROM generate_series(1, 3000) AS n`,
    );
    await t.query('ANALYZE pgboss.job');
    const plan = await t.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT id FROM pgboss.job WHERE name = 'test-fetch-order' AND state < 'active' AND start_after < now()
        ORDER BY created_on, id LIMIT 64 FOR UPDATE SKIP LOCKED`,
    );
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).toContain('created_on_id');
    expect(text).not.toMatch(/\bSort\b/);

    const jobs = await queue.fetch<{ n: number }>('test-fetch-order', 3);
    expect(jobs.map((job) => job.data.n).sort((a, b) => b - a)).toEqual([2980, 2979, 2978]); // RETURNING has no order
  });
});
