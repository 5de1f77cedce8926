import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import clientSchema from '../../src/protocol/client-frames.schema.json' with { type: 'json' };
import serverSchema from '../../src/protocol/server-frames.schema.json' with { type: 'json' };
import { InvalidFrameError } from '../../src/errors.js';
import { parseClientFrame } from '../../src/protocol/parse-frame.js';

describe('protocol schemas', () => {
  // parse-frame compiles the client schema without this check, to keep it off start-up.
  it.each([
    ['client', clientSchema],
    ['server', serverSchema],
  ])('the committed %s-frame schema is valid JSON Schema 2020-12', (_, schema) => {
    const ajv = new Ajv2020({ strict: true });
    expect(ajv.validateSchema(schema)).toBe(true);
    expect(ajv.errors ?? []).toEqual([]);
  });

  it('parses a valid frame and names what is wrong with an invalid one', () => {
    expect(parseClientFrame('{"type":"message","id":"m1","content":"hi"}')).toEqual({
      type: 'message',
      id: 'm1',
      content: 'hi',
    });
    expect(() => parseClientFrame('{"type":"message","id":"m1"}')).toThrow(InvalidFrameError);
    expect(() => parseClientFrame('{"type":"message","id":"m1"}')).toThrow(
      /message: missing field "content"/,
    );
  });
});
