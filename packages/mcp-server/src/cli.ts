#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadConfig, loadHttpConfig, type ServerConfig } from './config.js';
import { DataDirInUseError } from './errors.js';
import {
  parseArgsUsageError,
  reportCliError,
  sentence,
  unknownCommandError,
  UsageError,
} from './cli-errors.js';
import type { DocumentAccess } from './documents/document-access.js';
import { createLogger, type Logger } from './logger.js';
import type { SearchMode } from './ports/vector-store.js';
import { createRuntime, openRuntime, type Runtime } from './runtime.js';
import { serveStdio } from './transports/stdio.js';
import { SERVER_NAME, SERVER_VERSION } from './version.js';

const USAGE = `Usage:
  chatbot-mcp-server [serve] [options]        serve the MCP tools (stdio by default)
  chatbot-mcp-server ingest <file|dir|glob>…  index Markdown, text, HTML and PDF files
  chatbot-mcp-server search "<query>"         print the best passages with their sources

Serves the chatbot-mcp tools over MCP: on stdin/stdout by default (for Claude Desktop and
other MCP hosts), or over Streamable HTTP at http://<host>:<port>/mcp with --transport http.
With no configuration it keeps records and documents in embedded stores under the data
directory.

Options:
  --data-dir <dir>   where embedded stores keep data (env CHATBOT_DATA_DIR;
                     default ~/.local/share/chatbot-mcp or the platform's equivalent)
  --config <file>    tables file, JSON or YAML (env CHATBOT_CONFIG); see the README
  --transport <t>    serve: stdio (default) or http
  --host <host>      serve over HTTP: address to bind (env MCP_HTTP_HOST; default 127.0.0.1)
  --port <port>      serve over HTTP: port (env MCP_HTTP_PORT; default 3000)
  --read-only        serve only the tools that do not write (env MCP_READ_ONLY=true)
  --no-auth          serve over HTTP on a non-loopback address without MCP_AUTH_TOKEN
                     (env MCP_ALLOW_NO_AUTH=true); only behind something that authenticates
  --users <a,b>      ingest: only these users may read the documents (subjects, or
                     issuer#subject; repeatable); without --users and --groups, everyone
  --groups <a,b>     ingest: members of these groups may read the documents (repeatable)
  --limit <n>        search: passages to print, 1-20 (default 5)
  --mode <m>         search: hybrid (default), vector or keyword
  --threshold <t>    search: drop passages scoring below t (0-1)
  --version          print the version
  -h, --help         print this help

Environment: RECORD_STORE (embedded|dynamodb), AWS_REGION, DYNAMODB_ENDPOINT,
SESSIONS_TABLE, CONVERSATIONS_TABLE, ANALYTICS_TABLE, NOTES_TABLE, CHATBOT_CREATE_TABLES, LOG_LEVEL, MCP_READ_ONLY, MCP_ENABLED_TOOLS;
documents: VECTOR_STORE (embedded|opensearch), OPENSEARCH_ENDPOINT, OPENSEARCH_INDEX,
OPENSEARCH_SERVICE, EMBEDDER (local|bedrock), BEDROCK_REGION, EMBEDDING_DIMENSIONS;
HTTP: MCP_AUTH_TOKEN, MCP_ALLOWED_HOSTS, MCP_ALLOWED_ORIGINS, MCP_MAX_BODY_BYTES,
MCP_REQUEST_TIMEOUT_MS, MCP_HTTP_MAX_CONNECTIONS, MCP_ALLOW_NO_AUTH;
OAuth 2.1: MCP_OAUTH_ISSUER, MCP_OAUTH_AUDIENCE, MCP_PUBLIC_URL.
`;

const COMMANDS = ['serve', 'ingest', 'search'];

const OPTIONS = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  transport: { type: 'string', default: 'stdio' },
  host: { type: 'string' },
  port: { type: 'string' },
  'no-auth': { type: 'boolean' },
  'read-only': { type: 'boolean' },
  users: { type: 'string', multiple: true },
  groups: { type: 'string', multiple: true },
  limit: { type: 'string' },
  mode: { type: 'string' },
  threshold: { type: 'string' },
  version: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>
>['values'];

