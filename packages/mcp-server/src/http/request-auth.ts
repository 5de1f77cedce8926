import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { OAuthConfig } from '../config.js';
import type { CallerIdentity } from '../identity/caller.js';
import { errorFields, type Logger } from '../logger.js';
import { json, jsonRpcError } from './json-response.js';
import { InvalidTokenError, createJwtVerifier, type AccessTokenVerifier } from './jwt-verifier.js';
import {
  METADATA_PATH,
  READ_SCOPE,
  WRITE_SCOPE,
  bearerChallenge,
  metadataUrlOf,
  protectedResourceMetadata,
  requiredScope,
  resourceUrlOf,
  scopeAllows,
} from './oauth-resource.js';
import { hasValidBearer } from './request-guards.js';

/**
 * Who a request was let in as: the static token may do everything, a JWT what its scopes say,
 * for the user it names (absent: a token without `sub`, which acts for nobody in particular).
 */
export type Grant =
  | { kind: 'open' }
  | { kind: 'static' }
  | { kind: 'oauth'; scopes: ReadonlySet<string>; user?: CallerIdentity };

/**
 * Authentication and authorization of /mcp requests: the static bearer token (MCP_AUTH_TOKEN),
 * OAuth 2.1 JWT access tokens (MCP_OAUTH_ISSUER), either, or neither. With both, either passes.
 */
export interface RequestAuth {
  /** The protected resource metadata document when `path` is its well-known address. */
  metadata(request: Request, path: string): Response | undefined;
  /** Before the body is read: a 401 (or 503) response, or the grant. */
  authenticate(request: Request): Promise<Response | Grant>;
  /** After the body is parsed: a 403 response when the grant lacks the scope it needs. */
  authorize(request: Request, grant: Grant, body: unknown): Response | undefined;
}

export function createRequestAuth(deps: {
  authToken?: string;
  oauth?: OAuthConfig;
  tools: readonly Tool[];
  logger: Logger;
  /** Injected for tests; by default JWTs are verified against the issuer's JWKS. */
  verifier?: AccessTokenVerifier;
}): RequestAuth {
  const { authToken, oauth, tools, logger } = deps;
  const verifier = oauth && (deps.verifier ?? createJwtVerifier(oauth));
  const metadataUrl = (request: Request): string =>
    metadataUrlOf(resourceUrlOf(request, oauth?.publicUrl));
  // Also the address the challenge names when MCP_PUBLIC_URL has a longer path (a proxy prefix).
  const metadataPaths = new Set([
    METADATA_PATH,
    `${METADATA_PATH}/mcp`,
    ...(oauth?.publicUrl ? [new URL(metadataUrlOf(oauth.publicUrl)).pathname] : []),
  ]);

  return {
    metadata(request, path) {
      if (!oauth || !metadataPaths.has(path)) return undefined;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return json(405, { error: 'use GET' }, { allow: 'GET' });
      }
      const resource = resourceUrlOf(request, oauth.publicUrl);
      // A public document: browser-based hosts (MCP Inspector) may read it from any origin.
      return json(200, protectedResourceMetadata(resource, oauth.issuer), {
        'cache-control': 'max-age=300',
        'access-control-allow-origin': '*',
      });
    },

    async authenticate(request) {
      if (!authToken && !verifier) return { kind: 'open' };
      const authorization = request.headers.get('authorization');
      if (authToken && hasValidBearer(authorization, authToken)) return { kind: 'static' };
      if (!verifier || !oauth) {
        return jsonRpcError(401, -32001, 'Unauthorized: send Authorization: Bearer <token>', {
          'www-authenticate': 'Bearer realm="mcp"',
        });
      }
      const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
      const challenge = (error?: string): Record<string, string> => ({
        'www-authenticate': bearerChallenge({
          resource_metadata: metadataUrl(request),
          ...(error && { error, error_description: 'The access token is invalid or expired' }),
        }),
      });
      if (!token) {
        return jsonRpcError(
          401,
          -32001,
          'Unauthorized: send Authorization: Bearer <access token> from the authorization server named in the resource metadata',
          challenge(),
        );
      }
      try {
        const resource = resourceUrlOf(request, oauth.publicUrl);
        const verified = await verifier.verify(token, oauth.audience ?? resource);
        return {
          kind: 'oauth',
          scopes: verified.scopes,
          ...(verified.subject && {
            user: { issuer: verified.issuer, subject: verified.subject, groups: verified.groups },
          }),
        };
      } catch (error) {
        if (error instanceof InvalidTokenError) {
          logger.info('refused access token', { reason: error.reason.slice(0, 200) });
          return jsonRpcError(
            401,
            -32001,
            'Unauthorized: the access token is invalid or expired; get a new one',
            challenge('invalid_token'),
          );
        }
        logger.error('cannot verify access tokens', errorFields(error));
        return jsonRpcError(
          503,
          -32001,
          'Service unavailable: the authorization server could not be reached to verify the token; try again later',
          { 'retry-after': '10' },
        );
      }
    },

    authorize(request, grant, body) {
      if (grant.kind !== 'oauth') return undefined;
      const needed = requiredScope(body, tools);
      if (scopeAllows(grant.scopes, needed)) return undefined;
      return jsonRpcError(
        403,
        -32001,
        needed === WRITE_SCOPE
          ? 'Forbidden: calling a tool that changes data needs the mcp:write scope; authorize again with it'
          : 'Forbidden: the token has neither mcp:read nor mcp:write; authorize again with mcp:read',
        {
          'www-authenticate': bearerChallenge({
            error: 'insufficient_scope',
            scope: needed === WRITE_SCOPE ? WRITE_SCOPE : READ_SCOPE,
            resource_metadata: metadataUrl(request),
          }),
        },
      );
    },
  };
}
