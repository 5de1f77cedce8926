import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { isLoopbackAddress } from '../config.js';
import { AppError, UpstreamError } from '../errors.js';

/** Asymmetric algorithms only: `none` and HS* (a shared secret) are never accepted. */
export const ACCEPTED_ALGORITHMS = ['RS256', 'ES256', 'PS256', 'EdDSA'] as const;

/** What a verified access token allows. */
export interface VerifiedToken {
  /** The token's `iss`: with `subject` it names the user. */
  issuer: string;
  subject?: string;
  /** The groups claim (see `groupsClaim`); empty when the token has none. */
  groups: string[];
  clientId?: string;
  scopes: ReadonlySet<string>;
}

/** The token was presented but is not acceptable; `reason` is for logs, not for the client. */
export class InvalidTokenError extends AppError {
  constructor(readonly reason: string) {
    super('INVALID_TOKEN', `invalid access token: ${reason}`);
  }
}

export interface AccessTokenVerifier {
  /** Resolves with the token's grants, or rejects with `InvalidTokenError`. */
  verify(token: string, audience: string): Promise<VerifiedToken>;
}

export interface JwtVerifierOptions {
  issuer: string;
  clockToleranceSec: number;
  /** The claim holding the user's groups (default `groups`; Cognito's is `cognito:groups`). */
  groupsClaim?: string;
  /** Injected for tests; the global fetch otherwise (metadata discovery only). */
  fetch?: typeof fetch;
  /**
   * After a JWKS fetch, an unknown `kid` refetches only once this long has passed (default
   * 30 s), so tokens with made-up kids cannot make the server hammer the issuer.
   */
  jwksCooldownMs?: number;
}

/**
 * Verifies JWT access tokens (RFC 9068) of one authorization server. The JWKS address comes
 * from the issuer's metadata (RFC 8414, then OpenID discovery), fetched on first use and again
 * after a failure; jose's remote key set refetches when a token names an unknown `kid`, which
 * is how key rotation is picked up.
 */
export function createJwtVerifier(options: JwtVerifierOptions): AccessTokenVerifier {
  const fetchFn = options.fetch ?? fetch;
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const keySet = (): Promise<JWTVerifyGetKey> => {
    keys ??= discoverJwksUri(options.issuer, fetchFn).then(
      (uri) => createRemoteJWKSet(uri, { cooldownDuration: options.jwksCooldownMs ?? 30_000 }),
      (error: unknown) => {
        keys = undefined; // retry discovery with the next token
        throw error;
      },
    );
    return keys;
  };
  return {
    async verify(token, audience) {
      // Refused before any network use: not a JWS, or an algorithm never accepted.
      let alg: unknown;
      try {
        ({ alg } = decodeProtectedHeader(token));
      } catch (error) {
        throw new InvalidTokenError(describe(error));
      }
      if (!(ACCEPTED_ALGORITHMS as readonly unknown[]).includes(alg)) {
        throw new InvalidTokenError(`algorithm ${JSON.stringify(alg)} is not accepted`);
      }
      const getKey = await keySet();
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, getKey, {
          issuer: options.issuer,
          audience,
          algorithms: [...ACCEPTED_ALGORITHMS],
          clockTolerance: options.clockToleranceSec,
          requiredClaims: ['exp'],
        }));
      } catch (error) {
        // The key set could not be fetched: the token may be fine, the server cannot tell.
        if (isKeySetUnavailable(error)) throw error;
        throw new InvalidTokenError(describe(error));
      }
      return {
        issuer: options.issuer,
        ...(payload.sub && { subject: payload.sub }),
        groups: groupsOf(payload[options.groupsClaim ?? 'groups']),
        ...(typeof payload.client_id === 'string' && { clientId: payload.client_id }),
        scopes: scopesOf(payload),
      };
    },
  };
}

/** `scope` (RFC 9068, space-separated) or `scp` (an array, as some providers send it). */
function scopesOf(payload: JWTPayload): Set<string> {
  const { scope, scp } = payload;
  if (typeof scope === 'string') return new Set(scope.split(' ').filter(Boolean));
  if (Array.isArray(scp)) return new Set(scp.filter((s): s is string => typeof s === 'string'));
  if (typeof scp === 'string') return new Set(scp.split(' ').filter(Boolean));
  return new Set();
}

/** An array of strings, or one string (some providers send a single group so). */
function groupsOf(claim: unknown): string[] {
  if (typeof claim === 'string') return claim ? [claim] : [];
  if (!Array.isArray(claim)) return [];
  return claim.filter((g): g is string => typeof g === 'string' && g.length > 0);
}

function isKeySetUnavailable(error: unknown): boolean {
  if (!(error instanceof errors.JOSEError)) return true;
  return error.code === 'ERR_JWKS_TIMEOUT' || error.code === 'ERR_JOSE_GENERIC';
}

function describe(error: unknown): string {
  if (error instanceof errors.JOSEError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * The issuer's `jwks_uri`. RFC 8414 puts the well-known segment before the issuer's path;
 * OpenID Connect Discovery appends it. The metadata must name the same issuer (RFC 8414 §3.3).
 */
export async function discoverJwksUri(issuer: string, fetchFn: typeof fetch): Promise<URL> {
  const base = new URL(issuer);
  const path = base.pathname.replace(/\/$/, '');
  const candidates = [
    new URL(`/.well-known/oauth-authorization-server${path}`, base.origin),
    new URL(`${path}/.well-known/openid-configuration`, base.origin),
  ];
  const problems: string[] = [];
  for (const url of candidates) {
    let response: Response;
    try {
      response = await fetchFn(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(5_000),
      });
    } catch (error) {
      problems.push(`${url.href}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      problems.push(`${url.href}: HTTP ${response.status}`);
      continue;
    }
    let metadata: { issuer?: unknown; jwks_uri?: unknown };
    try {
      metadata = (await response.json()) as typeof metadata;
    } catch {
      problems.push(`${url.href}: not JSON`);
      continue;
    }
    if (metadata.issuer !== issuer) {
      throw new UpstreamError(
        `the metadata at ${url.href} names issuer ${JSON.stringify(metadata.issuer)}, not ${JSON.stringify(issuer)}; set MCP_OAUTH_ISSUER to the issuer exactly as the authorization server spells it`,
      );
    }
    if (typeof metadata.jwks_uri !== 'string') {
      throw new UpstreamError(
        `the metadata at ${url.href} has no jwks_uri; the server cannot verify JWTs`,
      );
    }
    const jwks = new URL(metadata.jwks_uri);
    if (jwks.protocol !== 'https:' && !isLoopbackAddress(jwks.hostname)) {
      throw new UpstreamError(
        `jwks_uri ${jwks.href} is not https; keys must not travel unprotected`,
      );
    }
    return jwks;
  }
  throw new UpstreamError(
    `cannot read the authorization server metadata of ${issuer} (${problems.join('; ')}); check MCP_OAUTH_ISSUER and that the server can reach it`,
  );
}
