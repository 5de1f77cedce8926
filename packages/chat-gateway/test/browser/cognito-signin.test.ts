/**
 * Sign-in on AWS with Cognito, end to end on loopback: the page as CloudFront hosts it (a static
 * site with config.json `auth: "cognito"`; unknown paths answer 403 as S3 behind Origin Access
 * Control does) does authorization code + PKCE in headless Chromium against a LOCAL STAND-IN FOR
 * THE COGNITO HOSTED UI (`oidc-provider` issuing ID tokens in Cognito's format), then connects
 * to the LOCAL API Gateway WebSocket EMULATOR running the Lambda handlers, where the Cognito
 * `$connect` authorizer (aws-jwt-verify, the pool's key set served locally) checks the token the
 * page offers as a subprotocol.
 */
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { loadConfig, silentLogger } from 'chatbot-mcp-server/core';
import { createDocumentClient, DynamoDbRecordStore } from 'chatbot-mcp-server/records';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cognitoVerifier,
  createCognitoAuthorizer,
} from '../../src/transports/lambda/cognito-authorizer.js';
import { loadCognitoAuthorizerConfig } from '../../src/transports/lambda/lambda-config.js';
import { startAwsPath, type AwsPath } from '../support/apigw-aws-path.js';
import { startHostedSite, type HostedSite } from '../support/hosted-site.js';
import { buildWeb, launchChromium, screenshot } from '../support/browser.js';
import {
  PAGE_CLIENT_ID,
  POOL_ID,
  POOL_ISSUER,
  startHostedUiStandIn,
  type HostedUiStandIn,
} from '../support/cognito-hosted-ui-stand-in.js';
import { converseText, converseRoute } from '../support/fake-bedrock-converse-server.js';
import { ChatClient } from '../support/ws-client.js';

/** Query strings of the stand-in for Cognito's `/logout`. */
const logouts: URLSearchParams[] = [];

/** The page as CloudFront serves it (403 for a missing key, as S3 behind OAC); `/logout` stands in for Cognito's logout endpoint. */
function startSite(): Promise<HostedSite> {
  return startHostedSite({
    missing: 403,
    route: (url, res) => {
      if (url.pathname !== '/logout') return false;
      logouts.push(url.searchParams);
      res.writeHead(302, { location: url.searchParams.get('logout_uri') ?? '/' });
      res.end();
      return true;
    },
  });
}

let browser: Browser;
let site: HostedSite;
let idp: HostedUiStandIn;
let aws: AwsPath;

beforeAll(async () => {
  buildWeb();
  site = await startSite();
  // Refreshed 120 s before expiry: with 130 s the page refreshes about 10 s after sign-in.
  idp = await startHostedUiStandIn({ redirectUri: `${site.origin}/`, idTokenTtlSeconds: 130 });
  const config = loadCognitoAuthorizerConfig({
    CHAT_COGNITO_USER_POOL_ID: POOL_ID,
    CHAT_COGNITO_CLIENT_ID: PAGE_CLIENT_ID,
    CHAT_ALLOWED_ORIGINS: site.origin,
  })!;
  // The pool's JWKS, served from memory instead of cognito-idp.amazonaws.com.
  const jwksCache = new SimpleJwksCache({
    fetcher: {
      fetch: (uri: string) => {
        if (uri !== `${POOL_ISSUER}/.well-known/jwks.json`) throw new Error(`unexpected ${uri}`);
        return Promise.resolve(new TextEncoder().encode(JSON.stringify(idp.jwks)).buffer);
      },
    },
  });
  const authorizer = createCognitoAuthorizer(
    config,
    silentLogger,
    cognitoVerifier(config, jwksCache),
  );
  aws = await startAwsPath({ env: { CHAT_ALLOWED_ORIGINS: site.origin }, authorizer });
  site.connectSrc = [new URL(aws.apigw.wsUrl).origin, idp.origin];
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await aws?.close();
  await idp?.close();
  await site?.close();
});

const cognitoConfig = () => ({
  webSocketUrl: aws.apigw.wsUrl,
  auth: 'cognito',
  cognito: {
    issuer: POOL_ISSUER,
    clientId: PAGE_CLIENT_ID,
    authorizationEndpoint: `${idp.origin}/auth`,
    tokenEndpoint: `${idp.origin}/token`,
    logoutEndpoint: `${site.origin}/logout`,
    redirectUri: `${site.origin}/`,
    scopes: ['openid', 'email', 'profile'],
  },
});

async function storedSession(sessionId: string): Promise<Record<string, unknown> | undefined> {
  const client = createDocumentClient({
    region: 'local',
    endpoint: aws.dynamoEndpoint,
    localCredentials: true,
  });
  try {
    const sessions = loadConfig({}).tables.find((t) => t.alias === 'sessions')!;
    return await new DynamoDbRecordStore({ client }).get(sessions, { sessionId });
  } finally {
    client.destroy();
  }
}

const socketInfo = (page: Page) =>
  page.evaluate<{ url: string; protocol: string; open: boolean } | null>(
    '(s => s && { url: s.url, protocol: s.protocol, open: s.readyState === 1 })(window.__chat.socket)',
  );
const stored = (page: Page, key: string) =>
  page.evaluate<string | null>(`sessionStorage.getItem(${JSON.stringify(key)})`);

