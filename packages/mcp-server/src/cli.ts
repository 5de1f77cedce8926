#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadConfig, loadHttpConfig } from './config.js';
import { AppError } from './errors.js';
import { createLogger, errorFields } from './logger.js';
import { createRuntime } from './runtime.js';
import { serveHttp } from './transports/http.js';
import { serveStdio } from './transports/stdio.js';
import { SERVER_NAME, SERVER_VERSION } from './version.js';

const USAGE = `Usage: chatbot-mcp-server [options]

Serves the chatbot-mcp tools over MCP: on stdin/stdout by default (for Claude Desktop and
other MCP hosts), or over Streamable HTTP at http://<host>:<port>/mcp with --transport http.
With no configuration it keeps records in an embedded store under the data directory.

Options:
  --transport <t>    stdio (default) or http
  --host <host>      HTTP: address to bind (env MCP_HTTP_HOST; default 127.0.0.1)
  --port <port>      HTTP: port (env MCP_HTTP_PORT; default 3000)
  --data-dir <dir>   where embedded stores keep data (env CHATBOT_DATA_DIR;
                     default ~/.local/share/chatbot-mcp or the platform's equivalent)
  --config <file>    tables file, JSON or YAML (env CHATBOT_CONFIG); see the README
  --version          print the version
  -h, --help         print this help

Environment: RECORD_STORE (embedded|dynamodb), AWS_REGION, DYNAMODB_ENDPOINT,
SESSIONS_TABLE, CONVERSATIONS_TABLE, ANALYTICS_TABLE, CHATBOT_CREATE_TABLES, LOG_LEVEL;
HTTP: MCP_AUTH_TOKEN, MCP_ALLOWED_HOSTS, MCP_ALLOWED_ORIGINS, MCP_MAX_BODY_BYTES,
MCP_REQUEST_TIMEOUT_MS.
`;

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'data-dir': { type: 'string' },
        config: { type: 'string' },
        transport: { type: 'string', default: 'stdio' },
        host: { type: 'string' },
        port: { type: 'string' },
        version: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${SERVER_NAME}: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${SERVER_VERSION}\n`);
    return 0;
  }

  if (values.transport !== 'stdio' && values.transport !== 'http') {
    process.stderr.write(`${SERVER_NAME}: --transport must be stdio or http, not ${values.transport}\n`);
    return 2;
  }

  // The AWS SDK warns on stderr about future Node versions; stderr is for our JSON logs.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Dependencies' deprecation notices (dynalite's DEP0066) would be unstructured stderr lines.
  process.noDeprecation = true;
  let logger = createLogger('info');
  try {
    const config = loadConfig(process.env, {
      ...(values['data-dir'] !== undefined && { dataDir: values['data-dir'] }),
      ...(values.config !== undefined && { configFile: values.config }),
    });
    logger = createLogger(config.logLevel);
    const http =
      values.transport === 'http'
        ? loadHttpConfig(process.env, {
            ...(values.host !== undefined && { host: values.host }),
            ...(values.port !== undefined && { port: values.port }),
          })
        : undefined;
    const runtime = await createRuntime(config, logger);
    try {
      if (http) await serveHttp(runtime, logger, http);
      else await serveStdio(runtime, logger);
    } finally {
      await runtime.close();
    }
    return 0;
  } catch (error) {
    if (error instanceof AppError) {
      if (process.stderr.isTTY) process.stderr.write(`${SERVER_NAME}: ${error.message}\n`);
      else logger.error(error.message, { code: error.code });
    } else {
      logger.error('start-up failed', errorFields(error));
    }
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
