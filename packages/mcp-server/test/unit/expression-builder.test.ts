import { describe, expect, it } from 'vitest';
import { ExpressionBuilder } from '../../src/adapters/aws/expression-builder.js';

const hostileNames = [
  'a.b',
  'with space',
  'size',
  '#n0',
  ':v0',
  '#n1',
  'x)',
  'a=b',
  'emoji 😀',
  'a, b',
  'SET',
];

describe('ExpressionBuilder', () => {
  it('gives each attribute name one placeholder, however often it is used', () => {
    const expr = new ExpressionBuilder();
    const first = expr.name('status');
    expect(expr.name('other')).not.toBe(first);
    expect(expr.name('status')).toBe(first);
    expect(expr.attributes().ExpressionAttributeNames).toEqual({
      [first]: 'status',
      '#n1': 'other',
    });
  });

  it('gives every value a fresh placeholder, even for equal values', () => {
    const expr = new ExpressionBuilder();
    const placeholders = [expr.value(1), expr.value(1), expr.value('1'), expr.value({ a: 1 })];
    expect(new Set(placeholders).size).toBe(4);
    expect(expr.attributes().ExpressionAttributeValues).toEqual({
      ':v0': 1,
      ':v1': 1,
      ':v2': '1',
      ':v3': { a: 1 },
    });
  });

  it('keeps user text out of the expression string', () => {
    const expr = new ExpressionBuilder();
    const sets = hostileNames.map((name) => `${expr.name(name)} = ${expr.value(`${name} = :v0`)}`);
    const text = `SET ${sets.join(', ')} WHERE ${expr.liveCondition('ttl', 1)}`;
    const placeholders = text.match(/[#:][a-z]\d+/g) ?? [];
    // Only placeholders, keywords and punctuation: nothing a name or value could have injected.
    expect(text.replace(/[#:][a-z]\d+/g, '')).toMatch(/^[A-Za-z_ ,=()>]*$/);
    const { ExpressionAttributeNames: names = {}, ExpressionAttributeValues: values = {} } =
      expr.attributes();
    expect(Object.values(names).sort()).toEqual([...hostileNames, 'ttl'].sort());
    for (const p of placeholders) expect(p in names || p in values, p).toBe(true);
    // Every placeholder in the maps is used, as DynamoDB requires.
    for (const p of [...Object.keys(names), ...Object.keys(values)])
      expect(placeholders).toContain(p);
  });

  it('maps names that look like placeholders to themselves without mix-ups', () => {
    const expr = new ExpressionBuilder();
    expect(expr.name('#n1')).toBe('#n0');
    expect(expr.name('#n0')).toBe('#n1');
    expect(expr.value(':v1')).toBe(':v0');
    expect(expr.attributes()).toEqual({
      ExpressionAttributeNames: { '#n0': '#n1', '#n1': '#n0' },
      ExpressionAttributeValues: { ':v0': ':v1' },
    });
  });

  it('builds the live condition from the TTL name and the time', () => {
    const expr = new ExpressionBuilder();
    expect(expr.liveCondition('expires at', 1700)).toBe(
      '(NOT attribute_type(#n0, :v0) OR #n0 > :v1)',
    );
    expect(expr.attributes()).toEqual({
      ExpressionAttributeNames: { '#n0': 'expires at' },
      ExpressionAttributeValues: { ':v0': 'N', ':v1': 1700 },
    });
  });

  it('omits empty attribute maps', () => {
    expect(new ExpressionBuilder().attributes()).toEqual({});
    const onlyNames = new ExpressionBuilder();
    onlyNames.name('a');
    expect(onlyNames.attributes()).not.toHaveProperty('ExpressionAttributeValues');
  });
});
