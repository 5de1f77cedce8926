import { CfnOutput, Duration, Fn, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type { WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FunctionUrlAuthType, type IFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnCollection } from 'aws-cdk-lib/aws-opensearchserverless';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { InfraConfig } from '../config.js';
import { acknowledgeWildcardResource } from '../constructs/acknowledge.js';
import { Alarms } from '../constructs/alarms.js';
import {
  bedrockModelArns,
  EMBEDDING_MODEL_ID,
  invokeModelStatement,
} from '../constructs/bedrock-access.js';
import { ChatFunction } from '../constructs/chat-function.js';
import { CollectionAccessPolicy } from '../constructs/collection-access-policy.js';
import { DeadLetterQueue } from '../constructs/dead-letter-queue.js';
import { DocumentUploads } from '../constructs/document-uploads.js';
import { WebSocketRoutes } from '../constructs/websocket-routes.js';
import type { FunctionEntries, FunctionKey } from '../function-entries.js';
import type { TableAlias } from './database-stack.js';
import { CHUNK_INDEX } from './search-stack.js';

/** Properties of {@link LambdaStack}. */
export interface LambdaStackProps extends StackProps {
  config: InfraConfig;
  entries: FunctionEntries;
  tables: Record<TableAlias, ITable>;
  collection: CfnCollection;
  /** The api stack's export of the API id. */
  apiIdExportName: string;
  stage: WebSocketStage;
  /** The shared token the authorizer checks; required without `cognito`. */
  authTokenSecret?: ISecret;
  /** The chat page's origin (web stack): admitted with `allowedOrigins` when those are set. */
  pageOrigin?: string;
  /** With Cognito sign-in: the authorizer verifies the pool's ID tokens instead of the token. */
  cognito?: { userPoolId: string; clientId: string };
}

/**
 * Modules only the embedded (local) stores of chatbot-mcp-server use, reachable from every
 * handler through its imports: stubbed, not external, because esbuild turns even a lazy import
 * of an external into a static one (see the stub), and LanceDB's native addon cannot be bundled.
 */
const EMBEDDED_ONLY = ['dynalite', '@lancedb/lancedb', 'apache-arrow'];
/** PDF parsing for the ingest CLI; loaded lazily and not reachable from the handlers, kept
 * out as the MCP server's own Lambda build does. */
const EXTERNALS = ['pdfjs-dist'];

/**
 * The five functions and everything that names them: their permissions, the WebSocket routes,
 * the collection's data-access policy, the cleanup schedule, dead-letter queues and alarms.
 */
export class LambdaStack extends Stack {
  readonly functions: Record<Exclude<FunctionKey, 'uploadForm' | 'uploadIngest'>, ChatFunction>;
  /** Upload from the page (`uploads`, on by default). */
  readonly uploads?: DocumentUploads;

  constructor(scope: Construct, id: string, props: LambdaStackProps) {
    super(scope, id, props);
    const { config, entries, tables, collection, stage } = props;
    const common = {
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
      externalModules: EXTERNALS,
      stubModules: EMBEDDED_ONLY,
    };
    const tableEnv = {
      RECORD_STORE: 'dynamodb',
      SESSIONS_TABLE: tables.sessions.tableName,
      CONVERSATIONS_TABLE: tables.conversations.tableName,
      ANALYTICS_TABLE: tables.analytics.tableName,
    };

    const mcpServer = new ChatFunction(this, 'McpServer', {
      ...common,
      description: 'Chatbot MCP server: document search and record tools (direct invoke)',
      entry: entries.mcpServer,
      timeout: Duration.seconds(60),
      memorySize: 1024,
      // The server reads its tool contract from beside the bundle (contract-path.ts), and a
      // pre-validated copy saves a third of a second per cold start (checked-contract.ts).
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        afterBundling: (inputDir, outputDir) => [
          `cp "${inputDir}/openapi/mcp-tools.yaml" "${outputDir}/mcp-tools.yaml"`,
          `node --input-type=module -e "const m = await import('${inputDir}/packages/mcp-server/dist/contract/checked-contract.js'); await m.writeCheckedContract('${outputDir}/mcp-tools.yaml');"`,
        ],
      },
      environment: {
        ...tableEnv,
        NOTES_TABLE: tables.notes.tableName,
        VECTOR_STORE: 'opensearch',
        OPENSEARCH_ENDPOINT: collection.attrCollectionEndpoint,
        OPENSEARCH_SERVICE: 'aoss',
        OPENSEARCH_INDEX: CHUNK_INDEX,
        EMBEDDER: 'bedrock',
        BEDROCK_EMBEDDING_MODEL: EMBEDDING_MODEL_ID,
        BEDROCK_REGION: config.region,
        EMBEDDING_DIMENSIONS: String(config.embeddingDimensions),
        LOG_LEVEL: 'info',
      },
    });

    // Only when configured: an empty list is not the same statement as "not configured".
    // The deployed page's own origin is added, so restricting origins never shuts it out.
    const originsEnv: Record<string, string> =
      config.allowedOrigins.length > 0
        ? {
            CHAT_ALLOWED_ORIGINS: [
              ...config.allowedOrigins,
              ...(props.pageOrigin ? [props.pageOrigin] : []),
            ].join(','),
          }
        : {};
    const gatewayEnv = {
      ...tableEnv,
      SESSION_TIMEOUT_MINUTES: String(config.sessionTimeoutMinutes),
      WS_MANAGEMENT_ENDPOINT: stage.callbackUrl,
      MODEL_PROVIDER: 'bedrock',
      BEDROCK_CLAUDE_MODEL: config.claudeModelId,
      BEDROCK_REGION: config.region,
      MCP_TRANSPORT: 'lambda',
      MCP_SERVER_FUNCTION_NAME: mcpServer.fn.functionName,
      ...originsEnv,
      LOG_LEVEL: 'info',
    };

    const engineDlq = new DeadLetterQueue(this, 'EngineDeadLetters').queue;
    const engine = new ChatFunction(this, 'Engine', {
      ...common,
      description: 'Chatbot engine: runs one chat turn and streams it to the connection',
      entry: entries.engine,
      environment: gatewayEnv,
      timeout: Duration.minutes(5),
      memorySize: 1024,
      deadLetterQueue: engineDlq,
      // A retried turn would stream a second answer to the user; a failed turn is reported to
      // the client by the handler and lands in the dead-letter queue.
      retryAttempts: 0,
    });

    const websocket = new ChatFunction(this, 'WebSocket', {
      ...common,
      description: 'Chatbot WebSocket routes: $connect, $disconnect, $default',
      entry: entries.websocket,
      environment: { ...gatewayEnv, ENGINE_FUNCTION_NAME: engine.fn.functionName },
      // API Gateway waits at most 29 s; a message is acknowledged and handed to the engine.
      timeout: Duration.seconds(10),
      memorySize: 512,
    });

    const authorizer = new ChatFunction(this, 'Authorizer', {
      ...common,
      description: props.cognito
        ? 'Chatbot $connect authorizer: Cognito ID token in Sec-WebSocket-Protocol or Authorization'
        : 'Chatbot $connect authorizer: shared token in ?token= or Authorization',
      entry: entries.authorizer,
      environment: {
        ...(props.cognito
          ? {
              CHAT_COGNITO_USER_POOL_ID: props.cognito.userPoolId,
              CHAT_COGNITO_CLIENT_ID: props.cognito.clientId,
            }
          : { CHAT_AUTH_TOKEN_SECRET_ARN: tokenSecret(props).secretArn }),
        ...originsEnv,
        LOG_LEVEL: 'info',
      },
      timeout: Duration.seconds(5),
      memorySize: 256,
    });

    const cleanupDlq = new DeadLetterQueue(this, 'CleanupDeadLetters').queue;
    const sessionCleanup = new ChatFunction(this, 'SessionCleanup', {
      ...common,
      description: 'Chatbot session cleanup: closes sessions idle past the timeout',
      entry: entries.sessionCleanup,
      environment: gatewayEnv,
      timeout: Duration.minutes(2),
      memorySize: 256,
      deadLetterQueue: cleanupDlq,
      // The next scheduled run does the same work; a retry would only overlap it.
      retryAttempts: 0,
    });

    this.functions = { websocket, authorizer, engine, sessionCleanup, mcpServer };

    // Tables: the gateway's session store reads and writes all three chat tables (sessions,
    // message claims and history, analytics events); the MCP server's record tools serve the
    // chat tables and the example notes table.
    for (const fn of [websocket, engine, sessionCleanup, mcpServer]) {
      for (const alias of ['sessions', 'conversations', 'analytics'] as const) {
        tables[alias].grantReadWriteData(fn.role);
      }
    }
    tables.notes.grantReadWriteData(mcpServer.role);
    if (config.tableEncryption === 'customer-managed') {
      for (const fn of [websocket, engine, sessionCleanup, mcpServer]) {
        for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
          Validations.of(fn.role).acknowledge({
            id: `AwsSolutions-IAM5[Action::${action}]`,
            reason:
              "Granted by the DynamoDB table grant for the tables' customer-managed key: the action families DynamoDB uses for envelope encryption, on that one key ARN only.",
          });
        }
      }
    }

    if (!props.cognito) tokenSecret(props).grantRead(authorizer.role);

    // Unqualified invocations only (the handlers invoke by function name), so no `:*` versions.
    // The WebSocket function reads the MCP server for the documents panel and viewer (the
    // `documents` and `document` frames) as the engine reads it for answers.
    websocket.role.addToPolicy(invokeStatement(engine.fn.functionArn, mcpServer.fn.functionArn));
    engine.role.addToPolicy(invokeStatement(mcpServer.fn.functionArn));

    engine.role.addToPolicy(
      invokeModelStatement(
        bedrockModelArns(this, config.claudeModelId, config.region, config.profileRegions),
        true,
      ),
    );
    mcpServer.role.addToPolicy(
      invokeModelStatement(bedrockModelArns(this, EMBEDDING_MODEL_ID, config.region, []), false),
    );

    mcpServer.role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['aoss:APIAccessAll'],
        resources: [collection.attrArn],
      }),
    );
    new CollectionAccessPolicy(this, 'CollectionAccess', {
      collectionName: config.collectionName,
      indexPrefix: CHUNK_INDEX,
      principalArns: [mcpServer.role.roleArn, ...config.collectionReaderArns],
    });

    // PostToConnection, GetConnection and DeleteConnection on this API's stage only. The
    // connection id is chosen by API Gateway at $connect, hence the trailing wildcard. The API id
    // comes through an explicit export so the ARN, and its acknowledgement, are fixed strings.
    const apiId = Fn.importValue(props.apiIdExportName);
    const connections = ['POST', 'GET', 'DELETE'].map((method) =>
      this.formatArn({
        service: 'execute-api',
        resource: apiId,
        resourceName: `${config.stageName}/${method}/@connections/*`,
      }),
    );
    for (const fn of [websocket, engine, sessionCleanup]) {
      fn.role.addToPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['execute-api:ManageConnections'],
          resources: connections,
        }),
      );
      for (const arn of connections) {
        acknowledgeWildcardResource(
          fn.role,
          arn,
          'Connection ids are assigned by API Gateway at $connect, so ManageConnections names this API, this stage and one method, with the connection id as the only wildcard.',
        );
      }
    }

    new WebSocketRoutes(this, 'Routes', {
      apiId,
      handler: websocket.fn,
      authorizer: authorizer.fn,
    });

    new Rule(this, 'CleanupSchedule', {
      description: 'Runs the chatbot session cleanup every five minutes',
      schedule: Schedule.rate(Duration.minutes(5)),
      targets: [
        new LambdaFunction(sessionCleanup.fn, { deadLetterQueue: cleanupDlq, retryAttempts: 2 }),
      ],
    });

    if (config.uploads && props.pageOrigin) {
      this.uploads = new DocumentUploads(this, 'Uploads', {
        entries: entries,
        apiId,
        stageName: config.stageName,
        ...(config.tableNamePrefix && { namePrefix: config.tableNamePrefix }),
        managementEndpoint: stage.callbackUrl,
        mcpServer: mcpServer.fn,
        pageOrigin: props.pageOrigin,
        maxBytes: config.uploadMaxBytes,
        ...(config.uploadGroups && { uploadGroups: config.uploadGroups }),
        logRetention: config.logRetention,
        removalPolicy: config.removalPolicy,
        stubModules: EMBEDDED_ONLY,
      });
    }
    const uploadFunctions: Record<string, IFunction> = this.uploads
      ? { uploadForm: this.uploads.form.fn, uploadIngest: this.uploads.ingest.fn }
      : {};
    new Alarms(this, 'Alarms', {
      functions: {
        ...Object.fromEntries(Object.entries(this.functions).map(([k, f]) => [k, f.fn])),
        ...uploadFunctions,
      },
      deadLetterQueues: {
        engine: engineDlq,
        sessionCleanup: cleanupDlq,
        ...(this.uploads && { uploadIngest: this.uploads.deadLetters }),
      },
      ...(config.alarmEmail && { email: config.alarmEmail }),
    });

    if (config.mcpFunctionUrl) {
      const url = mcpServer.fn.addFunctionUrl({ authType: FunctionUrlAuthType.AWS_IAM });
      new CfnOutput(this, 'McpServerUrl', { value: url.url });
    }
    new CfnOutput(this, 'McpServerFunctionName', { value: mcpServer.fn.functionName });
    new CfnOutput(this, 'EngineFunctionName', { value: engine.fn.functionName });
  }
}

function invokeStatement(...functionArns: string[]): PolicyStatement {
  return new PolicyStatement({
    effect: Effect.ALLOW,
    actions: ['lambda:InvokeFunction'],
    resources: functionArns,
  });
}

/** The shared token secret of token mode; without it and without Cognito there is no sign-in. */
function tokenSecret(props: LambdaStackProps): ISecret {
  if (!props.authTokenSecret) {
    throw new Error(
      'LambdaStack: pass authTokenSecret (auth=token) or cognito (auth=cognito); neither was given',
    );
  }
  return props.authTokenSecret;
}
