import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadInfraConfig } from '../lib/config.js';
import { functionId, resourcesOf, templates } from './support/templates.js';

const COGNITO = { auth: 'cognito', cognitoDomainPrefix: 'acme-chat' };
const FEDERATED = {
  ...COGNITO,
  oidcIssuer: 'https://login.example.com',
  oidcClientId: 'chat-from-example',
  oidcClientSecretName: 'chatbot/oidc-client-secret',
  oidcProviderName: 'Example',
};
type Props = Record<string, unknown>;
const one = (t: ReturnType<typeof templates>['web'], type: string): Props => {
  const all = Object.values(resourcesOf(t, type));
  expect(all, type).toHaveLength(1);
  return all[0]!.Properties;
};

/** The page's config.json as the entry deployment uploads it (tokens still as markers). */
function configJson(context: Record<string, unknown>): Record<string, unknown> {
  const t = templates(context);
  const entry = Object.values(resourcesOf(t.web, 'Custom::CDKBucketDeployment'))
    .map((r) => r.Properties)
    .find((p) => p.Prune === false)!;
  const keys = entry.SourceObjectKeys as string[];
  const outdir = (t.stacks.web.node.root as App).outdir;
  const markers = (entry.SourceMarkers as Record<string, unknown>[])[1]!;
  for (const key of keys) {
    const file = join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'config.json');
    if (!existsSync(file)) continue;
    // Each marker stands for a value CloudFormation resolves at deploy; name it by its source.
    let text = readFileSync(file, 'utf8');
    for (const [marker, value] of Object.entries(markers))
      text = text.replaceAll(marker, `{${JSON.stringify(value).replace(/"/g, "'")}}`);
    return JSON.parse(text) as Record<string, unknown>;
  }
  throw new Error('config.json not found among the entry deployment sources');
}

