// Test helpers for the triggers tests: flows are written straight into the flows engineer's tables (the
// contract), so these tests do not depend on the flows API.
import { FLOW_SCHEMA_VERSION, type FlowDefinition, type Step, type TriggerNode } from '@braid/flow-model';
import type { TestApp } from '../../../test/test-app.js';
import { TriggersService } from '../triggers.service.js';

export function flowDefinition(trigger: TriggerNode, steps: Step[] = [], name = 'Test flow'): FlowDefinition {
  return {
    schemaVersion: FLOW_SCHEMA_VERSION,
    name,
    direction: 'inbound',
    trigger,
    start: steps[0]?.id ?? null,
    steps: Object.fromEntries(steps.map((s) => [s.id, s])),
  };
}

/** A flow with one published version (enabled), armed through TriggersService like FlowsService does. */
export async function publishFlow(
  t: TestApp,
  workspaceId: string,
  definition: FlowDefinition,
  options: { arm?: boolean } = {},
): Promise<{ flowId: string; versionId: string }> {
  const [flow] = await t.query<{ id: string }>(
    `INSERT INTO flows (workspace_id, name, direction, draft, enabled) VALUES ($1, $2, $3, $4::jsonb, true) RETURNING id`,
    [workspaceId, definition.name, definition.direction, JSON.stringify(definition)],
  );
  const [version] = await t.query<{ id: string }>(
    `INSERT INTO flow_versions (flow_id, workspace_id, version, definition) VALUES ($1, $2, 1, $3::jsonb) RETURNING id`,
    [flow!.id, workspaceId, JSON.stringify(definition)],
  );
  await t.query(`UPDATE flows SET published_version_id = $2 WHERE id = $1`, [flow!.id, version!.id]);
  if (options.arm !== false) {
    await t.braid.app.get(TriggersService).arm(workspaceId, flow!.id, { id: version!.id, definition });
  }
  return { flowId: flow!.id, versionId: version!.id };
}

/** Disables the flow like FlowsService does (flag + disarm). */
export async function disableFlow(t: TestApp, workspaceId: string, flowId: string): Promise<void> {
  await t.query(`UPDATE flows SET enabled = false WHERE id = $1`, [flowId]);
  await t.braid.app.get(TriggersService).disarm(workspaceId, flowId);
}

/** The path of the flow's webhook (`/hooks/<token>`). */
export async function hookPath(t: TestApp, flowId: string): Promise<string> {
  const [row] = await t.query<{ token: string }>(`SELECT token FROM trigger_endpoints WHERE flow_id = $1`, [flowId]);
  if (!row) throw new Error(`flow ${flowId} has no webhook endpoint`);
  return `/hooks/${row.token}`;
}

export async function runsOf(t: TestApp, flowId: string) {
  return t.query<{ id: string; event_id: string; source: string; status: string; trigger_output: unknown }>(
    `SELECT id, event_id, source, status, trigger_output FROM runs WHERE flow_id = $1 ORDER BY queued_at, id`,
    [flowId],
  );
}

export async function eventsOf(t: TestApp, flowId: string) {
  return t.query<{ id: string; source: string; provider_event_id: string | null; payload: unknown; raw_body: Buffer | null; headers: Record<string, string> | null; content_type: string | null; signature_verified: boolean }>(
    `SELECT id, source, provider_event_id, payload, raw_body, headers, content_type, signature_verified FROM trigger_events WHERE flow_id = $1 ORDER BY received_at, id`,
    [flowId],
  );
}

/** Waits (bounded) until `check` returns a truthy value. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 10_000, stepMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

/** The sandbox's Togai API with its test token: `request` for any call, `createCustomer` for a customer with an address. */
export function sandboxTogai(sandboxUrl: () => string, token: string) {
  const request = (path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${sandboxUrl()}/togai${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  const createCustomer = async (id: string) => {
    const response = await request('/customers', {
      method: 'POST',
      body: { id, name: `Customer ${id}`, primaryEmail: `${id}@example.com`, address: { country: 'DE' } },
    });
    if (response.status !== 201) throw new Error(`customer ${id}: ${response.status} ${await response.text()}`);
  };
  return { request, createCustomer };
}
