import { Validations } from 'aws-cdk-lib';
import { CfnAuthorizer, WebSocketApi, WebSocketRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** Properties of {@link WebSocketRoutes}. */
export interface WebSocketRoutesProps {
  /** The API's id (from the api stack). */
  apiId: string;
  /** Handles $connect, $disconnect and $default. */
  handler: IFunction;
  /** The REQUEST authorizer of $connect. */
  authorizer: IFunction;
}

/**
 * The three routes of the WebSocket API and the $connect authorizer. They are built on an
 * imported reference to the API so that they (and the Lambda permissions they create) live in
 * the stack of the functions, which is deployed after the API.
 */
export class WebSocketRoutes extends Construct {
  readonly routes: WebSocketRoute[];

  constructor(scope: Construct, id: string, props: WebSocketRoutesProps) {
    super(scope, id);
    const api = WebSocketApi.fromWebSocketApiAttributes(this, 'Api', { webSocketId: props.apiId });
    const integration = (name: string): WebSocketLambdaIntegration =>
      new WebSocketLambdaIntegration(name, props.handler);

    // No identity source: the token may come in the `token` query parameter (browsers cannot
    // set WebSocket headers) or the Authorization header, and API Gateway would refuse a
    // request lacking any listed source before the authorizer could look at the other one.
    // WebSocket authorizers are not cached, so an identity source has no other use.
    const authorizer = new WebSocketLambdaAuthorizer('TokenAuthorizer', props.authorizer, {
      identitySource: [],
    });
    const connect = new WebSocketRoute(this, 'ConnectRoute', {
      webSocketApi: api,
      routeKey: '$connect',
      integration: integration('ConnectIntegration'),
      authorizer,
    });
    const disconnect = new WebSocketRoute(this, 'DisconnectRoute', {
      webSocketApi: api,
      routeKey: '$disconnect',
      integration: integration('DisconnectIntegration'),
    });
    const fallback = new WebSocketRoute(this, 'DefaultRoute', {
      webSocketApi: api,
      routeKey: '$default',
      integration: integration('DefaultIntegration'),
    });
    // CDK renders an empty list; CloudFormation's "optional" means absent.
    for (const cfn of this.node.findAll().filter((c) => c instanceof CfnAuthorizer)) {
      cfn.addPropertyDeletionOverride('IdentitySource');
    }
    for (const route of [disconnect, fallback]) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'API Gateway accepts an authorizer on the $connect route only; $disconnect and $default run on a connection that $connect already authorized, and API Gateway rejects frames from any other connection.',
      });
    }
    this.routes = [connect, disconnect, fallback];
  }
}
