import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `braid_accept_events`: the webhook accept batch in one round trip (see AcceptBatcher). It stores the events of a
 * batch, a queued run for each new one and the run's pg-boss job. Body-hash duplicates within the window are left
 * out, and key duplicates by the unique index. Then it answers the ids of the events it stored.
 *
 * Why a function: deliveries without an event id are deduplicated by body hash under advisory locks, and the check
 * must see what other accepts committed before the lock was granted. A plain statement keeps the snapshot it
 * started with. In a VOLATILE function each statement takes a new snapshot, so the locks and the insert fit in one
 * call. That call commits on its own, with no BEGIN and COMMIT round trips.
 *
 * Parameters:
 * - `p_events`: one object per event, with the ids chosen by the caller.
 * - `p_bodies`: the raw bodies, referenced by index.
 * - `p_lock_keys`: the body-hash keys to lock.
 * - `p_channel`, `p_queue`: the channel that wakes workers, and the pg-boss queue.
 * - `p_notify`: whether to wake the workers of every replica.
 * - `p_handed`: how many of the new runs (the first ones, in input order) go to this process's workers.
 * - `p_fallback_seconds`: how much later those runs' jobs start, as the fallback.
 *
 * Jobs are written the way pg-boss 10's own insert writes them, with the queue's settings. If the queue is missing,
 * the call fails and stores nothing, because a run without its job would never start.
 */
export class TriggerAcceptFunction1763770000000 implements MigrationInterface {
  name = 'TriggerAcceptFunction1763770000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION braid_accept_events(p_events jsonb, p_bodies bytea[], p_lock_keys text[], p_channel text, p_queue text, p_notify boolean,
        p_handed int, p_fallback_seconds double precision) RETURNS uuid[] LANGUAGE plpgsql VOLATILE AS $fn$
      DECLARE
        stored_ids uuid[];
        run_count int;
        job_count int;
        notified int;
      BEGIN
        -- Held until commit, taken in a fixed order so that two batches never wait for each other.
        PERFORM pg_advisory_xact_lock(hashtextextended(k, 7301)) FROM (SELECT unnest(p_lock_keys) AS k ORDER BY 1) AS keys;
        WITH input AS (
          SELECT x.*, p_bodies[x.body_index] AS raw_body
            FROM jsonb_to_recordset(p_events) AS x(event_id uuid, run_id uuid, job_id uuid, workspace_id uuid, flow_id uuid, flow_version_id uuid,
              source text, provider_event_id text, dedupe_key text, body_hash text, window_seconds int, payload jsonb, body_index int,
              content_type text, headers jsonb, signature_verified boolean)
        ),
        fresh AS (
          SELECT i.* FROM input i
           WHERE i.dedupe_key IS NOT NULL OR i.body_hash IS NULL OR NOT EXISTS (
             SELECT 1 FROM trigger_events e
              WHERE e.flow_id = i.flow_id AND e.body_hash = i.body_hash AND e.received_at > clock_timestamp() - make_interval(secs => i.window_seconds))
        ),
        stored AS (
          INSERT INTO trigger_events (id, workspace_id, flow_id, flow_version_id, source, provider_event_id, dedupe_key, body_hash, payload,
            raw_body, content_type, headers, signature_verified)
          SELECT event_id, workspace_id, flow_id, flow_version_id, source, provider_event_id, dedupe_key,
                 CASE WHEN dedupe_key IS NULL THEN body_hash END, COALESCE(payload, 'null'::jsonb), raw_body, content_type, headers, signature_verified
            FROM fresh
          ON CONFLICT (flow_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
          RETURNING id
        ),
        queued AS (
          INSERT INTO runs (id, workspace_id, flow_id, flow_version_id, event_id, source, status, mode, trigger_output)
          SELECT i.run_id, i.workspace_id, i.flow_id, i.flow_version_id, i.event_id, i.source, 'queued', 'live', COALESCE(i.payload, 'null'::jsonb)
            FROM input i JOIN stored s ON s.id = i.event_id
          RETURNING id
        ),
        new_jobs AS (
          SELECT i.*, CASE WHEN row_number() OVER (ORDER BY i.body_index) <= p_handed THEN now() + make_interval(secs => p_fallback_seconds) ELSE now() END AS start_after
            FROM input i JOIN stored s ON s.id = i.event_id
        ),
        jobs AS (
          INSERT INTO pgboss.job (id, name, data, priority, start_after, dead_letter, expire_in, keep_until, retry_limit, retry_delay, retry_backoff, policy)
          SELECT n.job_id, q.name, jsonb_build_object('runId', n.run_id, 'flowId', n.flow_id, 'flowVersionId', n.flow_version_id), 0, n.start_after,
                 q.dead_letter, COALESCE(q.expire_seconds * interval '1 second', interval '15 minutes'),
                 n.start_after + COALESCE(q.retention_minutes * interval '1 minute', interval '14 days'),
                 COALESCE(q.retry_limit, 2),
                 CASE WHEN COALESCE(q.retry_backoff, false) THEN GREATEST(COALESCE(q.retry_delay, 0), 1) ELSE COALESCE(q.retry_delay, 0) END,
                 COALESCE(q.retry_backoff, false), q.policy
            FROM new_jobs n JOIN pgboss.queue q ON q.name = p_queue
          RETURNING 1
        ),
        -- Workers of every replica are woken on commit (QueueService listens on the channel), unless every new run
        -- is handed to a local worker.
        woken AS (SELECT pg_notify(p_channel, p_queue) FROM (SELECT 1 FROM queued WHERE p_notify LIMIT 1) AS one)
        SELECT (SELECT coalesce(array_agg(id), '{}') FROM stored), (SELECT count(*) FROM queued), (SELECT count(*) FROM jobs),
               (SELECT count(*) FROM woken)
          INTO stored_ids, run_count, job_count, notified;
        IF job_count <> run_count THEN
          RAISE EXCEPTION 'no pg-boss queue %', p_queue;
        END IF;
        RETURN stored_ids;
      END
      $fn$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP FUNCTION braid_accept_events(jsonb, bytea[], text[], text, text, boolean, int, double precision)');
  }
}
