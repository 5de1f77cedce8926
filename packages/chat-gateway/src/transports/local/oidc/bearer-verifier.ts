import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { Identity } from '../../../ports/session-store.js';

/** Asymmetric algorithms only: never `none`, never HS* (a shared secret is no proof of the issuer). */
export const BEARER_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

export interface BearerVerifierOptions {
  issuer: string;
  /** The `aud` the token must carry (CHAT_OIDC_AUDIENCE). */
  audience: string;
  jwksUri: URL;
  groupsClaim: string;
  /** Seconds of clock difference tolerated on `exp` and `nbf`. Default 30. */
  clockToleranceSeconds?: number;
  /** Least time between two JWKS fetches for an unknown `kid`. Default 30 s. */
  jwksCooldownMs?: number;
}

/** Why a bearer token was refused, for the log (never the token itself). */
export class BearerTokenError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'BearerTokenError';
  }
}

/** Verifies `Authorization: Bearer <JWT>` access tokens against the issuer's JWKS. */
export function createBearerVerifier(
  options: BearerVerifierOptions,
): (token: string) => Promise<Identity> {
  // Refetched when a token names a kid the cached set lacks: a key rotation needs no restart.
  const keys = createRemoteJWKSet(options.jwksUri, {
    cooldownDuration: options.jwksCooldownMs ?? 30_000,
    timeoutDuration: 5_000,
  });
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: BEARER_ALGORITHMS,
        clockTolerance: options.clockToleranceSeconds ?? 30,
        requiredClaims: ['sub', 'exp'],
      });
      return identityOf(payload, options.groupsClaim);
    } catch (error) {
      throw new BearerTokenError(reasonOf(error));
    }
  };
}

/** The identity in verified claims (an ID token's or an access token's). */
export function identityOf(claims: JWTPayload, groupsClaim: string): Identity {
  const text = (value: unknown): string | undefined =>
    typeof value === 'string' && value.length > 0 ? value.slice(0, 200) : undefined;
  const name = text(claims.name) ?? text(claims.preferred_username);
  const email = text(claims.email);
  const rawGroups = claims[groupsClaim];
  const groups = Array.isArray(rawGroups)
    ? rawGroups.filter((g): g is string => typeof g === 'string').slice(0, 100)
    : undefined;
  return {
    issuer: String(claims.iss),
    subject: String(claims.sub),
    ...(name && { name }),
    ...(email && { email }),
    ...(groups && { groups }),
  };
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed)
    return `the token's ${error.claim} claim is not accepted (${error.reason})`;
  if (error instanceof errors.JOSEAlgNotAllowed)
    return 'the token is signed with an algorithm not allowed';
  if (error instanceof errors.JWKSNoMatchingKey)
    return "the token's signing key is not the issuer's";
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is wrong';
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JOSEError)
    return `the token could not be verified: ${error.code}`;
  return 'the token is not a signed JWT';
}
