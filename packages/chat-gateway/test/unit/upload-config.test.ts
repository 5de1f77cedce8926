import { describe, expect, it } from 'vitest';
import { GatewayConfigError } from '../../src/errors.js';
import { loadUploadLambdaConfig } from '../../src/transports/lambda/upload-config.js';

const base = {
  AWS_REGION: 'eu-west-1',
  UPLOAD_BUCKET: 'chatbot-uploads-123456789012-eu-west-1',
  WS_MANAGEMENT_ENDPOINT: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/',
};

describe('upload functions: configuration', () => {
  it('defaults: anyone may upload, 10 MB, forms valid 5 minutes', () => {
    expect(loadUploadLambdaConfig(base)).toEqual({
      region: 'eu-west-1',
      bucket: base.UPLOAD_BUCKET,
      upload: 'anyone',
      maxBytes: 10 * 1024 * 1024,
      formTtlSeconds: 300,
      managementEndpoint: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
      logLevel: 'info',
    });
  });

  it('reads CHAT_UPLOAD, CHAT_UPLOAD_MAX_BYTES, the MCP function and local endpoints', () => {
    const config = loadUploadLambdaConfig(
      {
        ...base,
        CHAT_UPLOAD: 'off',
        CHAT_UPLOAD_MAX_BYTES: '2048',
        UPLOAD_FORM_TTL_SECONDS: '60',
        MCP_SERVER_FUNCTION_NAME: 'chatbot-mcp',
        S3_ENDPOINT: 'http://127.0.0.1:9000',
        LAMBDA_ENDPOINT: 'http://127.0.0.1:9001',
      },
      { mcp: true },
    );
    expect(config).toMatchObject({
      upload: 'off',
      maxBytes: 2048,
      formTtlSeconds: 60,
      mcpFunctionName: 'chatbot-mcp',
      s3Endpoint: 'http://127.0.0.1:9000',
      lambdaEndpoint: 'http://127.0.0.1:9001',
    });
  });

  it.each([
    [{ UPLOAD_BUCKET: undefined }, /UPLOAD_BUCKET: required/],
    [{ WS_MANAGEMENT_ENDPOINT: undefined }, /WS_MANAGEMENT_ENDPOINT: required/],
    [{ AWS_REGION: undefined }, /AWS_REGION: required/],
    [{ CHAT_UPLOAD: 'groups' }, /CHAT_UPLOAD: must be "anyone" .* or "off", not "groups"/],
    [{ CHAT_UPLOAD_MAX_BYTES: '0' }, /CHAT_UPLOAD_MAX_BYTES: must be a whole number from 1/],
    [{ UPLOAD_FORM_TTL_SECONDS: '86400' }, /UPLOAD_FORM_TTL_SECONDS: .* to 3600/],
    [{ S3_ENDPOINT: 'not a url' }, /S3_ENDPOINT: must be a URL/],
  ])('fails fast naming the variable: %o', (change, message) => {
    expect(() => loadUploadLambdaConfig({ ...base, ...change })).toThrow(GatewayConfigError);
    expect(() => loadUploadLambdaConfig({ ...base, ...change })).toThrow(message);
  });

  it('the ingest function needs the MCP server function', () => {
    expect(() => loadUploadLambdaConfig(base, { mcp: true })).toThrow(
      /MCP_SERVER_FUNCTION_NAME: required/,
    );
  });
});
