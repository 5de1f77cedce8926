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
