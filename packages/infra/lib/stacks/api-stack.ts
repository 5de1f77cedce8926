import { CfnOutput, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat, CfnAccount } from 'aws-cdk-lib/aws-apigateway';
import { LogGroupLogDestination, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { InfraConfig } from '../config.js';

/** Properties of {@link ApiStack}. */
export interface ApiStackProps extends StackProps {
  config: InfraConfig;
}

/**
 * The WebSocket API and its stage (access logs, throttling, auto deploy), and (with the default
 * `auth=token`) the shared token the authorizer checks; with `auth=cognito` there is no token. The routes are wired in the lambda stack: the functions need this API's
 * id (management endpoint, ManageConnections ARN) and the routes need the functions, so the API
 * is deployed first and the routes with the functions (see `WebSocketRoutes`).
 */
export class ApiStack extends Stack {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  /** The shared token: only with `auth=token` (Cognito sign-in has no shared token). */
  readonly authTokenSecret?: Secret;
  /** Export holding the API id, for ARNs that must stay readable to cdk-nag (see the lambda stack). */
  readonly apiIdExportName: string;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.api = new WebSocketApi(this, 'WebSocketApi', {
      apiName: 'chatbot-websocket',
      description: 'Chatbot: $connect (token authorizer), $disconnect, $default',
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: config.stageName,
      autoDeploy: true,
      throttle: { rateLimit: config.throttleRateLimit, burstLimit: config.throttleBurstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    if (config.apiGatewayAccountRole) {
      // WebSocket stages log through API Gateway's account-level CloudWatch role; without one
      // the stage with access logging fails to deploy.
      const role = new Role(this, 'ApiGatewayLogsRole', {
        assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
        managedPolicies: [
          ManagedPolicy.fromAwsManagedPolicyName(
            'service-role/AmazonAPIGatewayPushToCloudWatchLogs',
          ),
        ],
      });
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "The AWS-documented policy for API Gateway's account-level logging role; API Gateway names its execution log groups itself, so the role cannot be scoped to ARNs known at deploy time.",
      });
      const account = new CfnAccount(this, 'ApiGatewayAccount', {
        cloudWatchRoleArn: role.roleArn,
      });
      this.stage.node.addDependency(account);
    }

    if (config.auth === 'token') this.authTokenSecret = sharedToken(this, config);

    this.apiIdExportName = `${this.stackName}-WebSocketApiId`;
    new CfnOutput(this, 'WebSocketApiId', {
      value: this.api.apiId,
      exportName: this.apiIdExportName,
    });
    new CfnOutput(this, 'WebSocketUrl', { value: this.stage.url });
    if (this.authTokenSecret) {
      new CfnOutput(this, 'AuthTokenSecretArn', { value: this.authTokenSecret.secretArn });
    }
  }
}

/** The shared token the `auth=token` authorizer accepts. */
function sharedToken(scope: Construct, config: InfraConfig): Secret {
  // Browsers cannot set headers on a WebSocket, so the token travels in the query string;
  // generated without punctuation so it needs no URL encoding.
  const secret = new Secret(scope, 'ChatAuthToken', {
    description:
      'Shared token the chatbot WebSocket authorizer accepts (query ?token= or Authorization header)',
    generateSecretString: { passwordLength: 48, excludePunctuation: true },
    removalPolicy: config.removalPolicy,
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'A shared client token, not a service credential: rotating it means handing every client the new value, so it is rotated by hand (put-secret-value) as the README describes, not by a rotation Lambda.',
  });
  return secret;
}

/** One JSON line per connect, message and disconnect; no message bodies, no tokens. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  eventType: '$context.eventType',
  routeKey: '$context.routeKey',
  connectionId: '$context.connectionId',
  status: '$context.status',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  integrationLatency: '$context.integrationLatency',
  authorizerError: '$context.authorizer.error',
  error: '$context.error.message',
};
