import { describe, expect, it } from 'vitest';
import { crmModules } from './crm.fields.js';
import { CriteriaError, matchesCriteria, parseCriteria, type SearchValue, validateCriteria } from './crm.search.js';

const accounts = crmModules.Accounts;
const reader = (values: Record<string, unknown>) => (apiName: string): SearchValue => {
  const v = values[apiName];
  if (v && typeof v === 'object') return { value: v, ...(v as { id?: string; name?: string }) };
  return { value: v };
};

describe('criteria parser', () => {
  it('parses nested and/or groups and a bare condition', () => {
    expect(parseCriteria('((Email:equals:a@b.com)and(Account_Name:starts_with:Zyl))')).toEqual({
      kind: 'group',
      join: 'and',
      items: [
        { kind: 'condition', field: 'Email', operator: 'equals', values: ['a@b.com'] },
        { kind: 'condition', field: 'Account_Name', operator: 'starts_with', values: ['Zyl'] },
      ],
    });
    expect(parseCriteria('(a:equals:1)or((b:equals:2)and(c:equals:3))')).toMatchObject({
      join: 'or', items: [{ field: 'a' }, { join: 'and', items: [{ field: 'b' }, { field: 'c' }] }],
    });
    expect(parseCriteria('Phone:equals:123')).toEqual({ kind: 'condition', field: 'Phone', operator: 'equals', values: ['123'] });
  });

  it('keeps colons in values and unescapes brackets and commas', () => {
    expect(parseCriteria('(Modified_Time:greater_than:2024-01-01T10:00:00+05:30)')).toMatchObject({
      values: ['2024-01-01T10:00:00+05:30'],
    });
    expect(parseCriteria('(Account_Name:equals:Acme \\(EU\\)\\, Ltd)')).toMatchObject({ values: ['Acme (EU), Ltd'] });
    expect(parseCriteria('(Account_Name:in:A\\,B,C)')).toMatchObject({ operator: 'in', values: ['A,B', 'C'] });
    expect(parseCriteria('(Employees:between:10,20)')).toMatchObject({ operator: 'between', values: ['10', '20'] });
  });

  it('rejects malformed criteria with a reason', () => {
    expect(() => parseCriteria('(Email:equals:a')).toThrow(CriteriaError);
    expect(() => parseCriteria('(Email:contains:a)')).toThrow(/unknown operator "contains"/);
    expect(() => parseCriteria('(a:equals:1)and(b:equals:2)or(c:equals:3)')).toThrow(/brackets/);
    expect(() => parseCriteria('(Email:equals:a(b)')).toThrow(/unescaped "\("/);
    expect(() => parseCriteria('(Employees:between:1)')).toThrow(/two/);
    expect(() => parseCriteria('(Email)')).toThrow(/Field:operator:value/);
    const eleven = Array.from({ length: 11 }, (_, i) => `(F${i}:equals:${i})`).join('and');
    expect(() => parseCriteria(eleven)).toThrow(/more than 10 conditions/);
    const ten = Array.from({ length: 10 }, (_, i) => `(F${i}:equals:${i})`).join('and');
    expect(() => parseCriteria(ten)).not.toThrow();
  });

  it('validates fields and operators against the module', () => {
    expect(() => validateCriteria(parseCriteria('(Nope:equals:1)'), accounts)).toThrow(/no field "Nope"/);
    expect(() => validateCriteria(parseCriteria('(Account_Name:greater_than:1)'), accounts)).toThrow(/cannot be used/);
    expect(() => validateCriteria(parseCriteria('(Employees:greater_than:abc)'), accounts)).toThrow(/not a valid integer/);
    expect(() => validateCriteria(parseCriteria('(Employees:between:1,5)'), accounts)).not.toThrow();
  });
});

describe('criteria evaluation', () => {
  const record = reader({
    Account_Name: 'Zylker Inc', Employees: 42, Currency: 'USD', Email_Opt_Out: true,
    Parent_Account: { id: '5725767000000000009', name: 'Zylker Holdings' },
    Created_Time: Date.parse('2024-03-01T10:00:00Z'),
  });
  const match = (c: string) => matchesCriteria(parseCriteria(c), accounts, record);

  it('compares text case-insensitively and numbers numerically', () => {
    expect(match('(Account_Name:equals:zylker inc)')).toBe(true);
    expect(match('(Account_Name:starts_with:ZYL)')).toBe(true);
    expect(match('(Account_Name:not_equal:Zylker Inc)')).toBe(false);
    expect(match('(Currency:in:EUR,USD)')).toBe(true);
    expect(match('(Currency:not_in:EUR,GBP)')).toBe(true);
    expect(match('(Employees:greater_than:41)')).toBe(true);
    expect(match('(Employees:less_equal:41)')).toBe(false);
    expect(match('(Employees:between:40,42)')).toBe(true);
  });

  it('matches lookups by id or name and date-times by instant', () => {
    expect(match('(Parent_Account:equals:5725767000000000009)')).toBe(true);
    expect(match('(Parent_Account:equals:zylker holdings)')).toBe(true);
    expect(match('(Created_Time:greater_than:2024-03-01T11:00:00+05:30)')).toBe(true);
    expect(match('(Created_Time:less_than:2024-03-01T09:00:00Z)')).toBe(false);
  });

  it('combines and/or groups', () => {
    expect(match('((Currency:equals:EUR)or(Employees:equals:42))and(Account_Name:starts_with:Z)')).toBe(true);
    expect(match('((Currency:equals:EUR)and(Employees:equals:42))or(Account_Name:starts_with:Q)')).toBe(false);
  });
});
