import { describe, expect, it } from 'vitest';
import { loadLocalServerConfig } from '../../src/config.js';

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
