/**
 * One set of env parsers for the three settings loaders (`config.ts` for the local server and
 * the chat core, `lambda-config.ts` for the chat functions, `upload-config.ts` for the upload
 * functions): the same wrong value is reported the same way by each, and what each returns for
 * a right value is what it returned before they shared the parsers.
 */
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig, loadLocalServerConfig } from '../../src/config.js';
import { GatewayConfigError } from '../../src/errors.js';
import {
  loadAuthorizerConfig,
  loadLambdaConfig,
} from '../../src/transports/lambda/lambda-config.js';
import { loadUploadLambdaConfig } from '../../src/transports/lambda/upload-config.js';

const lambdaBase = {
  AWS_REGION: 'eu-west-1',
  WS_MANAGEMENT_ENDPOINT: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/',
};
const uploadBase = { ...lambdaBase, UPLOAD_BUCKET: 'chatbot-uploads' };
const mcpLambda = { MCP_TRANSPORT: 'lambda', MCP_SERVER_FUNCTION_NAME: 'chatbot-mcp' };

/** The message `load` throws (a GatewayConfigError), or a failure when it does not throw. */
function messageOf(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a GatewayConfigError');
}

describe('env parsers: the same wrong value, the same message from every loader', () => {
  it.each(['lots', '1.5', '0', '200000000'])(
    'CHAT_UPLOAD_MAX_BYTES=%s: local server and upload functions say it alike',
    (value) => {
      const local = messageOf(() => loadLocalServerConfig({ CHAT_UPLOAD_MAX_BYTES: value }));
      const aws = messageOf(() =>
        loadUploadLambdaConfig({ ...uploadBase, CHAT_UPLOAD_MAX_BYTES: value }),
      );
      expect(local).toBe(aws);
      expect(local).toBe(
        `CHAT_UPLOAD_MAX_BYTES: must be a whole number from 1 to 104857600, not ${JSON.stringify(value)}`,
      );
    },
  );

  it('LAMBDA_ENDPOINT that is not a URL: chat core, chat functions and upload functions say it alike, with an example', () => {
    const value = 'not a url';
    const core = messageOf(() => loadGatewayConfig({ ...mcpLambda, LAMBDA_ENDPOINT: value }));
    const chat = messageOf(() => loadLambdaConfig({ ...lambdaBase, LAMBDA_ENDPOINT: value }));
    const upload = messageOf(() =>
      loadUploadLambdaConfig({ ...uploadBase, LAMBDA_ENDPOINT: value }),
    );
    expect(new Set([core, chat, upload]).size).toBe(1);
    expect(core).toBe(
      'LAMBDA_ENDPOINT: must be a URL such as http://127.0.0.1:9001, not "not a url"',
    );
  });

  it('a URL message always gives an example (S3_ENDPOINT, WS_MANAGEMENT_ENDPOINT, SECRETS_MANAGER_ENDPOINT)', () => {
    expect(messageOf(() => loadUploadLambdaConfig({ ...uploadBase, S3_ENDPOINT: 'x' }))).toMatch(
      /^S3_ENDPOINT: must be a URL such as http:\/\/\S+, not "x"$/,
    );
    expect(
      messageOf(() => loadLambdaConfig({ ...lambdaBase, WS_MANAGEMENT_ENDPOINT: 'x' })),
    ).toMatch(/^WS_MANAGEMENT_ENDPOINT: must be a URL such as https:\/\/\{api-id\}\.execute-api/);
    expect(
      messageOf(() =>
        loadAuthorizerConfig({
          AWS_REGION: 'eu-west-1',
          CHAT_AUTH_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:x',
          SECRETS_MANAGER_ENDPOINT: 'x',
        }),
      ),
    ).toMatch(/^SECRETS_MANAGER_ENDPOINT: must be a URL such as https:\/\//);
  });

  it('AWS_REGION missing and LOG_LEVEL wrong: the same words on the chat and upload functions', () => {
    const noRegion = { ...uploadBase, AWS_REGION: undefined };
    expect(messageOf(() => loadLambdaConfig(noRegion))).toBe(
      messageOf(() => loadUploadLambdaConfig(noRegion)),
    );
    expect(messageOf(() => loadUploadLambdaConfig({ ...uploadBase, LOG_LEVEL: 'loud' }))).toBe(
      messageOf(() => loadGatewayConfig({ LOG_LEVEL: 'loud' })),
    );
  });

  it('an origin list names the variable that was read (the renamed one on the local server too)', () => {
    expect(messageOf(() => loadLocalServerConfig({ CHAT_ALLOWED_ORIGINS: 'chat.example' }))).toBe(
      'CHAT_ALLOWED_ORIGINS: "chat.example" is not an origin; use scheme://host[:port]',
    );
    expect(
      messageOf(() =>
        loadAuthorizerConfig({ CHAT_AUTH_TOKEN: 'x'.repeat(16), ALLOWED_ORIGINS: 'chat.example' }),
      ),
    ).toBe('ALLOWED_ORIGINS: "chat.example" is not an origin; use scheme://host[:port]');
  });
});

describe('env parsers: values read as before', () => {
  it('AWS endpoints are normalised without a trailing slash; the chat core keeps its URLs as given', () => {
    expect(loadLambdaConfig(lambdaBase).managementEndpoint).toBe(
      'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
    );
    expect(loadUploadLambdaConfig(uploadBase).managementEndpoint).toBe(
      'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
    );
    expect(
      loadLambdaConfig({ ...lambdaBase, LAMBDA_ENDPOINT: 'http://127.0.0.1:9001/' }).lambdaEndpoint,
    ).toBe('http://127.0.0.1:9001');
    const mcp = loadGatewayConfig({
      MCP_TRANSPORT: 'http',
      MCP_SERVER_URL: 'http://127.0.0.1:3000/mcp/',
    }).mcp;
    expect(mcp).toMatchObject({ kind: 'http', url: 'http://127.0.0.1:3000/mcp/' });
  });

  it('whole numbers and their defaults: Lambda poll and retry settings, the local port', () => {
    expect(loadLambdaConfig(lambdaBase)).toMatchObject({
      pollMs: 300,
      helloRetryMs: 3_000,
      turnDeadlineMarginMs: 10_000,
    });
    expect(loadLambdaConfig({ ...lambdaBase, TURN_POLL_MS: '50' }).pollMs).toBe(50);
    expect(messageOf(() => loadLambdaConfig({ ...lambdaBase, TURN_POLL_MS: '5' }))).toBe(
      'TURN_POLL_MS: must be a whole number from 20 to 10000, not "5"',
    );
    expect(loadLocalServerConfig({ CHAT_PORT: '8081' }).port).toBe(8081);
    expect(messageOf(() => loadLocalServerConfig({ CHAT_PORT: 'abc' }))).toBe(
      '--port / CHAT_PORT: must be a whole number from 0 to 65535, not "abc"',
    );
    expect(loadLocalServerConfig({ CHAT_FRAMES_PER_SECOND: '0.5' }).framesPerSecond).toBe(0.5);
  });
});
