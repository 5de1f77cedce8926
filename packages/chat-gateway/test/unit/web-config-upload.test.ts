import { describe, expect, it } from 'vitest';
import { parseWebConfig, WebConfigError } from '../../web/src/web-config.js';

const page = { protocol: 'https:', host: 'd111.cloudfront.net' };
const API = 'wss://abc123.execute-api.us-east-1.amazonaws.com/prod';

describe('web config: where uploads go', () => {
  it('as the CDK app writes it: presigned uploads (the maxBytes hint is not needed by the page)', () => {
    const config = parseWebConfig(
      { webSocketUrl: API, auth: 'token', upload: { mode: 'presigned', maxBytes: 10485760 } },
      page,
    );
    expect(config.upload).toEqual({ mode: 'presigned' });
  });

  it('absent or "gateway": POST /upload on the gateway, as before', () => {
    expect(parseWebConfig({ webSocketUrl: API }, page).upload).toBeUndefined();
    expect(parseWebConfig({ upload: { mode: 'gateway' } }, page).upload).toBeUndefined();
  });

  it('anything else fails with what was wrong', () => {
    expect(() => parseWebConfig({ upload: { mode: 's3' } }, page)).toThrow(WebConfigError);
    expect(() => parseWebConfig({ upload: 'presigned' }, page)).toThrow(
      'config.json: upload.mode must be "presigned" or "gateway", not undefined.',
    );
  });
});
