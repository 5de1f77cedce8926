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

  it('CHAT_UPLOAD_GROUPS: only signed-in members of those groups (from the authorizer context)', () => {
    const member = { issuer: 'https://idp.example', sub: 'u1', groups: JSON.stringify(['staff']) };
    const outsider = {
      issuer: 'https://idp.example',
      sub: 'u2',
      groups: JSON.stringify(['guests']),
    };
    expect(mayUpload('anyone', { authorizer: member }, ['staff', 'admins'])).toEqual({ ok: true });
    const refused = mayUpload('anyone', { authorizer: outsider }, ['staff']);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error).toMatch(/staff \(CHAT_UPLOAD_GROUPS\)/);
    // The shared token's anonymous connection has no groups: refused when groups are required.
    expect(mayUpload('anyone', { authorizer: { principalId: 'client' } }, ['staff']).ok).toBe(
      false,
    );
  });
});
