/** DynamoDB's maximum item size: 400 KB, counting attribute names and values. */
export const MAX_ITEM_BYTES = 400 * 1024;

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

/**
 * The size DynamoDB charges for an item, following its documented rules: UTF-8 bytes of names
 * and strings, one byte per pair of significant digits of a number plus one (and one for a
 * minus sign), one byte for booleans and nulls, and three bytes plus one per element of
 * overhead for lists and maps. Checked against DynamoDB Local's 400 KB limit.
 */
export function itemSizeBytes(item: Record<string, unknown>): number {
  let total = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    total += utf8(name) + valueSize(value);
  }
  return total;
}

function valueSize(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number') return numberSize(value);
  if (Array.isArray(value)) {
    return 3 + value.reduce<number>((sum, v) => sum + 1 + valueSize(v), 0);
  }
  if (typeof value === 'object') {
    let size = 3;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      size += 1 + utf8(k) + valueSize(v);
    }
    return size;
  }
  return 0; // undefined, functions and symbols are not stored
}

function numberSize(n: number): number {
  if (n === 0) return 1;
  const [mantissa = '', exponent = '0'] = Math.abs(n).toExponential().split('e');
  const digits = mantissa.replace('.', '').replace(/0+$/, '').length;
  // DynamoDB stores significant digits in pairs aligned on the decimal point, so an even number
  // of digits starting at an even power of ten (1.5, 1234.5) spills into one more pair.
  const spill = digits % 2 === 0 && Number(exponent) % 2 === 0 ? 1 : 0;
  return 1 + Math.ceil(digits / 2) + spill + (n < 0 ? 1 : 0);
}
