#!/usr/bin/env node
import { parseArgs } from 'node:util';
import {
  parseArgsUsageError,
  reportCliError,
  sentence,
  unknownCommandError,
  UsageError,
} from 'chatbot-mcp-server/cli-errors';

const BIN = 'chatbot-gateway';
const COMMANDS = ['serve', 'stats'];

const USAGE = `Usage:
  chatbot-gateway [serve] [options]          serve the chat page at / and the chat WebSocket at /ws
  chatbot-gateway stats [--date YYYY-MM-DD]  summarise a day: turns by route, tools, latency

With nothing configured the gateway runs the MCP server in-process on the same data
directory as chatbot-mcp-server (documents ingested with "chatbot-mcp-server ingest
--data-dir D" are searchable from "chatbot-gateway --data-dir D"), and answers with the
offline engine (no language model: quoted passages with citations, /tools and /call).

Options:
  --host <host>        address to bind (env CHAT_HOST; default 127.0.0.1)
  --port <port>        port (env CHAT_PORT; default 8080; 0 picks a free one)
  --no-auth            serve a non-loopback --host without CHAT_AUTH_TOKEN (env
                       CHAT_ALLOW_NO_AUTH=true); only behind something that authenticates
  --data-dir <dir>     where embedded stores keep data (env CHATBOT_DATA_DIR)
  --config <file>      tables file, JSON or YAML (env CHATBOT_CONFIG)
  --seed-docs <dir>    ingest this folder's Markdown, text and HTML files if the index is empty
  --date <day>         stats: the day (UTC), default today
  --version            print the version
  -h, --help           print this help

Model: MODEL_PROVIDER=offline (default) | bedrock (BEDROCK_CLAUDE_MODEL, AWS_REGION) |
openai (OPENAI_BASE_URL, OPENAI_MODEL, OPENAI_API_KEY; also Ollama, LM Studio, vLLM, llama.cpp).
MCP: MCP_TRANSPORT=in-process (default) | stdio (MCP_SERVER_COMMAND, MCP_SERVER_ARGS) |
http (MCP_SERVER_URL, MCP_AUTH_TOKEN) | lambda (MCP_SERVER_FUNCTION_NAME).
Chat: SESSION_TIMEOUT_MINUTES, CHAT_AUTH_TOKEN, CHAT_ALLOWED_ORIGINS, CHAT_TITLE, CHAT_MAX_CONNECTIONS,
RAG_MIN_SCORE, TOOL_TIMEOUT_MS, LOG_LEVEL. See the package README for all variables.
Sign-in: CHAT_OIDC_ISSUER, CHAT_OIDC_CLIENT_ID, CHAT_OIDC_CLIENT_SECRET, CHAT_OIDC_AUDIENCE,
CHAT_OIDC_GROUPS_CLAIM, CHAT_PUBLIC_URL (README: Sign-in).
`;

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'no-auth': { type: 'boolean' },
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  'seed-docs': { type: 'string' },
  date: { type: 'string' },
  version: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<
    typeof parseArgs<{
      options: typeof OPTIONS;
      allowPositionals: true;
      strict: true;
      args: string[];
    }>
  >;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw parseArgsUsageError(BIN, error, Object.keys(OPTIONS));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.version) {
    const { SERVER_VERSION } = await import('chatbot-mcp-server/core');
    process.stdout.write(`${SERVER_VERSION}\n`);
    return 0;
  }
  // The AWS SDK warns on stderr about Node versions it still supports; keep the log JSON.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [command = 'serve', ...rest] = positionals;
  if (!COMMANDS.includes(command)) throw unknownCommandError(BIN, command, COMMANDS);
  if (rest.length > 0) {
    throw new UsageError(
      sentence(
        `${command} takes no arguments: ${rest.join(' ')}`,
        `Run ${BIN} --help for the usage`,
      ),
    );
  }
  const overrides = {
    ...(values.host && { host: values.host }),
    ...(values.port && { port: values.port }),
    ...(values['no-auth'] === true && { noAuth: true }),
    ...(values['data-dir'] && { dataDir: values['data-dir'] }),
    ...(values.config && { configFile: values.config }),
  };
  if (command === 'stats') {
    const { runStatsCommand } = await import('./commands/stats-command.js');
    return runStatsCommand({ overrides, ...(values.date && { date: values.date }) });
  }
  const { startLocalGateway } = await import('./transports/local/start-local-gateway.js');
  const gateway = await startLocalGateway({
    ...overrides,
    ...(values['seed-docs'] && { seedDocsDir: values['seed-docs'] }),
  });
  process.stdout.write(
    `chatbot-gateway: open ${gateway.url}/ in a browser (WebSocket ${gateway.wsUrl})\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stderr.write('chatbot-gateway: shutting down (finishing answers in flight)\n');
  await gateway.close();
  return 0;
}

// `pnpm exec chatbot-gateway -- --port 0` passes the `--` through; it separates nothing here.
const argv = process.argv.slice(2);
main(argv[0] === '--' ? argv.slice(1) : argv).then(
  (code) => process.exit(code),
  (error: unknown) =>
    process.exit(reportCliError(BIN, error, { debug: process.env.LOG_LEVEL === 'debug' })),
);
