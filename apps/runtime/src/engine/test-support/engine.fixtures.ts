// Helpers for engine/flows/runs tests: flow definitions, publishing through the API, waiting for runs.
import type { Client, TestApp } from '../../../test/test-app.js';
import { FlowsService } from '../../flows/flows.service.js';
import { EngineSettings } from '../engine.settings.js';

export type Json = Record<string, unknown>;

export function flowDefinition(steps: Record<string, Json>, start: string | null, extra: Json = {}): Json {
  return {
    schemaVersion: 1,
    name: 'Test flow',
    direction: 'outbound',
    trigger: { connector: 'core', trigger: 'manual', config: { payloadSchema: { type: 'object' } } },
    start,
    steps,
    ...extra,
  };
}

export function httpStep(id: string, url: string, body: Json, extra: Json = {}): Json {
  return { kind: 'action', id, connector: 'core', action: 'http_request', input: { method: 'POST', url, bodyType: 'json', body }, ...extra };
}

/** Lets steps call loopback test servers (the sandbox on 127.0.0.1), with short leases for fast tests. */
export function allowLoopback(t: TestApp, overrides: Partial<EngineSettings> = {}): EngineSettings {
  const settings = t.braid.app.get(EngineSettings);
  settings.allowPrivateAddresses = true;
  Object.assign(settings, overrides);
  return settings;
}

export async function createPublishedFlow(client: Client, workspaceId: string, definition: Json): Promise<string> {
  const created = await client.post(`/api/v1/workspaces/${workspaceId}/flows`).send({ definition });
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${JSON.stringify(created.body)}`);
  const published = await client.post(`/api/v1/workspaces/${workspaceId}/flows/${created.body.id}/publish`).send({});
  if (published.status !== 200) throw new Error(`publish failed: ${published.status} ${JSON.stringify(published.body)}`);
  return created.body.id as string;
}

/** Starts a run of the published version (through the triggers feature's manual run when it is installed). */
export async function startRun(t: TestApp, workspaceId: string, flowId: string, payload: unknown): Promise<string> {
  return (await t.braid.app.get(FlowsService).runManually(workspaceId, flowId, payload)).runId;
}

/** Polls the run until it is finished (bounded). */
export async function waitForRun(client: Client, workspaceId: string, runId: string, timeoutMs = 20_000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await client.get(`/api/v1/workspaces/${workspaceId}/runs/${runId}`);
    if (response.status !== 200) throw new Error(`GET run answered ${response.status}`);
    if (['succeeded', 'failed', 'cancelled'].includes(response.body.status)) return response.body as Json;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${response.body.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
