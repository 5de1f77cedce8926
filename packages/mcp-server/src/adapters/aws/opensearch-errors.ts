import { errors } from '@opensearch-project/opensearch';
import { AppError, UpstreamError } from '../../errors.js';

/**
 * Turns a failed OpenSearch call into an error a user can act on. `operation` says what was being
 * done ("search", "write the chunks of x"); endpoints and credentials stay out of messages.
 */
export function translateOpenSearchError(operation: string, error: unknown): Error {
  if (error instanceof AppError) return error;
  if (error instanceof errors.ResponseError) {
    const status = error.statusCode;
    const detail = describeBody(error.body);
    if (status === 401 || status === 403) {
      return new UpstreamError(
        `OpenSearch refused to ${operation} (${status}): allow these credentials in the domain's access policy or the collection's data access policy, and check the signing region and service (es for a domain, aoss for a serverless collection)`,
        { cause: error },
      );
    }
    if (status === 429) {
      return new UpstreamError(
        `OpenSearch is busy and refused to ${operation}; retry in a few seconds`,
        {
          cause: error,
        },
      );
    }
    if (status === 404) {
      return new UpstreamError(`OpenSearch could not ${operation}: not found${detail}`, {
        cause: error,
      });
    }
    return new UpstreamError(`OpenSearch failed to ${operation} (${status})${detail}`, {
      cause: error,
    });
  }
  if (
    error instanceof errors.ConnectionError ||
    error instanceof errors.TimeoutError ||
    error instanceof errors.NoLivingConnectionsError
  ) {
    return new UpstreamError(
      `could not reach OpenSearch to ${operation}; check the endpoint setting and the network (VPC, security groups)`,
      { cause: error },
    );
  }
  const name = error instanceof Error ? error.name : '';
  if (/Credentials|Sigv4/i.test(name)) {
    return new UpstreamError(
      `could not sign the OpenSearch request to ${operation}: no usable AWS credentials were found; configure a profile, environment variables or a role`,
      { cause: error },
    );
  }
  return new UpstreamError(`OpenSearch failed to ${operation}`, { cause: error });
}

/** ": type: reason" from an OpenSearch error body, or nothing. */
export function describeBody(body: unknown): string {
  const error = (body as { error?: unknown } | undefined)?.error;
  if (typeof error === 'string') return `: ${error}`;
  const cause = error as { type?: unknown; reason?: unknown } | undefined;
  if (typeof cause?.type !== 'string') return '';
  return typeof cause.reason === 'string' ? `: ${cause.type}: ${cause.reason}` : `: ${cause.type}`;
}
