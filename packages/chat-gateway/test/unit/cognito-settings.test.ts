import { describe, expect, it } from 'vitest';
import { parseCognitoSettings } from '../../web/src/cognito-settings.js';
import { parseWebConfig, WebConfigError } from '../../web/src/web-config.js';

const page = { protocol: 'https:', host: 'd111.cloudfront.net' };
const DOMAIN = 'https://acme-chat.auth.us-east-1.amazoncognito.com';
const settings = {
  issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC',
  clientId: 'client-1',
  authorizationEndpoint: `${DOMAIN}/oauth2/authorize`,
  tokenEndpoint: `${DOMAIN}/oauth2/token`,
  logoutEndpoint: `${DOMAIN}/logout`,
  redirectUri: 'https://d111.cloudfront.net/',
  scopes: ['email', 'profile'],
};

describe("config.json's cognito block", () => {
  it('is read with auth "cognito"; openid is always among the scopes', () => {
    const config = parseWebConfig(
      { webSocketUrl: 'wss://api.example/prod', auth: 'cognito', cognito: settings },
      page,
    );
    expect(config.auth).toBe('cognito');
    expect(config.cognito).toEqual({ ...settings, scopes: ['openid', 'email', 'profile'] });
  });

  it('is required with auth "cognito", and a wrong field is named', () => {
    expect(() => parseWebConfig({ auth: 'cognito' }, page)).toThrow(WebConfigError);
    expect(() => parseWebConfig({ auth: 'cognito' }, page)).toThrow(/cognito\.is missing/);
    expect(() => parseCognitoSettings({ ...settings, clientId: '' })).toThrow(/clientId/);
    expect(() => parseCognitoSettings({ ...settings, issuer: undefined })).toThrow(/issuer/);
  });

  it('takes https endpoints only, plain http only on a loopback address', () => {
    expect(() =>
      parseCognitoSettings({ ...settings, tokenEndpoint: 'http://auth.example/oauth2/token' }),
    ).toThrow(/tokenEndpoint must be an https URL/);
    expect(() =>
      parseCognitoSettings({ ...settings, authorizationEndpoint: 'javascript:alert(1)' }),
    ).toThrow(/authorizationEndpoint/);
    expect(
      parseCognitoSettings({ ...settings, tokenEndpoint: 'http://127.0.0.1:9000/token' })
        .tokenEndpoint,
    ).toBe('http://127.0.0.1:9000/token');
  });

  it('is ignored unless auth is "cognito"', () => {
    expect(parseWebConfig({ auth: 'token', cognito: settings }, page).cognito).toBeUndefined();
  });
});
