import { Duration, Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { WebSocketApi, WebSocketRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  EventType,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from './acknowledge.js';
import { ChatFunction } from './chat-function.js';
import { DeadLetterQueue } from './dead-letter-queue.js';

/** Where the upload-form function puts each upload: `uploads/{uploadId}/{file name}`. */
export const UPLOAD_PREFIX = 'uploads/';

/** The WebSocket route (`{"action":"upload-form"}`) that answers with a presigned form. */
export const UPLOAD_ROUTE_KEY = 'upload-form';

/**
 * The upload bucket's name, the same in the web stack (the page's CSP must name its origin)
 * and the lambda stack (which owns it), without a reference between them.
 */
export function uploadBucketName(scope: Construct, namePrefix?: string): string {
  const stack = Stack.of(scope);
  // A second copy in one account (tableNamePrefix) gets its own bucket; S3 names are lower case.
  const copy = namePrefix ? `${namePrefix.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-` : '';
  return `chatbot-uploads-${copy}${stack.account}-${stack.region}`;
}

/** The origin the page POSTs uploads to (virtual-hosted style, as the presigned form says). */
export function uploadBucketOrigin(scope: Construct, namePrefix?: string): string {
  return `https://${uploadBucketName(scope, namePrefix)}.s3.${Stack.of(scope).region}.amazonaws.com`;
}

/** Properties of {@link DocumentUploads}. */
export interface DocumentUploadsProps {
  /** Entry files of the two functions. */
  entries: { uploadForm: string; uploadIngest: string };
  apiId: string;
  stageName: string;
  /** `tableNamePrefix`: a second copy of the app in the account gets its own bucket name. */
  namePrefix?: string;
  /** `https://{api}.execute-api.{region}.amazonaws.com/{stage}` */
  managementEndpoint: string;
  /** The MCP server function whose ingest_document stores the upload. */
  mcpServer: IFunction;
  /** The chat page's origin: the only one the bucket's CORS rule admits. */
  pageOrigin: string;
  maxBytes: number;
  /** CHAT_UPLOAD_GROUPS of the form function (comma-separated); none: whoever may connect. */
  uploadGroups?: string;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
  /** Shared with the stack's other functions (bundling choices). */
  stubModules: string[];
}

/**
 * Upload from the page on AWS: a private bucket (TLS only, SSE-S3, CORS for the page only,
 * objects expire after a day), the `upload-form` WebSocket route whose function hands out a
 * presigned POST for one object, and the ingest function S3 invokes on ObjectCreated, which
 * runs the same ingest as the local gateway (through the MCP server function) and posts the
 * outcome to the uploader's connection.
 */
export class DocumentUploads extends Construct {
  readonly bucket: Bucket;
  readonly form: ChatFunction;
  readonly ingest: ChatFunction;
  readonly deadLetters: IQueue;

  constructor(scope: Construct, id: string, props: DocumentUploadsProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      bucketName: uploadBucketName(this, props.namePrefix),
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.removalPolicy,
      // The ingest function deletes each object once ingested; a day catches the rest
      // (a failed ingest, an invocation that never came).
      lifecycleRules: [
        { expiration: Duration.days(1), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      cors: [
        {
          allowedOrigins: [props.pageOrigin],
          allowedMethods: [HttpMethods.POST],
          allowedHeaders: [],
          maxAge: 600,
        },
      ],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Holds each uploaded file for seconds, until the ingest function has read and deleted it (a day at most, by the lifecycle rule); every write is a presigned form handed to one WebSocket connection by the upload-form function, which logs it.',
    });

    const env = {
      UPLOAD_BUCKET: this.bucket.bucketName,
      WS_MANAGEMENT_ENDPOINT: props.managementEndpoint,
      CHAT_UPLOAD_MAX_BYTES: String(props.maxBytes),
      ...(props.uploadGroups && { CHAT_UPLOAD_GROUPS: props.uploadGroups }),
      LOG_LEVEL: 'info',
    };
    const common = {
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      stubModules: props.stubModules,
    };
    this.form = new ChatFunction(this, 'Form', {
      ...common,
      description: 'Chatbot upload-form route: a presigned POST for one file to the upload bucket',
      entry: props.entries.uploadForm,
      environment: { ...env, UPLOAD_FORM_TTL_SECONDS: '300' },
      timeout: Duration.seconds(10),
      memorySize: 256,
    });
    const deadLetters = new DeadLetterQueue(this, 'IngestDeadLetters').queue;
    this.deadLetters = deadLetters;
    this.ingest = new ChatFunction(this, 'Ingest', {
      ...common,
      // pdf.js loads its worker module at run time, beside its own file: both are copied next
      // to the bundle (offline, from the MCP server's dependency), not bundled.
      externalModules: ['pdfjs-dist'],
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        afterBundling: (inputDir, outputDir) => {
          const from = `${inputDir}/packages/mcp-server/node_modules/pdfjs-dist`;
          const to = `${outputDir}/node_modules/pdfjs-dist`;
          return [
            `mkdir -p "${to}/legacy/build"`,
            `cp -L "${from}/package.json" "${to}/package.json"`,
            `cp -L "${from}/legacy/build/pdf.mjs" "${from}/legacy/build/pdf.worker.mjs" "${to}/legacy/build/"`,
          ];
        },
      },
      description: 'Chatbot upload ingest: S3 ObjectCreated → ingest_document → upload-result',
      entry: props.entries.uploadIngest,
      environment: { ...env, MCP_SERVER_FUNCTION_NAME: props.mcpServer.functionName },
      timeout: Duration.minutes(5),
      memorySize: 1024,
      deadLetterQueue: deadLetters,
      // The handler reports its own failures to the page; a retry would report twice.
      retryAttempts: 0,
    });

    // The form is signed with the form function's credentials: they must allow the PutObject
    // it grants, on the upload prefix only. The ingest function reads and deletes there.
    const objects = this.bucket.arnForObjects(`${UPLOAD_PREFIX}*`);
    this.form.role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:PutObject'],
        resources: [objects],
      }),
    );
    this.ingest.role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:GetObject', 's3:DeleteObject'],
        resources: [objects],
      }),
    );
    this.ingest.role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['lambda:InvokeFunction'],
        resources: [props.mcpServer.functionArn],
      }),
    );
    for (const fn of [this.form, this.ingest]) {
      acknowledgeWildcardResource(
        fn.role,
        objects,
        'Each upload gets its own key under uploads/ (a random upload id and the file name), chosen at request time; the grant is that prefix of the upload bucket only.',
      );
    }

    const connections = this.ingest.role.stack.formatArn({
      service: 'execute-api',
      resource: props.apiId,
      resourceName: `${props.stageName}/POST/@connections/*`,
    });
    for (const fn of [this.form, this.ingest]) {
      fn.role.addToPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['execute-api:ManageConnections'],
          resources: [connections],
        }),
      );
      acknowledgeWildcardResource(
        fn.role,
        connections,
        'Connection ids are assigned by API Gateway at $connect; the functions only post (POST) the upload answers to the uploader, on this API and stage.',
      );
    }

    this.bucket.addEventNotification(
      EventType.OBJECT_CREATED,
      new LambdaDestination(this.ingest.fn),
      { prefix: UPLOAD_PREFIX },
    );
    this.acknowledgeNotificationsHandler();

    const api = WebSocketApi.fromWebSocketApiAttributes(this, 'Api', { webSocketId: props.apiId });
    const route = new WebSocketRoute(this, 'FormRoute', {
      webSocketApi: api,
      routeKey: UPLOAD_ROUTE_KEY,
      integration: new WebSocketLambdaIntegration('FormIntegration', this.form.fn),
    });
    Validations.of(route).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'API Gateway accepts an authorizer on the $connect route only; the upload-form route runs on a connection that $connect already authorized, and API Gateway rejects frames from any other connection.',
    });
  }

  /** aws-cdk-lib's singleton function that writes the bucket's notification configuration. */
  private acknowledgeNotificationsHandler(): void {
    const stack = Stack.of(this);
    const handler = stack.node.children.find((c) =>
      c.node.id.startsWith('BucketNotificationsHandler'),
    );
    const role = handler?.node.tryFindChild('Role');
    if (!role) return;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "aws-cdk-lib's BucketNotificationsHandler (a CDK-managed custom resource that sets the upload bucket's S3 event notification at deploy time): the managed policy only lets it write its own CloudWatch logs.",
    });
  }
}