describe('Cognito sign-in (-c auth=cognito)', () => {
  const t = templates(COGNITO);

  it('a user pool: email sign-in, no self sign-up, a strong password policy, TOTP MFA offered', () => {
    expect(one(t.web, 'AWS::Cognito::UserPool')).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UsernameAttributes: ['email'],
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolTier: 'ESSENTIALS',
    });
    expect(
      one(
        templates({ ...COGNITO, cognitoMfa: 'required', cognitoFeaturePlan: 'plus' }).web,
        'AWS::Cognito::UserPool',
      ),
    ).toMatchObject({ MfaConfiguration: 'ON', UserPoolTier: 'PLUS' });
  });

  it('an app client for the page: code + PKCE, no secret, the CloudFront page as callback and sign-out URL', () => {
    const pageUrl = {
      'Fn::Join': [
        '',
        [
          'https://',
          { 'Fn::GetAtt': [Match.stringLikeRegexp('^Distribution'), 'DomainName'] },
          '/',
        ],
      ],
    };
    t.web.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      GenerateSecret: false,
      CallbackURLs: [pageUrl],
      LogoutURLs: [pageUrl],
      SupportedIdentityProviders: ['COGNITO'],
    });
    const client = one(t.web, 'AWS::Cognito::UserPoolClient');
    // No password flows: sign-in happens on the hosted UI only.
    expect(client.ExplicitAuthFlows ?? []).toEqual([]);
  });

  it('a managed login (hosted UI) domain with its prefix from context, and a branding style', () => {
    expect(one(t.web, 'AWS::Cognito::UserPoolDomain')).toMatchObject({
      Domain: 'acme-chat',
      ManagedLoginVersion: 2,
    });
    expect(one(t.web, 'AWS::Cognito::ManagedLoginBranding')).toMatchObject({
      UseCognitoProvidedValues: true,
    });
  });

  it('the page CSP may reach the hosted UI (token endpoint), nothing else new', () => {
    const policy = one(t.web, 'AWS::CloudFront::ResponseHeadersPolicy') as {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: { ContentSecurityPolicy: { ContentSecurityPolicy: unknown } };
      };
    };
    const csp = JSON.stringify(
      policy.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy,
    );
    expect(csp).toContain('https://acme-chat.auth.us-east-1.amazoncognito.com');
    expect(csp).toContain("form-action 'none'");
  });

  it('config.json carries the pool settings (issuer, client id, endpoints, redirect URI, scopes) and auth "cognito"', () => {
    const config = configJson(COGNITO);
    expect(config.auth).toBe('cognito');
    const cognito = config.cognito as Record<string, unknown>;
    expect(cognito).toMatchObject({
      authorizationEndpoint: 'https://acme-chat.auth.us-east-1.amazoncognito.com/oauth2/authorize',
      tokenEndpoint: 'https://acme-chat.auth.us-east-1.amazoncognito.com/oauth2/token',
      logoutEndpoint: 'https://acme-chat.auth.us-east-1.amazoncognito.com/logout',
      scopes: ['openid', 'email', 'profile'],
    });
    expect(cognito.issuer).toMatch(
      /^https:\/\/cognito-idp\.us-east-1\.amazonaws\.com\/\{\{'Ref':'SignInUserPool\w+'\}\}$/,
    );
    expect(cognito.clientId).toMatch(/^\{\{'Ref':'SignInUserPoolPageClient\w+'\}\}$/);
    expect(cognito.redirectUri).toMatch(/^https:\/\/\{.*Distribution.*\}\/$/);
    expect(JSON.stringify(config)).not.toMatch(/secret/i);
    // Without Cognito the page still asks for the shared token.
    expect(configJson({}).auth).toBe('token');
    expect(configJson({})).not.toHaveProperty('cognito');
  });

  it('the $connect authorizer gets the pool and client ids instead of the shared token', () => {
    const authorizer = resourcesOf(t.lambda, 'AWS::Lambda::Function')[
      functionId(t.lambda, 'Authorizer')
    ]!;
    const env = (authorizer.Properties.Environment as { Variables: Props }).Variables;
    expect(Object.keys(env).sort()).toEqual([
      'CHAT_COGNITO_CLIENT_ID',
      'CHAT_COGNITO_USER_POOL_ID',
      'LOG_LEVEL',
    ]);
    expect(JSON.stringify(env.CHAT_COGNITO_USER_POOL_ID)).toContain('SignInUserPool');
    // It no longer reads the token secret.
    expect(JSON.stringify(t.lambda.toJSON())).not.toMatch(/secretsmanager:GetSecretValue/);
    // Still the REQUEST authorizer on $connect.
    t.lambda.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'REQUEST' });
    t.lambda.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$connect',
      AuthorizationType: 'CUSTOM',
    });
  });

  it("the stage's access log records no header and no query string (where the token travels)", () => {
    const stage = one(t.api, 'AWS::ApiGatewayV2::Stage') as {
      AccessLogSettings: { Format: string };
    };
    const fields = Object.values(JSON.parse(stage.AccessLogSettings.Format) as object) as string[];
    expect(fields.length).toBeGreaterThan(5);
    for (const field of fields)
      expect(field).not.toMatch(/header|querystring|path|authorizer\.(?!error)/i);
  });

  it('outputs the pool id, client id and sign-in domain', () => {
    const outputs = t.web.toJSON().Outputs as Record<string, { Value: unknown }>;
    const byName = (part: string) =>
      Object.entries(outputs).find(([k]) => k.startsWith(`SignIn${part}`))?.[1]?.Value;
    expect(JSON.stringify(byName('UserPoolId'))).toMatch(/^\{"Ref":"SignInUserPool\w+"\}$/);
    expect(JSON.stringify(byName('UserPoolClientId'))).toContain('PageClient');
    expect(byName('SignInDomain')).toBe('https://acme-chat.auth.us-east-1.amazoncognito.com');
  });

  it('federates an external OIDC provider by context, its secret by name only', () => {
    const f = templates(FEDERATED);
    expect(one(f.web, 'AWS::Cognito::UserPoolIdentityProvider')).toMatchObject({
      ProviderName: 'Example',
      ProviderType: 'OIDC',
      ProviderDetails: {
        client_id: 'chat-from-example',
        client_secret: '{{resolve:secretsmanager:chatbot/oidc-client-secret:SecretString:::}}',
        oidc_issuer: 'https://login.example.com',
        authorize_scopes: 'openid email profile',
      },
    });
    f.web.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      SupportedIdentityProviders: ['COGNITO', 'Example'],
    });
  });

  it('without -c auth=cognito there is no user pool (the shared token as before)', () => {
    expect(Object.keys(resourcesOf(templates().web, 'AWS::Cognito::UserPool'))).toEqual([]);
  });
});

describe('Cognito context fails fast, naming the key', () => {
  const load = (ctx: Record<string, unknown>) =>
    loadInfraConfig({ tryGetContext: (k: string) => ctx[k] }, {});
  it('requires a domain prefix, all three federation keys, valid choices', () => {
    expect(() => load({ auth: 'cognito' })).toThrow(/cognitoDomainPrefix: required/);
    expect(() => load({ ...COGNITO, cognitoDomainPrefix: 'my-cognito-chat' })).toThrow(
      /cognitoDomainPrefix/,
    );
    expect(() => load({ ...COGNITO, oidcIssuer: 'https://login.example.com' })).toThrow(
      /oidcIssuer, oidcClientId and oidcClientSecretName go together/,
    );
    expect(() => load({ ...FEDERATED, oidcIssuer: 'http://login.example.com' })).toThrow(
      /oidcIssuer/,
    );
    expect(() => load({ ...COGNITO, cognitoMfa: 'sms' })).toThrow(/cognitoMfa/);
    expect(() => load({ auth: 'saml' })).toThrow(/auth: must be one of token, cognito/);
    expect(load(COGNITO).cognito).toMatchObject({
      domainPrefix: 'acme-chat',
      selfSignUp: false,
      mfa: 'optional',
      featurePlan: 'essentials',
    });
  });
});
