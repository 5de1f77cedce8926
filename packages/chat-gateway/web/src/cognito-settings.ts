/**
 * `config.json`'s `cognito` block (written by the CDK app with `-c auth=cognito`), checked
 * without the browser's APIs so the config parser stays testable on Node.
 */

/** `config.json`'s `cognito` block, as the CDK app writes it. */
export interface CognitoSettings {
  issuer: string;
  clientId: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** Cognito's `/logout` (takes `client_id` and `logout_uri`). */
  logoutEndpoint: string;
  redirectUri: string;
  scopes: string[];
}

/** Plain http is accepted only here: the local stand-in of the tests. */
export const isLoopback = (url: URL): boolean =>
  url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';

/**
 * Checks `config.json`'s `cognito` block; throws naming the field. Endpoints must be https
 * (plain http only on a loopback address: the local stand-in of the tests).
 */
export function parseCognitoSettings(raw: unknown): CognitoSettings {
  const fail = (what: string): never => {
    throw new Error(`config.json: cognito.${what}.`);
  };
  if (typeof raw !== 'object' || raw === null) return fail('is missing (auth is "cognito")');
  const r = raw as Record<string, unknown>;
  const url = (key: string): string => {
    const value = r[key];
    let parsed: URL | undefined;
    try {
      parsed = typeof value === 'string' ? new URL(value) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!parsed || !(parsed.protocol === 'https:' || isLoopback(parsed)))
      return fail(`${key} must be an https URL, not ${JSON.stringify(value)}`);
    return parsed.href;
  };
  const clientId = r.clientId;
  if (typeof clientId !== 'string' || !clientId) return fail('clientId is missing');
  const scopes = Array.isArray(r.scopes) ? r.scopes.filter((s) => typeof s === 'string') : [];
  return {
    issuer: typeof r.issuer === 'string' && r.issuer ? r.issuer : fail('issuer is missing'),
    clientId,
    authorizationEndpoint: url('authorizationEndpoint'),
    tokenEndpoint: url('tokenEndpoint'),
    logoutEndpoint: url('logoutEndpoint'),
    redirectUri: url('redirectUri'),
    scopes: scopes.includes('openid') ? scopes : ['openid', ...scopes],
  };
}
