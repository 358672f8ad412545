import { describe, expect, it } from 'vitest';
import { catalog } from '../../test-support/fixtures';
import { dependsOnValues, formSchemaUtils, humanize, inputProperties, propertyFormSchema, shownFormData, userFormChange } from './form.schema';

const books = catalog.find((c) => c.key === 'zoho-books')!;
const createInvoice = books.actions.find((a) => a.key === 'create_invoice')!;

describe('inputProperties', () => {
  it('picks an editor per property: expression, dynamic dropdown, mapper or form', () => {
    const props = inputProperties(createInvoice.inputSchema, { customer_id: { $expr: '$steps.find.id' } }, createInvoice.dynamicOptions);
    expect(props.map((p) => [p.name, p.title, p.required, p.editor.kind])).toEqual([
      ['customer_id', 'Customer id', true, 'expression'],
      ['tax_id', 'Tax id', false, 'dynamic-select'],
    ]);
    const crm = catalog.find((c) => c.key === 'zoho-crm')!.actions[0]!;
    expect(inputProperties(crm.inputSchema, {})[0]!.editor.kind).toBe('field-mapper');
  });
  it('keeps inputs the schema does not know (so they can be removed)', () => {
    expect(inputProperties({ type: 'object', properties: {} }, { stale: 1 }).map((p) => p.name)).toEqual(['stale']);
  });
});

describe('free-form values', () => {
  it('get a JSON editor', () => {
    const props = inputProperties({ type: 'object', properties: { any: {}, obj: { type: 'object' }, list: { type: 'array' }, typed: { type: 'object', properties: { a: { type: 'string' } } }, text: { type: 'string' } } }, {});
    expect(props.map((p) => [p.name, p.editor.kind])).toEqual([['any', 'json'], ['obj', 'json'], ['list', 'json'], ['typed', 'form'], ['text', 'form']]);
  });
});

describe('helpers', () => {
  it('humanizes names', () => {
    expect(humanize('primaryEmail')).toBe('Primary email');
    expect(humanize('tax_id')).toBe('Tax id');
  });
  it('builds a one-property schema with the root definitions', () => {
    const root = { type: 'object', title: 'X', oneOf: [{ required: ['lines'] }], $defs: { line: { type: 'object' } }, properties: { lines: { title: 'Lines', type: 'array', items: { $ref: '#/$defs/line' } } }, required: ['lines'] };
    expect(propertyFormSchema(root, 'lines', root.properties.lines)).toEqual({ type: 'object', $defs: root.$defs, properties: { lines: { type: 'array', items: { $ref: '#/$defs/line' } } } });
  });
  it('sends dropdown dependencies only when they are literal', () => {
    expect(dependsOnValues({ module: 'Accounts' }, ['module'])).toEqual({ module: 'Accounts' });
    expect(dependsOnValues({ module: { $expr: '$x' } }, ['module'])).toBeNull();
    expect(dependsOnValues({}, [])).toEqual({});
  });
});

describe('userFormChange', () => {
  const root = {
    type: 'object',
    properties: {
      method: { type: 'string', enum: ['GET', 'POST'], default: 'GET' },
      options: { type: 'object', properties: { limit: { type: 'integer', default: 10 }, note: { type: 'string' } } },
      url: { type: 'string' },
    },
  };
  const utils = (name: 'method' | 'options' | 'url') => formSchemaUtils(propertyFormSchema(root, name, root.properties[name]));

  it('shows the schema default where nothing is stored', () => {
    expect(shownFormData(utils('method'), 'method', undefined)).toEqual({ method: 'GET' });
    expect(shownFormData(utils('method'), 'method', 'POST')).toEqual({ method: 'POST' });
    expect(shownFormData(utils('options'), 'options', undefined)).toEqual({ options: { limit: 10 } });
  });

  it('the defaults a form reports when it mounts are not a change; what the person changes is', () => {
    const method = utils('method');
    expect(userFormChange(method, 'method', undefined, { method: 'GET' })).toBeNull();
    expect(userFormChange(method, 'method', undefined, { method: 'POST' })).toEqual({ next: 'POST' });
    expect(userFormChange(method, 'method', 'POST', { method: 'GET' })).toEqual({ next: 'GET' });
    const options = utils('options');
    expect(userFormChange(options, 'options', undefined, { options: { limit: 10 } })).toBeNull();
    expect(userFormChange(options, 'options', undefined, { options: { limit: 10, note: 'n' } })).toEqual({ next: { limit: 10, note: 'n' } });
    const url = utils('url');
    expect(userFormChange(url, 'url', undefined, {})).toBeNull();
    expect(userFormChange(url, 'url', 'https://a.test', {})).toEqual({ next: undefined });
    expect(userFormChange(url, 'url', 'https://a.test', { url: 'https://a.test' })).toBeNull();
  });
});
