import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/test-app.js';
import { flowDefinition, hookPath, publishFlow } from '../triggers/test-support/triggers.fixtures.js';
import { MetricsService } from './metrics.service.js';

describe('/metrics', () => {
  let on: TestApp;
  let off: TestApp;

  beforeAll(async () => {
    [on, off] = await Promise.all([createTestApp({ env: { BRAID_METRICS: 'on' } }), createTestApp()]);
  });
  afterAll(async () => {
    await Promise.all([on?.close(), off?.close()]);
  });

  it('is 404 unless BRAID_METRICS=on', async () => {
    const response = await off.request().get('/metrics');
    expect(response.status).toBe(404);
    expect(response.body.error.message).toContain('BRAID_METRICS=on');
  });

  it('exposes runs, step durations, queue depth and age, webhook accept latency, 429s and refresh failures', async () => {
    const owner = await on.signUpOwner();
    const { flowId } = await publishFlow(on, owner.workspace.id, flowDefinition({ connector: 'core', trigger: 'webhook', config: {} }));
    expect((await on.request().post(await hookPath(on, flowId)).send({ n: 1 })).status).toBe(202);
    const metrics = on.braid.app.get(MetricsService);
    metrics.runStarted(flowId);
    metrics.runFinished(flowId, 'succeeded');
    metrics.stepDuration('core', 'http_request', 0.042);
    metrics.connector429('togai');
    metrics.tokenRefreshFailed('zoho-books');

    const response = await on.request().get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    const text = response.text;
    expect(text).toContain(`braid_runs_started_total{flow_id="${flowId}"} 1`);
    expect(text).toContain(`braid_runs_finished_total{flow_id="${flowId}",status="succeeded"} 1`);
    expect(text).toContain('braid_step_duration_seconds_count{connector="core",action="http_request"} 1');
    expect(text).toMatch(/braid_webhook_accept_seconds_count\{outcome="accepted"\} 1/);
    expect(text).toContain('braid_connector_rate_limited_total{connector="togai"} 1');
    expect(text).toContain('braid_token_refresh_failures_total{connector="zoho-books"} 1');
    expect(text).toMatch(/braid_queue_depth\{queue="[^"]+"\} \d+/);
    expect(text).toContain('# TYPE braid_queue_oldest_waiting_seconds gauge');
    expect(text).toContain('braid_process_');
  });
});
