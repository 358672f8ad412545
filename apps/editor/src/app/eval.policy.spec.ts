import { describe, expect, it } from 'vitest';
import { cspAllowsEval } from './eval.policy';

describe('cspAllowsEval', () => {
  it('reads script-src, then default-src', () => {
    expect(cspAllowsEval(null)).toBe(true);
    expect(cspAllowsEval("default-src 'self';script-src 'self';style-src 'self' 'unsafe-inline'")).toBe(false);
    expect(cspAllowsEval("default-src 'self';script-src 'self' 'unsafe-eval'")).toBe(true);
    expect(cspAllowsEval("default-src 'self'")).toBe(false);
    expect(cspAllowsEval("img-src 'self' data:")).toBe(true);
  });
});