describe('page sign-in with Cognito (hosted UI stand-in, API Gateway emulator, headless Chromium)', () => {
  it('signs in by code + PKCE, connects with the token as a subprotocol, chats as the user, refreshes before expiry, signs out at the hosted UI', async () => {
    site.config = cognitoConfig();
    idp.nextUser = 'alice';
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    try {
      const before = aws.apigw.connected.length;
      await page.goto(`${site.origin}/`);
      // Page → hosted UI → back with a code → tokens → the name in the header.
      await expect
        .poll(() => page.locator('#account [data-part="name"]').textContent(), { timeout: 30_000 })
        .toBe('Alice Example');
      expect(idp.grants).toContain('authorization_code');
      // The code and state are gone from the address bar.
      expect(page.url()).toBe(`${site.origin}/`);
      await expect.poll(() => socketInfo(page), { timeout: 20_000 }).toMatchObject({ open: true });
      // The token is offered as a subprotocol, never in the URL; the API answered "chatbot".
      expect(await socketInfo(page)).toEqual({
        url: aws.apigw.wsUrl,
        protocol: 'chatbot',
        open: true,
      });
      expect(aws.apigw.connected.length).toBe(before + 1);

      aws.bedrock.enqueue(converseRoute('general'), { items: converseText(['Hello, Alice.']) });
      await page.locator('#input').fill('hello');
      await page.locator('#input').press('Enter');
      await expect
        .poll(() => page.locator('#log .msg-assistant').first().textContent(), { timeout: 30_000 })
        .toMatch(/Hello, Alice\./);

      // The session carries the user, as the local gateway stores it.
      const saved = (await stored(page, 'chat.session'))!;
      const { sessionId } = JSON.parse(saved) as { sessionId: string };
      const record = await storedSession(sessionId);
      expect(record?.clientInfo).toMatchObject({
        identity: {
          issuer: POOL_ISSUER,
          subject: 'alice',
          name: 'Alice Example',
          email: 'alice@example.test',
          groups: ['staff', 'admins'],
        },
      });
      await screenshot(page, 'cognito-signed-in-desktop');

      // About 10 s later the page refreshes the ID token; a dropped socket reconnects with it.
      await expect.poll(() => idp.grants.includes('refresh_token'), { timeout: 60_000 }).toBe(true);
      const firstToken = (
        JSON.parse((await stored(page, 'chat.cognito.tokens'))!) as { idToken: string }
      ).idToken;
      await page.evaluate('window.__chat.socket.close()');
      await expect.poll(() => aws.apigw.connected.length, { timeout: 30_000 }).toBe(before + 2);
      await expect.poll(() => socketInfo(page), { timeout: 20_000 }).toMatchObject({ open: true });
      expect(firstToken.split('.')).toHaveLength(3);

      // Sign-out: tokens forgotten, the hosted UI's logout with client id and the page to return to.
      await page.locator('#account [data-part="signout"]').click();
      await expect.poll(() => logouts.length, { timeout: 15_000 }).toBe(1);
      expect(Object.fromEntries(logouts[0]!)).toEqual({
        client_id: PAGE_CLIENT_ID,
        logout_uri: `${site.origin}/`,
      });
      await expect
        .poll(() => page.locator('#account [data-part="signin"]').isVisible(), { timeout: 15_000 })
        .toBe(true);
      expect(await stored(page, 'chat.cognito.tokens')).toBeNull();
      expect(await page.locator('#account [data-part="name"]').isVisible()).toBe(false);
      // Signed out, the page stays put; "Sign in" goes to the hosted UI at once and back.
      await page.locator('#account [data-part="signin"]').click();
      await expect
        .poll(() => page.locator('#account [data-part="name"]').textContent(), { timeout: 30_000 })
        .toBe('Alice Example');
      expect(idp.grants.filter((g) => g === 'authorization_code')).toHaveLength(2);
      expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);

  it('a page with auth "token" on a CloudFront-like host (403 for unknown paths) shows no gateway sign-in link', async () => {
    site.config = { webSocketUrl: aws.apigw.wsUrl, auth: 'token' };
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      const meRequests: string[] = [];
      page.on('request', (r) => void (r.url().includes('/auth/') && meRequests.push(r.url())));
      await page.goto(`${site.origin}/`);
      await expect
        .poll(() => page.locator('#token-form').isVisible(), { timeout: 15_000 })
        .toBe(true);
      expect(meRequests).toEqual([]);
      expect(await page.locator('#account').isVisible()).toBe(false);
    } finally {
      await context.close();
    }
  });
});

describe('Cognito identity on the Lambda path (API Gateway emulator, Authorization: Bearer)', () => {
  const open = async (token?: string, query = '') =>
    ChatClient.open(`${aws.apigw.wsUrl}${query}`, {
      headers: { origin: site.origin, ...(token && { authorization: `Bearer ${token}` }) },
    });

  it("another user's session is refused like an unknown one; the same user resumes it from a new connection", async () => {
    const alice = await open(await idp.idToken('alice'));
    const session = await alice.next('session');
    await alice.close();

    const bob = await open(await idp.idToken('bob'));
    await bob.next('session');
    bob.send({ type: 'resume', sessionId: session.sessionId, resumeToken: session.resumeToken });
    expect(await bob.next('error')).toMatchObject({ code: 'SESSION_NOT_FOUND', replyTo: 'resume' });
    await bob.close();

    const again = await open(await idp.idToken('alice'));
    await again.next('session');
    again.send({ type: 'resume', sessionId: session.sessionId, resumeToken: session.resumeToken });
    expect(await again.next('session', (f) => f.resumed === true)).toMatchObject({
      sessionId: session.sessionId,
      resumed: true,
    });
    await again.close();
  });

  it('refuses the handshake without a token, with an expired one, and with the token in the query string', async () => {
    await expect(open()).rejects.toThrow(/403/);
    await expect(open(await idp.idToken('alice', -60))).rejects.toThrow(/403/);
    await expect(open(undefined, `?token=${await idp.idToken('alice')}`)).rejects.toThrow(/403/);
  });
});
