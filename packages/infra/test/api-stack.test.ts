import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { functionId, resourcesOf, templates } from './support/templates.js';

describe('api stack and routes', () => {
  it('a WebSocket API with a stage: auto deploy, throttling, JSON access logs', () => {
    const t = templates().api;
    t.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'WEBSOCKET' });
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'prod',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context\\.connectionId'),
      },
    });
    const [stage] = Object.values(resourcesOf(t, 'AWS::ApiGatewayV2::Stage'));
    const format = JSON.parse(
      (stage!.Properties.AccessLogSettings as { Format: string }).Format,
    ) as object;
    expect(Object.keys(format)).toEqual(
      expect.arrayContaining(['requestId', 'eventType', 'routeKey', 'status']),
    );
  });

  it('throttling from context', () => {
    templates({ throttleRateLimit: '5', throttleBurstLimit: '10' }).api.hasResourceProperties(
      'AWS::ApiGatewayV2::Stage',
      { DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 } },
    );
  });

  it("the account's API Gateway logging role is set before the stage, or left alone", () => {
    const t = templates().api;
    t.hasResource('AWS::ApiGatewayV2::Stage', { DependsOn: ['ApiGatewayAccount'] });
    t.resourceCountIs('AWS::ApiGateway::Account', 1);
    const off = templates({ apiGatewayAccountRole: 'false' }).api;
    off.resourceCountIs('AWS::ApiGateway::Account', 0);
    off.resourceCountIs('AWS::IAM::Role', 0);
  });

  it('a generated 48-character token secret without punctuation', () => {
    templates().api.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true },
    });
  });

  it('the token secret and its output only in token mode; with Cognito neither, nor a grant to it', () => {
    const token = templates();
    token.api.resourceCountIs('AWS::SecretsManager::Secret', 1);
    expect(Object.keys(token.api.findOutputs('AuthTokenSecretArn'))).toEqual([
      'AuthTokenSecretArn',
    ]);
    expect(JSON.stringify(token.lambda.toJSON())).toContain('secretsmanager:GetSecretValue');

    const cognito = templates({ auth: 'cognito', cognitoDomainPrefix: 'acme-chat' });
    cognito.api.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(cognito.api.findOutputs('*')).not.toHaveProperty('AuthTokenSecretArn');
    expect(JSON.stringify(cognito.lambda.toJSON())).not.toMatch(/ChatAuthToken|secretsmanager:/);
    expect(cognito.stacks.api.templateOptions.description).not.toContain('token');
  });

  it('three routes on this API, all to the websocket function; $connect behind the authorizer', () => {
    const t = templates().lambda;
    // The upload-form route (its own function) is checked in document-uploads.test.ts.
    const routes = Object.values(resourcesOf(t, 'AWS::ApiGatewayV2::Route')).filter(
      (r) => r.Properties.RouteKey !== 'upload-form',
    );
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual([
      '$connect',
      '$default',
      '$disconnect',
    ]);
    for (const r of routes)
      expect(r.Properties.ApiId).toEqual({ 'Fn::ImportValue': 'ChatbotApi-WebSocketApiId' });
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$connect',
      AuthorizationType: 'CUSTOM',
    });
    const integrations = Object.values(resourcesOf(t, 'AWS::ApiGatewayV2::Integration')).filter(
      (i) => !JSON.stringify(i.Properties.IntegrationUri).includes(functionId(t, 'UploadsForm')),
    );
    expect(integrations).toHaveLength(3);
    for (const i of integrations)
      expect(JSON.stringify(i.Properties.IntegrationUri)).toContain(functionId(t, 'WebSocket'));
  });

  it('REQUEST authorizer on the authorizer function, with no identity source (query or header)', () => {
    const t = templates().lambda;
    const [authorizer] = Object.values(resourcesOf(t, 'AWS::ApiGatewayV2::Authorizer'));
    expect(authorizer!.Properties).toMatchObject({ AuthorizerType: 'REQUEST' });
    expect(authorizer!.Properties).not.toHaveProperty('IdentitySource');
    expect(JSON.stringify(authorizer!.Properties.AuthorizerUri)).toContain(
      functionId(t, 'Authorizer'),
    );
  });

  it('API Gateway may invoke the websocket and authorizer functions, from this API only', () => {
    const permissions = Object.values(
      resourcesOf(templates().lambda, 'AWS::Lambda::Permission'),
    ).filter((p) => p.Properties.Principal === 'apigateway.amazonaws.com');
    expect(permissions.length).toBe(5); // three chat routes, upload-form and the authorizer
    for (const p of permissions)
      expect(JSON.stringify(p.Properties.SourceArn)).toContain('ChatbotApi-WebSocketApiId');
  });

  it('outputs the wss:// URL', () => {
    const url = JSON.stringify(templates().api.findOutputs('WebSocketUrl'));
    expect(url).toContain('wss://');
    expect(url).toContain('/prod');
  });
});
