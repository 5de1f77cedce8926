/**
 * In-memory model of one OpenSearch index for the fake server: mappings (explicit properties plus
 * dynamic templates and dynamic typing), near-real-time visibility (writes are searchable only
 * after a refresh), and the checks a real node makes on write (vector dimension, field types).
 */

export type FieldType =
  'keyword' | 'text' | 'long' | 'integer' | 'float' | 'boolean' | 'knn_vector' | 'object';

export interface FieldMapping {
  type: FieldType;
  analyzer?: string;
  dimension?: number;
  index?: boolean;
}

export type Doc = Record<string, unknown>;

export class MappingError extends Error {}

export class FakeIndex {
  /** Every write, as a realtime GET sees it. */
  readonly live = new Map<string, Doc>();
  /** What searches see: `live` as of the last refresh. */
  visible = new Map<string, Doc>();
  readonly fields = new Map<string, FieldMapping>();
  private readonly templates: { pathMatch: RegExp; matchType: string; mapping: FieldMapping }[] =
    [];

  constructor(
    readonly name: string,
    readonly settings: Record<string, unknown>,
    readonly mappings: Record<string, unknown>,
  ) {
    this.addProperties('', (mappings.properties ?? {}) as Record<string, Record<string, unknown>>);
    type Template = {
      path_match?: string;
      match?: string;
      match_mapping_type?: string;
      mapping: FieldMapping;
    };
    for (const entry of (mappings.dynamic_templates ?? []) as Record<string, Template>[]) {
      for (const template of Object.values(entry)) {
        this.templates.push({
          pathMatch: globToRegExp(template.path_match ?? template.match ?? '*'),
          matchType: template.match_mapping_type ?? '*',
          mapping: template.mapping,
        });
      }
    }
  }

  /** PUT _mapping: adds new fields; changing an existing field's type is refused, as on a node. */
  putMapping(body: Record<string, unknown>): void {
    const properties = (body.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const [name, spec] of Object.entries(properties)) {
      const existing = this.fields.get(name);
      if (existing && existing.type !== spec.type)
        throw new MappingError(
          `mapper [${name}] cannot be changed from type [${existing.type}] to [${String(spec.type)}]`,
        );
    }
    const current = (this.mappings.properties ??= {}) as Record<string, unknown>;
    Object.assign(current, properties);
    this.addProperties('', properties);
  }

  refresh(): void {
    this.visible = new Map(this.live);
  }

  /** Validates and maps a document as a real index would, then stores it. */
  put(id: string, doc: Doc): void {
    for (const [path, value] of leafValues(doc)) this.checkField(path, value);
    this.live.set(id, structuredClone(doc));
  }

  mapping(path: string): FieldMapping | undefined {
    return this.fields.get(path);
  }

  private addProperties(prefix: string, properties: Record<string, Record<string, unknown>>): void {
    for (const [name, spec] of Object.entries(properties)) {
      const path = prefix + name;
      const type = (spec.type ?? (spec.properties ? 'object' : undefined)) as FieldType | undefined;
      if (type) this.fields.set(path, { ...spec, type });
      if (spec.properties)
        this.addProperties(`${path}.`, spec.properties as Record<string, Record<string, unknown>>);
    }
  }

  private checkField(path: string, value: unknown): void {
    let mapping = this.fields.get(path);
    if (!mapping) {
      if (!this.isDynamic(path)) return;
      mapping = this.dynamicMapping(path, value);
      if (!mapping) return;
      this.fields.set(path, mapping);
    }
    const fail = (): never => {
      throw new MappingError(`failed to parse field [${path}] of type [${mapping.type}]`);
    };
    switch (mapping.type) {
      case 'knn_vector':
        if (!Array.isArray(value) || value.length !== mapping.dimension) {
          throw new MappingError(
            `Vector dimension mismatch. Expected: ${String(mapping.dimension)}, Given: ${Array.isArray(value) ? value.length : 'not an array'}`,
          );
        }
        if (value.every((x) => x === 0))
          throw new MappingError('zero vector is not supported when space type is [cosinesimil]');
        return;
      case 'long':
      case 'integer':
        if (!Number.isInteger(Number(value)) || typeof value === 'boolean') fail();
        return;
      case 'float':
        if (!Number.isFinite(Number(value)) || typeof value === 'boolean') fail();
        return;
      case 'boolean':
        if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') fail();
        return;
      default:
        if (typeof value === 'object' && value !== null && !Array.isArray(value)) fail();
    }
  }

  /** `dynamic: false` at the root stops new top-level fields; an object can turn it back on. */
  private isDynamic(path: string): boolean {
    const parts = path.split('.');
    for (let i = parts.length - 1; i > 0; i--) {
      const parent = this.rawProperty(parts.slice(0, i));
      if (parent && parent.dynamic !== undefined)
        return parent.dynamic === true || parent.dynamic === 'true';
    }
    return (
      this.mappings.dynamic === undefined ||
      this.mappings.dynamic === true ||
      this.mappings.dynamic === 'true'
    );
  }

  private rawProperty(parts: string[]): Record<string, unknown> | undefined {
    let properties = this.mappings.properties as
      Record<string, Record<string, unknown>> | undefined;
    let found: Record<string, unknown> | undefined;
    for (const part of parts) {
      found = properties?.[part];
      properties = found?.properties as Record<string, Record<string, unknown>> | undefined;
    }
    return found;
  }

  private dynamicMapping(path: string, value: unknown): FieldMapping | undefined {
    const detected =
      typeof value === 'string'
        ? 'string'
        : typeof value === 'boolean'
          ? 'boolean'
          : Number.isInteger(value)
            ? 'long'
            : 'double';
    for (const template of this.templates) {
      if (
        template.pathMatch.test(path) &&
        (template.matchType === '*' || template.matchType === detected)
      ) {
        return template.mapping;
      }
    }
    if (detected === 'string') return { type: 'text' };
    if (detected === 'boolean') return { type: 'boolean' };
    return { type: detected === 'long' ? 'long' : 'float' };
  }
}

/** Leaf values by dotted path; arrays of numbers (vectors) are leaves. */
export function leafValues(doc: unknown, prefix = ''): [string, unknown][] {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return [[prefix, doc]];
  return Object.entries(doc).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? leafValues(value, path)
      : [[path, value] as [string, unknown]];
  });
}

/** The value at a dotted path, whether the source nests objects or uses dotted keys. */
export function valueAt(doc: unknown, path: string): unknown {
  if (typeof doc !== 'object' || doc === null) return undefined;
  const record = doc as Record<string, unknown>;
  if (path in record) return record[path];
  const parts = path.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const head = parts.slice(0, i).join('.');
    if (head in record) {
      const found = valueAt(record[head], parts.slice(i).join('.'));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}
