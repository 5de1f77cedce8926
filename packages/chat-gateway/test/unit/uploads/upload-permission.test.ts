import { describe, expect, it } from 'vitest';
import { mayUpload } from '../../../src/uploads/upload-permission.js';

describe('who may upload on the AWS path', () => {
  it('anonymous mode: whoever may connect, whatever the authorizer passed', () => {
    expect(mayUpload('anyone', {})).toEqual({ ok: true });
    expect(mayUpload('anyone', { authorizer: { principalId: 'client' } })).toEqual({ ok: true });
  });

  it('CHAT_UPLOAD=off: nobody, saying so', () => {
    expect(mayUpload('off', {})).toEqual({
      ok: false,
      error: 'Uploads are turned off on this deployment (CHAT_UPLOAD=off).',
    });
  });
});
