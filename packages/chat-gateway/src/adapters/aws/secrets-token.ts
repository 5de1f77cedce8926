import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ChatError } from '../../errors.js';

/** Where the authorizer gets the shared client token. */
export interface TokenSource {
  /** The current token; rejects when it cannot be read (the caller denies). */
  token(): Promise<string>;
}

export interface SecretsManagerTokenOptions {
  /** The secret's ARN or name; its SecretString is the token. */
  secretId: string;
  region: string;
  /** A local fake of Secrets Manager in tests. */
  endpoint?: string;
  client?: SecretsManagerClient;
  /** How long a read value is used before the next read (a manual rotation shows after this). Default 5 min. */
  maxAgeMs?: number;
  now?: () => number;
}

/** The secret cannot be read or holds no usable token; the message names neither account nor ARN. */
export class SecretUnavailableError extends ChatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SECRET_UNAVAILABLE', message, true, options);
  }
}

/**
 * The token from Secrets Manager (`GetSecretValue`), read on first use and again once the value
 * is older than `maxAgeMs`, so a `put-secret-value` reaches warm containers within minutes.
 * Concurrent callers share one read. A failed read is not cached: the next call tries again,
 * and no stale value is served in its place (the authorizer fails closed).
 */
export class SecretsManagerTokenSource implements TokenSource {
  private readonly client: SecretsManagerClient;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private cached: { value: string; readAt: number } | undefined;
  private reading: Promise<string> | undefined;

  constructor(private readonly options: SecretsManagerTokenOptions) {
    this.client =
      options.client ??
      new SecretsManagerClient({
        region: options.region,
        // One quick retry: the authorizer answers within API Gateway's limits.
        maxAttempts: 2,
        ...(options.endpoint && { endpoint: options.endpoint }),
      });
    this.maxAgeMs = options.maxAgeMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  token(): Promise<string> {
    const cached = this.cached;
    if (cached && this.now() - cached.readAt < this.maxAgeMs) return Promise.resolve(cached.value);
    this.reading ??= this.read().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  destroy(): void {
    this.client.destroy();
  }

  private async read(): Promise<string> {
    const readAt = this.now();
    let value: string | undefined;
    try {
      const out = await this.client.send(
        new GetSecretValueCommand({ SecretId: this.options.secretId }),
      );
      value = out.SecretString?.trim();
    } catch (error) {
      // A failed refresh also drops the old value: a revoked token must not stay valid.
      this.cached = undefined;
      const name = error instanceof Error ? error.name : 'Error';
      throw new SecretUnavailableError(
        `The auth token secret could not be read (${name}: ${withoutAccountIds(error)}); check that the secret exists and the authorizer's role may read it.`,
        { cause: error },
      );
    }
    if (!value || value.length < 16) {
      this.cached = undefined;
      throw new SecretUnavailableError(
        'The auth token secret holds no token of at least 16 characters; put one as its SecretString (e.g. openssl rand -hex 32).',
      );
    }
    this.cached = { value, readAt };
    return value;
  }
}

/** An error's message with 12-digit AWS account ids (inside ARNs, too) masked, for the log. */
export function withoutAccountIds(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\b\d{12}\b/g, '************');
}
