import { coreConnector } from '@braid/connector-core';
import { describeConnector } from '@braid/connector-sdk';
import { togaiConnector } from '@braid/connector-togai';
import { zohoBooksConnector } from '@braid/connector-zoho-books';
import { zohoCrmConnector } from '@braid/connector-zoho-crm';
import type { ConnectorDescriptor } from '@braid/flow-model';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.service.js';
import { loadTemplates } from './templates.loader.js';
import { templateProblems } from './templates.validate.js';
import { echoFlow, fixtureManifest, fixtureTemplate, writeTemplates } from './test-support/integrations.fixtures.js';

// The real connector catalog, as the runtime installs it.
const catalog: ConnectorDescriptor[] = [coreConnector, togaiConnector, zohoBooksConnector, zohoCrmConnector].map((c) => describeConnector(c) as unknown as ConnectorDescriptor);

describe('the repository templates', () => {
  const templates = loadTemplates(loadConfig({}).templatesDir);

  it('are all there (S1, S2, S6 so far)', () => {
    expect(templates.map((t) => t.manifest.id)).toEqual(expect.arrayContaining(['s1-platform-accounts-to-books', 's2-platform-invoices-to-books', 's6-paid-orders-to-books']));
  });

  it.each(templates.map((t) => [t.manifest.id, t] as const))('%s passes validateFlow against the real connector catalog (slots as connections)', (_id, template) => {
    expect(templateProblems(template, catalog)).toEqual([]);
    expect(template.readme).toMatch(/pnpm start/);
  });
});

describe('templateProblems', () => {
  it('names unknown slots, slots of another connector, and flow-model problems with file and pointer', async () => {
    const broken = {
      ...echoFlow,
      steps: {
        ...(echoFlow.steps as Record<string, unknown>),
        customer: { kind: 'action', id: 'customer', connector: 'zoho-books', action: 'list_taxes', connectionRef: 'togai', input: {}, next: 'echo' },
        stray: { kind: 'action', id: 'stray', connector: 'togai', action: 'get_customer', connectionRef: 'crm', input: {} },
      },
    };
    const root = await writeTemplates({ broken: { ...fixtureTemplate({ ...fixtureManifest, apps: ['togai', 'nope'] }), 'flows/echo.flow.json': broken } });
    const problems = templateProblems(loadTemplates(root)[0]!, catalog);
    expect(problems.map((p) => [p.code, p.file, p.pointer])).toEqual(
      expect.arrayContaining([
        ['UNKNOWN_CONNECTOR', 'template.json', '/apps/1'],
        ['SLOT_CONNECTOR_MISMATCH', 'flows/echo.flow.json', '/steps/customer/connectionRef'],
        ['UNKNOWN_SLOT', 'flows/echo.flow.json', '/steps/stray/connectionRef'],
        ['UNREACHABLE_STEP', 'flows/echo.flow.json', expect.stringContaining('/steps/stray')],
      ]),
    );
    expect(problems.find((p) => p.code === 'UNKNOWN_SLOT')!.message).toContain('connectionRef "crm" is not a connection slot of the template (slots: togai)');
  });
});
