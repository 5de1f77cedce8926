import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';

const REDIRECT_URL = 'http://127.0.0.1:1/callback';

/**
 * The SDK's OAuth client provider, with the browser replaced by a fetch that follows the
 * authorization server's redirects (keeping its cookies) until it lands on the redirect URL.
 */
export class HeadlessOAuthProvider implements OAuthClientProvider {
  client?: OAuthClientInformationMixed;
  savedTokens?: OAuthTokens;
  verifier = '';
  /** The authorization code of the last authorization, for `transport.finishAuth`. */
  code?: string;

  get redirectUrl(): string {
    return REDIRECT_URL;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'oauth e2e test',
      redirect_uris: [REDIRECT_URL],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.client = info;
  }
  tokens() {
    return this.savedTokens;
  }
  saveTokens(tokens: OAuthTokens) {
    this.savedTokens = tokens;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
  async redirectToAuthorization(url: URL): Promise<void> {
    const cookies = new Map<string, string>();
    let next = url.href;
    for (let hop = 0; hop < 10; hop++) {
      if (next.startsWith(REDIRECT_URL)) {
        const landed = new URL(next);
        if (!landed.searchParams.get('code')) throw new Error(`authorization failed: ${next}`);
        this.code = landed.searchParams.get('code')!;
        return;
      }
      const response = await fetch(next, {
        redirect: 'manual',
        headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      for (const line of response.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        const at = pair.indexOf('=');
        cookies.set(pair.slice(0, at), pair.slice(at + 1));
      }
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) {
        throw new Error(
          `authorization stopped at ${next}: ${response.status} ${await response.text()}`,
        );
      }
      next = new URL(location, next).href;
    }
    throw new Error('authorization did not reach the redirect URL in 10 hops');
  }
}
