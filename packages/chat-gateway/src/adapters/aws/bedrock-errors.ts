/**
 * Classifies Bedrock failures (HTTP errors before the stream, exception events inside it,
 * network errors) into retry decisions and actionable `ModelUnavailableError`s. AWS messages
 * can carry ARNs and account ids, so they are only repeated after `redactArns`.
 */
import { ModelUnavailableError } from '../../errors.js';
import type { FailureVerdict } from '../retry.js';

/** What the messages may name: the configured model and region (never the caller's identity). */
export interface BedrockErrorContext {
  modelId: string;
  region?: string;
}

/** Names as the SDK raises them, lower-cased: unmodelled stream exceptions keep the wire casing. */
const TRANSIENT = new Set([
  'throttlingexception',
  'serviceunavailableexception',
  'modelnotreadyexception',
  'internalserverexception',
  'modelstreamerrorexception',
  'modeltimeoutexception',
  'incompletestreamerror',
  'timeouterror',
  'requesttimeout',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);
const CREDENTIALS = new Set([
  'unrecognizedclientexception',
  'invalidsignatureexception',
  'expiredtokenexception',
  'credentialsprovidererror',
]);
const MODEL_ID_PROBLEM =
  /model identifier|model id|inference profile|on-demand throughput|model.*not (found|supported)/i;

const BUSY = 'the model is busy; try again in a moment.';

/** Removes ARNs (they name accounts, roles and resources) from an AWS message. */
export function redactArns(message: string): string {
  return message.replace(/arn:aws[\w-]*:[^\s"',;)]+/g, '[ARN]').replace(/\b\d{12}\b/g, '[account]');
}

export function classifyBedrockError(error: unknown, context: BedrockErrorContext): FailureVerdict {
  const e = (error ?? {}) as {
    name?: string;
    message?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const name = (e.name ?? 'Error').toLowerCase();
  const status = e.$metadata?.httpStatusCode;
  const label = status ? `${e.name} (${status})` : (e.name ?? 'Error');
  const where = context.region ? ` in ${context.region}` : '';
  const model = context.modelId.startsWith('arn:')
    ? 'the configured model'
    : `model ${context.modelId}`;
  const fail = (message: string, retryable: boolean): FailureVerdict => ({
    retry: false,
    error: new ModelUnavailableError(message, retryable, { cause: error }),
    label,
  });

  if (TRANSIENT.has(name) || status === 429 || (status !== undefined && status >= 500)) {
    const what =
      name === 'throttlingexception' || status === 429
        ? 'is throttling requests'
        : 'failed temporarily';
    return { ...fail(`Amazon Bedrock ${what}: ${BUSY}`, true), retry: true };
  }
  if (e.code && NETWORK_CODES.has(e.code)) {
    return {
      ...fail(
        `Amazon Bedrock${where} could not be reached (${e.code}): ${BUSY} If it persists, check BEDROCK_ENDPOINT and the network.`,
        true,
      ),
      retry: true,
    };
  }
  if (name === 'accessdeniedexception') {
    return fail(
      `Amazon Bedrock denied access to ${model}${where}. Enable model access for this model in the Bedrock console (Model access) for this region, and check that the gateway's IAM role allows bedrock:InvokeModelWithResponseStream on it.`,
      false,
    );
  }
  if (
    name === 'resourcenotfoundexception' ||
    (name === 'validationexception' && MODEL_ID_PROBLEM.test(e.message ?? ''))
  ) {
    return fail(
      `Amazon Bedrock cannot use ${model}${where}. Set BEDROCK_CLAUDE_MODEL to a model or inference profile ID that is available in this region (for Claude, an inference profile such as us.anthropic.claude-sonnet-4-5-20250929-v1:0), then restart.`,
      false,
    );
  }
  if (CREDENTIALS.has(name)) {
    return fail(
      `Amazon Bedrock did not accept the gateway's AWS credentials (${e.name}); check the role or profile the gateway runs with.`,
      false,
    );
  }
  if (name === 'validationexception') {
    return fail(
      `Amazon Bedrock rejected the request: ${redactArns(e.message ?? 'invalid input')}`,
      false,
    );
  }
  if (name === 'servicequotaexceededexception') {
    return fail(
      `Amazon Bedrock quota for ${model}${where} is exhausted; try again later or request a quota increase in the Service Quotas console.`,
      true,
    );
  }
  return fail(
    `Amazon Bedrock failed to answer (${e.name ?? 'unknown error'}); see the gateway log.`,
    false,
  );
}
