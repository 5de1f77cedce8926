/** DynamoDB's maximum item size: 400 KB, counting attribute names and values. */
export const MAX_ITEM_BYTES = 400 * 1024;

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

/**
 * The size DynamoDB charges for an item, following its documented rules: UTF-8 bytes of names
 * and strings, about one byte per two significant digits of a number plus one, one byte for
 * booleans and nulls, and three bytes plus one per element of overhead for lists and maps.
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
  return utf8(String(value));
}

function numberSize(n: number): number {
  const digits = Math.abs(n)
    .toExponential()
    .replace(/e.*$/, '')
    .replace('.', '')
    .replace(/^0+|0+$/g, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}
