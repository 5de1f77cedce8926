import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../function-entries.js';

/** An empty CommonJS module, for bundle-time aliases. */
export const EMPTY_STUB = fileURLToPath(
  new URL('../bundling/embedded-only-stub.js', import.meta.url),
);

/** The newest Node.js runtime of the installed aws-cdk-lib (checked by a test). */
export const NODE_RUNTIME = Runtime.NODEJS_24_X;

/**
 * An ESM bundle still meets CommonJS dependencies that call `require` for Node built-ins;
 * this gives them one.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** Properties of {@link ChatFunction}. */
export interface ChatFunctionProps {
  description: string;
  /** Absolute path of the TypeScript entry file (exports `handler`). */
  entry: string;
  environment: Record<string, string>;
  timeout: Duration;
  memorySize: number;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
  /** Failed asynchronous invocations go here (async-invoked functions only). */
  deadLetterQueue?: IQueue;
  /** Retries of a failed asynchronous invocation (Lambda's default is 2). */
  retryAttempts?: number;
  /** Modules left out of the bundle; default none, so the AWS SDK version is the tested one. */
  externalModules?: string[];
  /** Modules replaced by an empty stub (see `bundling/embedded-only-stub.js`). */
  stubModules?: string[];
  commandHooks?: ICommandHooks;
}

/**
 * A Node.js Lambda function with its own role and its own log group: the role starts empty
 * (no managed policy) and gets write access to this log group only; every other permission is
 * granted by the stack, scoped to resource ARNs. Bundled locally by esbuild as ESM for arm64.
 */
export class ChatFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ChatFunctionProps) {
    super(scope, id);
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the chatbot ${id} function`,
    });
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      description: props.description,
      entry: props.entry,
      handler: 'handler',
      runtime: NODE_RUNTIME,
      architecture: Architecture.ARM_64,
      role: this.role,
      logGroup: this.logGroup,
      environment: props.environment,
      timeout: props.timeout,
      memorySize: props.memorySize,
      ...(props.deadLetterQueue && { deadLetterQueue: props.deadLetterQueue }),
      ...(props.retryAttempts !== undefined && { retryAttempts: props.retryAttempts }),
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'pnpm-lock.yaml'),
      bundling: {
        format: OutputFormat.ESM,
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: false,
        externalModules: props.externalModules ?? [],
        ...(props.stubModules && {
          esbuildArgs: Object.fromEntries(
            props.stubModules.map((m) => [`--alias:${m}`, EMPTY_STUB]),
          ),
        }),
        ...(props.commandHooks && { commandHooks: props.commandHooks }),
      },
    });
    // The role's log permissions must exist before the function first runs.
    this.fn.node.addDependency(this.role);
  }
}
