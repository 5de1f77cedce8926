import { describe, expect, it } from 'vitest';
import { loadGatewayConfig, loadLocalServerConfig } from '../../src/config.js';

describe('loadLocalServerConfig: SESSION_CLEANUP_INTERVAL_SECONDS', () => {
  it('is left to the default (half the session timeout, at most 60 s) when unset', () => {
    expect(loadLocalServerConfig({}).cleanupIntervalMs).toBeUndefined();
  });

  it('sets the cleanup interval in seconds', () => {
    expect(loadLocalServerConfig({ SESSION_CLEANUP_INTERVAL_SECONDS: '5' }).cleanupIntervalMs).toBe(
      5_000,
    );
  });

  it('refuses a value out of range, naming the variable', () => {
    expect(() => loadLocalServerConfig({ SESSION_CLEANUP_INTERVAL_SECONDS: '0' })).toThrow(
      /SESSION_CLEANUP_INTERVAL_SECONDS/,
    );
  });
});

describe('loadGatewayConfig: CHAT_TITLE', () => {
  it('names the page "Chat" by default, or what CHAT_TITLE says', () => {
    expect(loadGatewayConfig({}).title).toBe('Chat');
    expect(loadGatewayConfig({ CHAT_TITLE: '  Team notes ' }).title).toBe('Team notes');
  });

  it('refuses a title with bidi or control characters, or over 80 characters, naming the variable', () => {
    expect(() => loadGatewayConfig({ CHAT_TITLE: 'Invoice \u202Eexe.fdp' })).toThrow(/CHAT_TITLE/);
    expect(() => loadGatewayConfig({ CHAT_TITLE: 'x'.repeat(81) })).toThrow(/at most 80/);
  });
});

describe('loadLocalServerConfig: CHAT_OIDC_*', () => {
  const base = {
    CHAT_OIDC_ISSUER: 'https://login.example.test/realms/chat',
    CHAT_OIDC_CLIENT_ID: 'chat',
  };

  it('is anonymous without an issuer, and defaults the audience and groups claim', () => {
    expect(loadLocalServerConfig({}).oidc).toBeUndefined();
    expect(loadLocalServerConfig(base).oidc).toEqual({
      issuer: base.CHAT_OIDC_ISSUER,
      clientId: 'chat',
      audience: 'chat',
      groupsClaim: 'groups',
    });
    expect(
      loadLocalServerConfig({
        ...base,
        CHAT_OIDC_CLIENT_SECRET: 's3cret',
        CHAT_OIDC_AUDIENCE: 'api://chat',
        CHAT_OIDC_GROUPS_CLAIM: 'roles',
        CHAT_PUBLIC_URL: 'https://chat.example.test/',
      }).oidc,
    ).toEqual({
      issuer: base.CHAT_OIDC_ISSUER,
      clientId: 'chat',
      clientSecret: 's3cret',
      audience: 'api://chat',
      groupsClaim: 'roles',
      publicUrl: 'https://chat.example.test',
    });
  });

  it('accepts http:// only for a loopback issuer', () => {
    expect(
      loadLocalServerConfig({ ...base, CHAT_OIDC_ISSUER: 'http://127.0.0.1:9000' }).oidc?.issuer,
    ).toBe('http://127.0.0.1:9000');
    expect(() =>
      loadLocalServerConfig({ ...base, CHAT_OIDC_ISSUER: 'http://login.example.test' }),
    ).toThrow(/CHAT_OIDC_ISSUER: must be an https:\/\/ URL/);
    expect(() => loadLocalServerConfig({ ...base, CHAT_OIDC_ISSUER: 'not a url' })).toThrow(
      /CHAT_OIDC_ISSUER/,
    );
  });

  it('needs a client id, refuses CHAT_AUTH_TOKEN alongside, and lets a non-loopback bind start', () => {
    expect(() => loadLocalServerConfig({ CHAT_OIDC_ISSUER: base.CHAT_OIDC_ISSUER })).toThrow(
      /CHAT_OIDC_CLIENT_ID: required/,
    );
    expect(() => loadLocalServerConfig({ ...base, CHAT_AUTH_TOKEN: 'x' })).toThrow(
      /CHAT_AUTH_TOKEN: not used together with CHAT_OIDC_ISSUER/,
    );
    expect(loadLocalServerConfig(base, { host: '0.0.0.0' }).host).toBe('0.0.0.0');
  });
});

describe('loadLocalServerConfig: CHAT_UPLOAD and CHAT_UPLOAD_MAX_BYTES', () => {
  it('defaults to uploads by anyone who may connect, up to 10 MB', () => {
    const config = loadLocalServerConfig({});
    expect(config.upload).toBe('anyone');
    expect(config.uploadMaxBytes).toBe(10 * 1024 * 1024);
  });

  it('reads off and a size, and names the variable when a value is wrong', () => {
    const config = loadLocalServerConfig({ CHAT_UPLOAD: 'off', CHAT_UPLOAD_MAX_BYTES: '1000' });
    expect(config).toMatchObject({ upload: 'off', uploadMaxBytes: 1000 });
    expect(() => loadLocalServerConfig({ CHAT_UPLOAD: 'everyone' })).toThrow(
      /CHAT_UPLOAD: must be/,
    );
    expect(() => loadLocalServerConfig({ CHAT_UPLOAD_MAX_BYTES: 'lots' })).toThrow(
      /CHAT_UPLOAD_MAX_BYTES/,
    );
  });
});
