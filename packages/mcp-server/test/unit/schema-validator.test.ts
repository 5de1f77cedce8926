import { beforeAll, describe, expect, it } from 'vitest';
import { defaultContractPath } from '../../src/contract/contract-path.js';
import { loadToolContract } from '../../src/contract/load-contract.js';
import { ToolValidators, describeErrors } from '../../src/contract/schema-validator.js';
import type { ToolContract } from '../../src/contract/tool-contract.js';
import { ConfigError, ValidationError } from '../../src/errors.js';

describe('ToolValidators', () => {
  let tools: ToolContract[];
  let validators: ToolValidators;

  /** The ValidationError message for `args`, or a failure if they pass. */
  function inputErrorOf(tool: string, args: unknown): string {
    try {
      validators.validateInput(tool, args);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as Error).message;
    }
    throw new Error(`${JSON.stringify(args)} passed ${tool}'s input schema`);
  }

  beforeAll(async () => {
    tools = await loadToolContract(defaultContractPath());
    validators = new ToolValidators(tools);
  });

  it('accepts valid arguments and fills defaults', () => {
    const args: Record<string, unknown> = { table: 'sessions' };
    validators.validateInput('list_records', args);
    expect(args.limit).toBe(25);
    expect(() =>
      validators.validateInput('read_record', { table: 'sessions', key: { sessionId: 's1' } }),
    ).not.toThrow();
  });

  it('names a missing required field', () => {
    expect(inputErrorOf('read_record', {})).toBe('table: is required');
    expect(inputErrorOf('create_record', { table: 'sessions' })).toBe('data: is required');
  });

  it('names an unknown field and lists the accepted ones', () => {
    expect(inputErrorOf('read_record', { table: 'sessions', id: 'x' })).toBe(
      'id: is not an accepted field; this tool takes table, key, record_id',
    );
    expect(inputErrorOf('update_record', { table: 's', data: {}, version: 2 })).toContain(
      'this tool takes table, key, record_id, data, expected_version',
    );
  });

  it('names a field of the wrong type', () => {
    expect(inputErrorOf('read_record', { table: 5 })).toBe('table: must be string');
    expect(inputErrorOf('create_record', { table: 'sessions', data: [] })).toBe(
      'data: must be object',
    );
    expect(inputErrorOf('read_record', { table: 'sessions', key: { sessionId: true } })).toBe(
      'key.sessionId: must be string or number',
    );
    expect(inputErrorOf('read_record', 'sessions')).toBe('arguments: must be object');
  });

  it('names a limit out of range', () => {
    expect(inputErrorOf('list_records', { table: 'sessions', limit: 0 })).toBe(
      'limit: must be >= 1',
    );
    expect(inputErrorOf('list_records', { table: 'sessions', limit: 101 })).toBe(
      'limit: must be <= 100',
    );
    expect(inputErrorOf('list_records', { table: 'sessions', limit: 2.5 })).toBe(
      'limit: must be integer',
    );
    expect(inputErrorOf('update_record', { table: 's', data: { a: 1 }, expected_version: 0 })).toBe(
      'expected_version: must be >= 1',
    );
  });

  it('reports several problems at once', () => {
    const message = inputErrorOf('list_records', { limit: 0, cursor: '', extra: 1 });
    for (const part of [
      'table: is required',
      'limit: must be >= 1',
      'cursor: must NOT have fewer than 1 characters',
      'extra: is not an accepted field',
    ]) {
      expect(message).toContain(part);
    }
  });

  it('checks outputs, saying which tool broke its schema', () => {
    expect(() => validators.validateOutput('read_record', { record: { a: 1 } })).not.toThrow();
    expect(() => validators.validateOutput('read_record', { records: [] })).toThrow(
      /output of read_record breaks its outputSchema: record: is required/,
    );
  });

  it('refuses an unknown tool', () => {
    expect(() => validators.validateInput('drop_table', {})).toThrow(
      /no schema compiled for tool drop_table/,
    );
  });

  it('with schemas the build checked, compiles a tool on its first call and validates the same', () => {
    const broken: ToolContract = {
      ...tools[0]!,
      name: 'broken_tool',
      inputSchema: { type: 'object', properties: { a: { type: 'nonsense' } } },
    };
    const lazy = new ToolValidators([...tools, broken], { schemasChecked: true });
    const args: Record<string, unknown> = { table: 'sessions' };
    lazy.validateInput('list_records', args);
    expect(args.limit).toBe(25);
    expect(() => lazy.validateInput('list_records', { table: 'sessions', limit: 0 })).toThrow(
      ValidationError,
    );
    expect(() => lazy.validateInput('broken_tool', {})).toThrow(
      /operation broken_tool: requestBody schema does not compile/,
    );
  });

  it('refuses a schema that does not compile, naming the operation', () => {
    const broken: ToolContract = {
      ...tools[0]!,
      name: 'broken_tool',
      inputSchema: { type: 'object', properties: { a: { type: 'nonsense' } } },
    };
    expect(() => new ToolValidators([broken])).toThrow(ConfigError);
    expect(() => new ToolValidators([broken])).toThrow(
      /operation broken_tool: requestBody schema does not compile/,
    );
  });
});

describe('describeErrors', () => {
  it('lists at most five problems and counts the rest', () => {
    const errors = Array.from({ length: 7 }, (_, i) => ({
      keyword: 'required',
      instancePath: '',
      schemaPath: '#/required',
      params: { missingProperty: `f${i}` },
    }));
    expect(describeErrors(errors, [])).toBe(
      'f0: is required; f1: is required; f2: is required; f3: is required; f4: is required (and 2 more)',
    );
  });

  it('unescapes JSON pointer paths', () => {
    const errors = [
      {
        keyword: 'type',
        instancePath: '/data/a~1b/c~0d',
        schemaPath: '#',
        params: { type: 'string' },
      },
    ];
    expect(describeErrors(errors, [])).toBe('data.a/b.c~d: must be string');
  });
});
