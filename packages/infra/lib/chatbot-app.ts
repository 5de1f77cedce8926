import { Tags, type App, type Environment } from 'aws-cdk-lib';
import type { InfraConfig } from './config.js';
import { resolveEntries } from './function-entries.js';
import { ApiStack } from './stacks/api-stack.js';
import { DatabaseStack } from './stacks/database-stack.js';
import { LambdaStack } from './stacks/lambda-stack.js';
import { SearchStack } from './stacks/search-stack.js';
import { WebStack } from './stacks/web-stack.js';
import { resolveWebDir } from './web-assets.js';

/** The app's stacks, for tests and for the entry point's outputs. */
export interface ChatbotStacks {
  database: DatabaseStack;
  search: SearchStack;
  api: ApiStack;
  lambda: LambdaStack;
  web: WebStack;
}

/**
 * Composes the topology. Deploy order follows the references: tables and the collection first,
 * then the API (the functions need its id), then the functions with their routes and policies.
 */
export function createChatbotStacks(app: App, config: InfraConfig): ChatbotStacks {
  const env: Environment = {
    region: config.region,
    ...(config.account && { account: config.account }),
  };
  const entries = resolveEntries(config.entryFixtures);
  const webDir = resolveWebDir(config.webDir);
  const database = new DatabaseStack(app, 'ChatbotDatabase', {
    env,
    config,
    description: 'Chatbot: DynamoDB tables (sessions, conversations, analytics, notes)',
  });
  const search = new SearchStack(app, 'ChatbotSearch', {
    env,
    config,
    description: 'Chatbot: OpenSearch Serverless vector collection',
  });
  const api = new ApiStack(app, 'ChatbotApi', {
    env,
    config,
    description:
      config.auth === 'token'
        ? 'Chatbot: API Gateway WebSocket API, stage and client token'
        : 'Chatbot: API Gateway WebSocket API and stage',
  });
  // The page needs only the API's URL; the functions read the page's origin (for
  // allowedOrigins), so the order is api → web → lambda, without a cycle.
  const web = new WebStack(app, 'ChatbotWeb', {
    env,
    config,
    webDir,
    webSocketUrl: api.stage.url,
    webSocketOrigin: api.api.apiEndpoint,
    description: 'Chatbot: the chat page (S3, CloudFront) and its config.json',
  });
  const lambda = new LambdaStack(app, 'ChatbotLambda', {
    env,
    config,
    entries,
    tables: database.tables,
    collection: search.collection,
    apiIdExportName: api.apiIdExportName,
    stage: api.stage,
    authTokenSecret: api.authTokenSecret,
    pageOrigin: web.pageOrigin,
    ...(web.signIn && {
      cognito: {
        userPoolId: web.signIn.userPool.userPoolId,
        clientId: web.signIn.client.userPoolClientId,
      },
    }),
    description: 'Chatbot: Lambda functions, routes, schedule, alarms',
  });
  // The API id reaches the lambda stack through an export (Fn::ImportValue), which CDK does
  // not count as a reference.
  lambda.addStackDependency(api);
  Tags.of(app).add('project', 'chatbot-mcp');
  return { database, search, api, lambda, web };
}
