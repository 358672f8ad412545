import { describe, expect, it } from 'vitest';
import { ExpressionError, ExpressionErrorCode, evaluateExpression, evaluateInput } from './expression.evaluate.js';

const e = (source: string) => ({ $expr: source });

const bindings = {
  trigger: { account: { id: 'A-17', name: 'Acme', primaryEmail: 'ops@acme.test' }, lines: [{ amount: 10 }, { amount: 5 }] },
  steps: { find_contact: { contact_id: '4600000123' } },
  vars: { currency: 'EUR' },
};

async function evaluationError(promise: Promise<unknown>): Promise<ExpressionError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ExpressionError);
    return err as ExpressionError;
  }
  throw new Error('expected an ExpressionError');
}

describe('evaluateInput', () => {
  it('leaves literals alone and resolves nested expressions against the bindings', async () => {
    const input = {
      contact_name: e('$trigger.account.name'),
      customer_id: e('$steps.find_contact.contact_id'),
      currency_code: e('$vars.currency'),
      status: 'draft',
      count: 3,
      flag: false,
      nothing: null,
      contact_persons: [{ email: e('$trigger.account.primaryEmail'), is_primary: true }],
      line_items: e('$trigger.lines.{ "rate": amount, "quantity": 1 }'),
      total: e('$sum($trigger.lines.amount)'),
    };
    expect(await evaluateInput(input, bindings)).toEqual({
      contact_name: 'Acme',
      customer_id: '4600000123',
      currency_code: 'EUR',
      status: 'draft',
      count: 3,
      flag: false,
      nothing: null,
      contact_persons: [{ email: 'ops@acme.test', is_primary: true }],
      line_items: [
        { rate: 10, quantity: 1 },
        { rate: 5, quantity: 1 },
      ],
      total: 15,
    });
  });

  it('drops object keys whose expression yields nothing; list elements become null', async () => {
    expect(await evaluateInput({ a: e('$trigger.missing'), b: [e('$trigger.missing'), 1] }, bindings)).toEqual({ b: [null, 1] });
  });

  it('returns plain arrays (not JSONata sequences) and a single-element result as JSONata gives it', async () => {
    const result = (await evaluateInput(e('$trigger.lines.amount'), bindings)) as unknown[];
    expect(result).toEqual([10, 5]);
    expect(Object.keys(result)).toEqual(['0', '1']);
    expect(await evaluateInput(e('[$trigger.account.id]'), bindings)).toEqual(['A-17']);
  });

  it('binds $item and $index inside a loop', async () => {
    const out = [];
    for (const [index, item] of bindings.trigger.lines.entries()) {
      out.push(await evaluateInput({ position: e('$index + 1'), rate: e('$item.amount * 2') }, { ...bindings, item, index }));
    }
    expect(out).toEqual([
      { position: 1, rate: 20 },
      { position: 2, rate: 10 },
    ]);
  });

  it('an object with $expr and other keys is a literal object', async () => {
    expect(await evaluateInput({ $expr: '1 + 1', note: 'x' }, bindings)).toEqual({ $expr: '1 + 1', note: 'x' });
  });

  it('reports a syntax error with the path and position', async () => {
    const err = await evaluationError(evaluateInput({ a: { b: [1, e('$trigger.account.')] } }, bindings));
    expect(err.code).toBe(ExpressionErrorCode.EXPRESSION_SYNTAX);
    expect(err.path).toEqual(['a', 'b', 1]);
    expect(err.pointer).toBe('/a/b/1');
    expect(err.message).toBe('The expression in "a.b[1]" is not valid JSONata: Unexpected end of expression (JSONata S0207 at character 17).');
    expect((await evaluationError(evaluateInput(e('  '), bindings))).code).toBe(ExpressionErrorCode.EXPRESSION_SYNTAX);
  });

  it('reports evaluation failures as EXPRESSION_EVALUATION with the path', async () => {
    const err = await evaluationError(evaluateInput({ total: e('$trigger.account.name + 1') }, bindings));
    expect(err.code).toBe(ExpressionErrorCode.EXPRESSION_EVALUATION);
    expect(err.pointer).toBe('/total');
    expect(err.jsonataCode).toBe('T2001');
    expect(err.message).toMatch(/^The expression in "total" failed: The left side of the "\+" operator must evaluate to a number/);
    const thrown = await evaluationError(evaluateInput({ rate: e('$error("no tax with rate 7%")') }, bindings));
    expect(thrown.message).toMatch(/failed: no tax with rate 7%/);
    const fn = await evaluationError(evaluateInput({ f: e('function($x){ $x }') }, bindings));
    expect(fn.message).toBe('The expression in "f" returned a function, not a value.');
  });

  it('stops a runaway (infinitely tail-recursive) expression quickly with EXPRESSION_TIMEOUT', async () => {
    const started = Date.now();
    const err = await evaluationError(evaluateInput({ x: e('( $f := function($n){ $f($n + 1) }; $f(0) )') }, bindings, { timeoutMs: 100 }));
    expect(err.code).toBe(ExpressionErrorCode.EXPRESSION_TIMEOUT);
    // JSONata reports the position it had reached when time ran out, which varies.
    expect(err.message).toMatch(/^The expression in "x" took longer than the limit of 100 ms \(is it looping forever\?\) \(JSONata D1012( at character \d+)?\)\.$/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('reuses a compiled expression with each call\'s own time limit and bindings, also when evaluated concurrently', async () => {
    const slow = e('( $f := function($n){ $n > 3000 ? $n : $f($n + 1) }; $f(0) )');
    expect((await evaluationError(evaluateInput(slow, bindings, { timeoutMs: 1 }))).code).toBe(ExpressionErrorCode.EXPRESSION_TIMEOUT);
    // The same source again (compiled once, kept): the earlier 1 ms limit does not stick to it.
    expect(await evaluateInput(slow, bindings, { timeoutMs: 5000 })).toBe(3001);
    // Interleaved evaluations of the same sources (JSONata evaluates asynchronously) keep their own bindings.
    const doubled = e('$trigger.n * 2');
    const counted = e('( $f := function($i){ $i >= $trigger.n ? $i : $f($i + 1) }; $f(0) )');
    const results = await Promise.all(Array.from({ length: 20 }, (_, n) => evaluateInput({ x: doubled, y: counted }, { trigger: { n: n * 10 } })));
    expect(results).toEqual(Array.from({ length: 20 }, (_, n) => ({ x: n * 20, y: n * 10 })));
  });

  it('the time limit covers all expressions of one input', async () => {
    const slow = e('( $f := function($n){ $n > 3000 ? $n : $f($n + 1) }; $f(0) )');
    const started = Date.now();
    const err = await evaluationError(evaluateInput({ a: slow, b: slow, c: slow, d: slow, e: slow, f: slow, g: slow, h: slow }, bindings, { timeoutMs: 30 }));
    expect(err.code).toBe(ExpressionErrorCode.EXPRESSION_TIMEOUT);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('stops deep recursion with EXPRESSION_TOO_DEEP', async () => {
    const started = Date.now();
    const err = await evaluationError(evaluateInput(e('( $f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(1000000) )'), bindings));
    expect(err.code).toBe(ExpressionErrorCode.EXPRESSION_TOO_DEEP);
    expect(Date.now() - started).toBeLessThan(1000);
    // moderate recursion is fine
    expect(await evaluateInput(e('( $f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100) )'), bindings)).toBe(100);
  });

  it('limits sequence length and result size', async () => {
    const seq = await evaluationError(evaluateInput({ big: e('[1..1000000]') }, bindings, { maxSequence: 1000 }));
    expect(seq.code).toBe(ExpressionErrorCode.EXPRESSION_TOO_LARGE);
    const size = await evaluationError(evaluateInput({ big: e('$pad("", 5000, "x")') }, bindings, { maxResultChars: 1000 }));
    expect(size.code).toBe(ExpressionErrorCode.EXPRESSION_TOO_LARGE);
    expect(size.message).toBe('The expression in "big" produced a value larger than 1000 characters.');
  });

  it('evaluateExpression evaluates a single source', async () => {
    expect(await evaluateExpression('$exists($steps.find_contact.contact_id)', bindings)).toBe(true);
    expect(await evaluateExpression('$trigger.nothing', bindings)).toBeUndefined();
    const err = await evaluationError(evaluateExpression('1 +', bindings));
    expect(err.message).toMatch(/^The expression is not valid JSONata/);
  });
});
