import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IntegrationsError } from './integrations.errors.js';
import { loadConfig } from '../config/config.service.js';
import { loadTemplate, loadTemplates } from './templates.loader.js';
import { echoFlow, fixtureManifest, fixtureTemplate, writeTemplates } from './test-support/integrations.fixtures.js';

describe('template loader', () => {
  it('loads a folder: manifest, parsed flows, README', async () => {
    const root = await writeTemplates({ echo: fixtureTemplate() });
    const [template] = loadTemplates(root);
    expect(template!.manifest.id).toBe('fixture-echo');
    expect(template!.flows.map((f) => [f.key, f.definition.name, f.initialSync])).toEqual([
      ['echo', 'Echo the settings', false],
      ['nightly', 'Nightly', false],
    ]);
    expect(template!.readme).toContain('Echo fixture');
  });

  const refused = async (files: Record<string, unknown>, message: RegExp) => {
    const root = await writeTemplates({ bad: files as never });
    let error: unknown;
    try {
      loadTemplate(join(root, 'bad'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IntegrationsError);
    expect((error as Error).message).toMatch(message);
  };

  it('refuses malformed templates, naming the file and what is wrong', async () => {
    await refused({ ...fixtureTemplate(), 'template.json': '{ not json' }, /template\.json is not valid JSON/);
    await refused({ ...fixtureTemplate(), 'template.json': { ...fixtureManifest, title: undefined } }, /template\.json \/title is required|must have required property 'title'/);
    await refused({ ...fixtureTemplate(), 'template.json': { ...fixtureManifest, modules: [{ key: 'x', title: 'X', flows: ['nope'] }] } }, /module "x" names flow "nope", which is not in "flows"/);
    await refused({ ...fixtureTemplate(), 'template.json': { ...fixtureManifest, flows: [...(fixtureManifest.flows as unknown[]), { key: 'echo', file: 'flows/echo.flow.json' }] } }, /flow "echo" is declared twice/);
    await refused({ 'template.json': fixtureManifest, 'flows/nightly.flow.json': {} }, /flow "echo": flows\/echo\.flow\.json does not exist/);
    await refused({ ...fixtureTemplate(), 'flows/echo.flow.json': { ...echoFlow, start: 7 } }, /flows\/echo\.flow\.json is not a flow definition: \/start/);
    await refused({ ...fixtureTemplate(), 'template.json': { ...fixtureManifest, settings: { type: 'object', properties: { a: { type: 'nonsense' } } } } }, /settings schema does not compile/);
  });

  it('refuses two templates with the same id', async () => {
    const root = await writeTemplates({ one: fixtureTemplate(), two: fixtureTemplate() });
    expect(() => loadTemplates(root)).toThrow(/id "fixture-echo" is used by another template/);
  });

  it('finds the repository templates folder from the code, or BRAID_TEMPLATES_DIR', () => {
    expect(loadConfig({}).templatesDir).toMatch(/\/templates$/);
    expect(loadConfig({ BRAID_TEMPLATES_DIR: '/srv/t' }).templatesDir).toBe('/srv/t');
  });
});
