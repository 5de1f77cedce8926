import { Ajv2020 } from 'ajv/dist/2020.js';
import serverSchema from '../../src/protocol/server-frames.schema.json' with { type: 'json' };

const validate = new Ajv2020({ strict: true, allErrors: true }).compile(serverSchema);

/** Throws when a frame the gateway sent breaks the committed server-frame schema. */
export function assertServerFrame(frame: unknown): void {
  if (!validate(frame)) {
    throw new Error(
      `server frame breaks the protocol schema: ${JSON.stringify(frame).slice(0, 300)} — ${JSON.stringify(validate.errors?.slice(0, 3))}`,
    );
  }
}
