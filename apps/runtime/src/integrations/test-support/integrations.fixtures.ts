// A small template written to a temporary folder: the framework tests do not depend on the shipped templates.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '../../../test/temp-dir.js';

export type Json = Record<string, unknown>;

/** Manual flow: reads a Togai customer (slot "togai") and echoes two settings. */
export const echoFlow: Json = {
  schemaVersion: 1,
  name: 'Echo the settings',
  direction: 'outbound',
  trigger: { connector: 'core', trigger: 'manual', config: { payloadSchema: { type: 'object', properties: { customerId: { type: 'string' } } } } },
  start: 'customer',
  steps: {
    customer: { kind: 'action', id: 'customer', connector: 'togai', action: 'get_customer', connectionRef: 'togai', input: { customerId: { $expr: '$trigger.customerId' } }, next: 'echo' },
    echo: { kind: 'map', id: 'echo', output: { greeting: { $expr: '$vars.greeting & ", " & $steps.customer.name' }, count: { $expr: '$vars.count' } } },
  },
};

/** Schedule flow behind a module that is off by default. */
export const nightlyFlow: Json = {
  schemaVersion: 1,
  name: 'Nightly',
  direction: 'outbound',
  trigger: { connector: 'core', trigger: 'schedule', config: { cron: '0 3 * * *', timezone: 'UTC' } },
  start: 'note',
  steps: { note: { kind: 'map', id: 'note', output: { at: { $expr: '$trigger.scheduledAt' } } } },
};

export const fixtureManifest: Json = {
  id: 'fixture-echo',
  title: 'Echo fixture',
  summary: 'Reads a Togai customer and echoes the settings.',
  description: ['Only for tests.'],
  direction: 'outbound',
  apps: ['togai', 'core'],
  connections: [{ key: 'togai', connector: 'togai', title: 'Togai' }],
  settings: {
    type: 'object',
    required: ['greeting'],
    properties: { greeting: { type: 'string', minLength: 2 }, count: { type: 'integer', minimum: 1, default: 3 } },
    additionalProperties: false,
  },
  modules: [
    { key: 'echo', title: 'Echo', flows: ['echo'] },
    { key: 'nightly', title: 'Nightly', default: false, flows: ['nightly'] },
  ],
  flows: [
    { key: 'echo', file: 'flows/echo.flow.json' },
    { key: 'nightly', file: 'flows/nightly.flow.json' },
  ],
};

/** Writes template folders (`{ folder: { 'template.json': …, 'flows/x.flow.json': … } }`) under a new temp dir. */
export async function writeTemplates(templates: Record<string, Record<string, Json | string>>): Promise<string> {
  const root = await makeTempDir('braid-templates-');
  await writeFile(join(root, 'README.md'), '# test templates\n');
  for (const [folder, files] of Object.entries(templates)) {
    for (const [file, content] of Object.entries(files)) {
      const path = join(root, folder, file);
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    }
  }
  return root;
}

export function fixtureTemplate(manifest: Json = fixtureManifest): Record<string, Json | string> {
  return { 'template.json': manifest, 'flows/echo.flow.json': echoFlow, 'flows/nightly.flow.json': nightlyFlow, 'README.md': '# Echo fixture\n' };
}