async function main(argv: string[]): Promise<number> {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    return fail(parseArgsUsageError(SERVER_NAME, error, Object.keys(OPTIONS)));
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${SERVER_VERSION}\n`);
    return 0;
  }
  const [command = 'serve', ...rest] = positionals;
  if (command === 'serve' && rest.length > 0)
    return usageError(`serve takes no arguments: ${rest.join(' ')}`);
  if (command === 'ingest' && rest.length === 0)
    return usageError('ingest needs at least one file, folder or glob');
  if (command !== 'ingest' && (values.users !== undefined || values.groups !== undefined))
    return usageError('--users and --groups are options of ingest only');
  if (command === 'search' && rest.length !== 1)
    return usageError('search takes one query; quote it: search "how do I deploy"');
  if (!COMMANDS.includes(command)) return fail(unknownCommandError(SERVER_NAME, command, COMMANDS));
  if (values.transport !== 'stdio' && values.transport !== 'http') {
    return usageError(`--transport must be stdio or http, not ${values.transport}`);
  }

  // The AWS SDK warns on stderr about future Node versions; stderr is for our JSON logs.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Dependencies' deprecation notices (dynalite's DEP0066) would be unstructured stderr lines.
  process.noDeprecation = true;
  // LanceDB's Rust logger writes plain-text warnings (e.g. k-means on small indexes) to stderr,
  // between our JSON log lines; keep its errors only, unless the user asks for more.
  process.env.LANCEDB_LOG ??= 'error';
  try {
    const config = loadConfig(process.env, {
      ...(values['data-dir'] !== undefined && { dataDir: values['data-dir'] }),
      ...(values.config !== undefined && { configFile: values.config }),
      ...(values['read-only'] === true && { readOnly: true }),
    });
    // Commands print for a person on stdout; only warnings and errors belong on stderr then.
    const logger = createLogger(command === 'serve' ? config.logLevel : 'warn');
    if (command === 'serve') return await serve(config, logger, values);
    return await documentsCommand(command, rest, config, logger, values);
  } catch (error) {
    // A command that cannot start says why in one line; JSON lines are the running server's logs.
    return fail(error);
  }
}

async function serve(config: ServerConfig, logger: Logger, values: Values): Promise<number> {
  const http =
    values.transport === 'http'
      ? loadHttpConfig(process.env, {
          ...(values.host !== undefined && { host: values.host }),
          ...(values.port !== undefined && { port: values.port }),
          ...(values['no-auth'] === true && { noAuth: true }),
        })
      : undefined;
  let opened;
  try {
    // Over stdio the tools are listed while the record store opens; over HTTP it opens first.
    // Over stdio the embedded record store is served from this thread: one host's calls come one
    // at a time, and a worker thread would add two thread wake-ups to each (read_record 0.72 ->
    // 0.45 ms p50, create and list faster too). HTTP serves many clients at once and keeps the
    // worker, whose store work then runs beside the request handling.
    opened = http
      ? {
          runtime: await createRuntime(config, logger),
          ready: Promise.resolve(),
          startStore: () => undefined,
        }
      : await openRuntime(config, logger, {
          deferStoreStart: true,
          embeddedStoreInThisThread: true,
        });
  } catch (error) {
    // Over stdio, a folder held by a running gateway or server is shared through it instead.
    if (http || !(error instanceof DataDirInUseError)) throw error;
    const { serveAttachedStdio } = await import('./transports/attached-stdio.js');
    const openAttached = (): Promise<Runtime> => createRuntime(config, logger);
    await serveAttachedStdio({ dataDir: config.dataDir, logger, openRuntime: openAttached });
    return 0;
  }
  const { runtime, ready, startStore } = opened;
  try {
    // Each path loads only what it uses: start-up time matters to MCP hosts.
    if (http) await (await import('./transports/http.js')).serveHttp(runtime, logger, http);
    // A store that cannot start (a table with another key, a database that does not open) ends
    // the server with its reason, as it did before anything was served.
    else {
      const failed = ready.then(() => new Promise<never>(() => undefined));
      await Promise.race([serveStdio(runtime, logger, { afterHandshake: startStore }), failed]);
    }
  } finally {
    await runtime.close();
  }
  return 0;
}

/** ingest and search need only the document index, not the record store. */
async function documentsCommand(
  command: string,
  args: string[],
  config: ServerConfig,
  logger: Logger,
  values: Values,
): Promise<number> {
  const { lazyDocuments } = await import('./document-runtime.js');
  const documents = lazyDocuments(config, logger);
  try {
    const service = await documents.get();
    if (command === 'ingest') {
      const { runIngest } = await import('./commands/ingest.js');
      const access = ingestAccess(values);
      const summary = await runIngest(args, service, process.stdout, access);
      return summary.failed.length > 0 ? 1 : 0;
    }
    const { runSearch } = await import('./commands/search.js');
    await runSearch(
      args[0]!,
      {
        ...(values.limit !== undefined && { limit: Number(values.limit) }),
        ...(values.mode !== undefined && { mode: values.mode as SearchMode }),
        ...(values.threshold !== undefined && { threshold: Number(values.threshold) }),
      },
      service,
    );
    return 0;
  } finally {
    await documents.close();
  }
}

/** `--users` / `--groups` as an access list (comma-separated, repeatable); absent: everyone. */
function ingestAccess(values: Values): DocumentAccess | undefined {
  const list = (flags: string[] | undefined): string[] | undefined =>
    flags?.flatMap((flag) => flag.split(',').map((entry) => entry.trim())).filter(Boolean);
  const users = list(values.users);
  const groups = list(values.groups);
  if (users === undefined && groups === undefined) return undefined;
  return { ...(users && { users }), ...(groups && { groups }) };
}

function usageError(message: string): number {
  return fail(new UsageError(sentence(message, `Run ${SERVER_NAME} --help for the usage`)));
}

function fail(error: unknown): number {
  return reportCliError(SERVER_NAME, error, { debug: process.env.LOG_LEVEL === 'debug' });
}

// `pnpm start -- --transport http` passes the `--` through; it separates nothing here.
const argv = process.argv.slice(2);
main(argv[0] === '--' ? argv.slice(1) : argv).then(
  (code) => process.exit(code),
  (error: unknown) => process.exit(fail(error)),
);
