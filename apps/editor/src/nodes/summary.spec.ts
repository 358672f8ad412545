import { describe, expect, it } from 'vitest';
import { branchyFlow, catalog } from '../test-support/fixtures';
import { stepCardText } from './summary';

describe('stepCardText', () => {
  const flow = branchyFlow();
  it('names an action by app and action with its first input', () => {
    expect(stepCardText(flow.steps.find_contact!, catalog)).toEqual({
      title: 'Find contact',
      subtitle: 'Zoho Books · Find contact',
      summary: 'email ← $trigger.account.primaryEmail',
      connectorKey: 'zoho-books',
    });
    expect(stepCardText(flow.steps.create!, catalog).title).toBe('Create invoice');
  });
  it('summarises branches, loops and maps', () => {
    expect(stepCardText(flow.steps.found!, catalog).summary).toBe('If Found, else');
    expect(stepCardText(flow.steps.lines!, catalog).summary).toBe('Over $trigger.account.lines');
    expect(stepCardText(flow.steps.use_it!, catalog).summary).toBe('Makes id');
  });
  it('falls back to keys for an unknown connector', () => {
    const text = stepCardText({ kind: 'action', id: 'x', connector: 'gone', action: 'y', input: {} }, catalog);
    expect(text).toMatchObject({ title: 'x', subtitle: 'gone · y', summary: 'No inputs set yet' });
  });
});
