import { describe, expect, it } from 'vitest';
import { loadHttpConfig, loadOAuthConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

describe('OAuth settings (MCP_OAUTH_ISSUER, MCP_OAUTH_AUDIENCE, MCP_PUBLIC_URL)', () => {
  it('is off without MCP_OAUTH_ISSUER', () => {
    expect(loadOAuthConfig({})).toBeUndefined();
    expect(loadHttpConfig({}).oauth).toBeUndefined();
  });

  it('reads the issuer, audience and public URL', () => {
    expect(
      loadOAuthConfig({
        MCP_OAUTH_ISSUER: 'https://auth.example.com/realms/mcp',
        MCP_OAUTH_AUDIENCE: 'api://chatbot',
        MCP_PUBLIC_URL: 'https://mcp.example.com',
      }),
    ).toEqual({
      issuer: 'https://auth.example.com/realms/mcp',
      audience: 'api://chatbot',
      publicUrl: 'https://mcp.example.com/mcp',
      clockToleranceSec: 30,
      groupsClaim: 'groups',
    });
    expect(
      loadOAuthConfig({
        MCP_OAUTH_ISSUER: 'https://auth.example.com',
        MCP_PUBLIC_URL: 'https://example.com/tools/mcp',
      })?.publicUrl,
    ).toBe('https://example.com/tools/mcp');
  });

  it('reads the groups claim name (MCP_OAUTH_GROUPS_CLAIM), default groups', () => {
    const issuer = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc';
    expect(
      loadOAuthConfig({ MCP_OAUTH_ISSUER: issuer, MCP_OAUTH_GROUPS_CLAIM: 'cognito:groups' })
        ?.groupsClaim,
    ).toBe('cognito:groups');
    expect(loadOAuthConfig({ MCP_OAUTH_ISSUER: issuer })?.groupsClaim).toBe('groups');
  });

  it('accepts an http issuer only on a loopback address', () => {
    for (const issuer of ['http://127.0.0.1:8080', 'http://localhost:9000', 'http://[::1]:8080']) {
      expect(loadOAuthConfig({ MCP_OAUTH_ISSUER: issuer })?.issuer).toBe(issuer);
    }
    expect(() => loadOAuthConfig({ MCP_OAUTH_ISSUER: 'http://auth.example.com' })).toThrow(
      /^MCP_OAUTH_ISSUER: .*uses http on a non-loopback address.*Use https/,
    );
  });

  it.each([
    [{ MCP_OAUTH_ISSUER: 'auth.example.com' }, /^MCP_OAUTH_ISSUER: .* is not an issuer URL/],
    [{ MCP_OAUTH_ISSUER: 'https://a.example?x=1' }, /^MCP_OAUTH_ISSUER: /],
    [{ MCP_OAUTH_AUDIENCE: 'x' }, /^MCP_OAUTH_AUDIENCE: set without MCP_OAUTH_ISSUER/],
    [
      { MCP_OAUTH_ISSUER: 'https://a.example', MCP_PUBLIC_URL: 'https://mcp.example.com/api' },
      /^MCP_PUBLIC_URL: .* must end with \/mcp/,
    ],
    [{ MCP_PUBLIC_URL: 'not a url' }, /^MCP_PUBLIC_URL: .* is not a URL/],
  ])('refuses %o', (env, message) => {
    expect(() => loadOAuthConfig(env)).toThrow(ConfigError);
    expect(() => loadOAuthConfig(env)).toThrow(message);
  });

  it('lets OAuth stand in for MCP_AUTH_TOKEN on a non-loopback address', () => {
    const config = loadHttpConfig(
      { MCP_OAUTH_ISSUER: 'https://auth.example.com' },
      { host: '0.0.0.0' },
    );
    expect(config.oauth?.issuer).toBe('https://auth.example.com');
    expect(config.authToken).toBeUndefined();
  });
});
