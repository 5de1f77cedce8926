/**
 * Builds DynamoDB expressions in which every attribute name and value is a placeholder, whatever
 * the name contains (dots, spaces, reserved words, `#`, `:`). Placeholders are numbered, so user
 * text never becomes expression syntax, and each name gets one placeholder so none is unused.
 */
export class ExpressionBuilder {
  private readonly names = new Map<string, string>();
  private readonly values: Record<string, unknown> = {};
  private valueCount = 0;

  /** The placeholder for attribute `attribute`, e.g. `#n0`. */
  name(attribute: string): string {
    let placeholder = this.names.get(attribute);
    if (!placeholder) {
      placeholder = `#n${this.names.size}`;
      this.names.set(attribute, placeholder);
    }
    return placeholder;
  }

  /** A fresh placeholder bound to `value`, e.g. `:v0`. */
  value(value: unknown): string {
    const placeholder = `:v${this.valueCount++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  /** `true` when the record is live: no numeric TTL attribute, or one not yet reached. */
  liveCondition(ttlAttribute: string, nowSeconds: number): string {
    const ttl = this.name(ttlAttribute);
    return `(NOT attribute_type(${ttl}, ${this.value('N')}) OR ${ttl} > ${this.value(nowSeconds)})`;
  }

  /** The attribute maps for a command; omitted when empty, as DynamoDB requires. */
  attributes(): {
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  } {
    const out: {
      ExpressionAttributeNames?: Record<string, string>;
      ExpressionAttributeValues?: Record<string, unknown>;
    } = {};
    if (this.names.size > 0) {
      out.ExpressionAttributeNames = Object.fromEntries(
        [...this.names].map(([attribute, placeholder]) => [placeholder, attribute]),
      );
    }
    if (this.valueCount > 0) out.ExpressionAttributeValues = this.values;
    return out;
  }
}
