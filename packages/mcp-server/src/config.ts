import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from './errors.js';
import { hostName } from './http/request-guards.js';
import type { LogLevel } from './logger.js';
import type { TableSpec } from './ports/record-store.js';
import { defaultTables, loadTablesFile } from './tables/tables-file.js';

export type RecordStoreConfig =
  { kind: 'embedded' } | { kind: 'dynamodb'; region: string; endpoint?: string };

export type VectorStoreConfig =
  | { kind: 'embedded' }
  | { kind: 'opensearch'; node: string; region?: string; service: 'es' | 'aoss'; index: string };

export type EmbedderConfig =
  | { kind: 'local' }
  | { kind: 'bedrock'; region: string; dimensions: 256 | 512 | 1024; endpoint?: string };

export interface ServerConfig {
  /** Where embedded stores keep their data. */
  dataDir: string;
  recordStore: RecordStoreConfig;
  vectorStore: VectorStoreConfig;
  embedder: EmbedderConfig;
  /** Create missing tables at start-up (default on for the embedded store only). */
  createTables: boolean;
  tables: TableSpec[];
  logLevel: LogLevel;
  /** Serve only the tools whose annotations say `readOnlyHint: true` (--read-only / MCP_READ_ONLY). */
  readOnly: boolean;
  /** Serve only these tools (MCP_ENABLED_TOOLS); checked against the contract at start-up. */
  enabledTools?: string[];
}

/** Settings of the Streamable HTTP transport. */
export interface HttpServerConfig {
  host: string;
  port: number;
  allowedHosts: string[];
  allowedOrigins: string[];
  authToken?: string;
  maxBodyBytes: number;
  requestTimeoutMs: number;
  /** Most sockets open at once (MCP_HTTP_MAX_CONNECTIONS); more are closed on arrival. */
  maxConnections: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /** A connection must send complete request headers within this long (also before its first). */
  headersTimeoutMs: number;
  /** A request's body must arrive in full within this long (a stalled Content-Length is cut). */
  bodyTimeoutMs: number;
  /** Serve without MCP_AUTH_TOKEN on a non-loopback address (--no-auth / MCP_ALLOW_NO_AUTH). */
  allowNoAuth: boolean;
  /** OAuth 2.1 resource server settings (MCP_OAUTH_ISSUER); absent when OAuth is off. */
  oauth?: OAuthConfig;
}

/** Command-line flags that take precedence over the environment. */
export interface ConfigOverrides {
  dataDir?: string;
  configFile?: string;
  /** --read-only: only an explicit true overrides MCP_READ_ONLY. */
  readOnly?: boolean;
}

type Env = Record<string, string | undefined>;

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/** HTTP transport settings; binds 127.0.0.1 unless told otherwise. */
export function loadHttpConfig(
  env: Env = process.env,
  overrides: { host?: string; port?: string; noAuth?: boolean } = {},
): HttpServerConfig {
  const host = overrides.host ?? env.MCP_HTTP_HOST ?? '127.0.0.1';
  const bound = host.includes(':') ? `[${host}]` : host.toLowerCase();
  // Host names only: the port of the Host header is not compared.
  const extraHosts = list(env.MCP_ALLOWED_HOSTS).map((h) => {
    const name = hostName(h);
    if (!name) {
      throw new ConfigError(
        `MCP_ALLOWED_HOSTS: ${JSON.stringify(h)} is not a host name; list names such as chat.example.com or [::1], comma-separated`,
      );
    }
    return name;
  });
  const allowNoAuth =
    overrides.noAuth === true || parseBoolean('MCP_ALLOW_NO_AUTH', env.MCP_ALLOW_NO_AUTH, false);
  const oauth = loadOAuthConfig(env);
  if (!env.MCP_AUTH_TOKEN && !oauth && !allowNoAuth && !isLoopbackAddress(host)) {
    throw new ConfigError(
      `MCP_AUTH_TOKEN: required to serve HTTP on ${host}, which is not a loopback address: anyone who can reach it could read and change the records. Set MCP_AUTH_TOKEN to a long random secret (or MCP_OAUTH_ISSUER for OAuth), bind 127.0.0.1, or, only if something in front of the server authenticates every request, pass --no-auth (MCP_ALLOW_NO_AUTH=true)`,
    );
  }
  return {
    host,
    port: parseInteger(
      '--port / MCP_HTTP_PORT',
      overrides.port ?? env.MCP_HTTP_PORT,
      3000,
      0,
      65535,
    ),
    allowedHosts: [
      ...new Set([
        ...LOOPBACK,
        ...extraHosts,
        ...(host === '0.0.0.0' || host === '::' ? [] : [bound]),
      ]),
    ],
    allowedOrigins: list(env.MCP_ALLOWED_ORIGINS).map((o) => origin('MCP_ALLOWED_ORIGINS', o)),
    ...(env.MCP_AUTH_TOKEN && { authToken: env.MCP_AUTH_TOKEN }),
    maxBodyBytes: parseInteger(
      'MCP_MAX_BODY_BYTES',
      env.MCP_MAX_BODY_BYTES,
      8 * 1024 * 1024,
      1024,
      64 * 1024 * 1024,
    ),
    requestTimeoutMs: parseInteger(
      'MCP_REQUEST_TIMEOUT_MS',
      env.MCP_REQUEST_TIMEOUT_MS,
      60_000,
      100,
      900_000,
    ),
    maxConnections: parseInteger(
      'MCP_HTTP_MAX_CONNECTIONS',
      env.MCP_HTTP_MAX_CONNECTIONS,
      256,
      1,
      65_535,
    ),
    keepAliveTimeoutMs: 5_000,
    headersTimeoutMs: 10_000,
    bodyTimeoutMs: 10_000,
    allowNoAuth,
    ...(oauth && { oauth }),
  };
}

// --- OAuth 2.1 (MCP authorization): kept apart from the other settings so it merges easily ---

/** The MCP server as an OAuth 2.1 resource server: which issuer's JWT access tokens it accepts. */
export interface OAuthConfig {
  /** The authorization server's issuer identifier (MCP_OAUTH_ISSUER), exactly as in its tokens. */
  issuer: string;
  /** Expected `aud` (MCP_OAUTH_AUDIENCE); absent: the resource URL of the request. */
  audience?: string;
  /** The public URL of the MCP endpoint (MCP_PUBLIC_URL); absent: derived from each request. */
  publicUrl?: string;
  /** Allowed clock skew for `exp`/`nbf`, seconds. */
  clockToleranceSec: number;
  /** The claim holding the user's groups (MCP_OAUTH_GROUPS_CLAIM, default `groups`). */
  groupsClaim: string;
}

/** OAuth settings, or undefined when MCP_OAUTH_ISSUER is not set. */
export function loadOAuthConfig(env: Env = process.env): OAuthConfig | undefined {
  const publicUrl = env.MCP_PUBLIC_URL ? resourceUrl(env.MCP_PUBLIC_URL) : undefined;
  if (!env.MCP_OAUTH_ISSUER) {
    if (env.MCP_OAUTH_AUDIENCE) {
      throw new ConfigError(
        'MCP_OAUTH_AUDIENCE: set without MCP_OAUTH_ISSUER; set the issuer of the authorization server too, or remove it',
      );
    }
    return undefined;
  }
  const issuer = issuerUrl(env.MCP_OAUTH_ISSUER);
  return {
    issuer,
    ...(env.MCP_OAUTH_AUDIENCE && { audience: env.MCP_OAUTH_AUDIENCE }),
    ...(publicUrl && { publicUrl }),
    clockToleranceSec: 30,
    groupsClaim: env.MCP_OAUTH_GROUPS_CLAIM || 'groups',
  };
}

/** An https URL (http only on a loopback address), no query or fragment. */
function issuerUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash) {
    throw new ConfigError(
      `MCP_OAUTH_ISSUER: ${JSON.stringify(value)} is not an issuer URL; use the authorization server's issuer exactly as its metadata shows it, e.g. https://auth.example.com`,
    );
  }
  if (url.protocol === 'http:' && !isLoopbackAddress(url.hostname)) {
    throw new ConfigError(
      `MCP_OAUTH_ISSUER: ${JSON.stringify(value)} uses http on a non-loopback address; tokens and keys would travel unprotected. Use https (http is accepted only for 127.0.0.1, ::1 and localhost)`,
    );
  }
  return value;
}

/** `https://mcp.example.com` or `https://mcp.example.com/mcp` → the URL of the /mcp endpoint. */
function resourceUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash) {
    throw new ConfigError(
      `MCP_PUBLIC_URL: ${JSON.stringify(value)} is not a URL; use the address remote hosts connect to, e.g. https://mcp.example.com/mcp`,
    );
  }
  if (url.pathname === '/' || url.pathname === '') return `${url.origin}/mcp`;
  if (!url.pathname.endsWith('/mcp')) {
    throw new ConfigError(
      `MCP_PUBLIC_URL: ${JSON.stringify(value)} must end with /mcp (the endpoint's path), e.g. https://mcp.example.com/mcp`,
    );
  }
  return `${url.origin}${url.pathname}`;
}

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export function isLoopbackAddress(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** `https://Chat.example.com/` as a browser sends it in Origin: `https://chat.example.com`. */
function origin(name: string, value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  } catch {
    // reported below
  }
  throw new ConfigError(
    `${name}: ${JSON.stringify(value)} is not an origin; use scheme://host[:port], e.g. https://chat.example.com`,
  );
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function parseInteger(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(
      `${name}: must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/**
 * The only place that reads the environment. Fails fast, naming the variable that is wrong.
 * See the README's configuration table for every variable.
 */
export function loadConfig(env: Env = process.env, overrides: ConfigOverrides = {}): ServerConfig {
  const storeKind = env.RECORD_STORE ?? 'embedded';
  let recordStore: RecordStoreConfig;
  if (storeKind === 'embedded') {
    recordStore = { kind: 'embedded' };
  } else if (storeKind === 'dynamodb') {
    const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region) {
      throw new ConfigError('AWS_REGION: required when RECORD_STORE=dynamodb (e.g. us-east-1)');
    }
    recordStore = {
      kind: 'dynamodb',
      region,
      ...(env.DYNAMODB_ENDPOINT && {
        endpoint: checkUrl('DYNAMODB_ENDPOINT', env.DYNAMODB_ENDPOINT),
      }),
    };
  } else {
    throw new ConfigError(
      `RECORD_STORE: must be embedded or dynamodb, not ${JSON.stringify(storeKind)}`,
    );
  }

  const configFile = overrides.configFile ?? env.CHATBOT_CONFIG;
  const tables = configFile
    ? loadTablesFile(resolve(configFile))
    : defaultTables({
        sessions: env.SESSIONS_TABLE ?? 'chatbot-sessions',
        conversations: env.CONVERSATIONS_TABLE ?? 'chatbot-conversations',
        analytics: env.ANALYTICS_TABLE ?? 'chatbot-analytics',
        notes: env.NOTES_TABLE ?? 'chatbot-notes',
      });

  const vectorStore = loadVectorStore(env);
  return {
    dataDir: resolve(overrides.dataDir ?? env.CHATBOT_DATA_DIR ?? defaultDataDir(env)),
    recordStore,
    vectorStore,
    embedder: loadEmbedder(env, vectorStore.kind === 'opensearch' ? 'bedrock' : 'local'),
    createTables: parseBoolean(
      'CHATBOT_CREATE_TABLES',
      env.CHATBOT_CREATE_TABLES,
      recordStore.kind === 'embedded',
    ),
    tables,
    logLevel: parseLogLevel(env.LOG_LEVEL),
    readOnly:
      overrides.readOnly === true || parseBoolean('MCP_READ_ONLY', env.MCP_READ_ONLY, false),
    ...(env.MCP_ENABLED_TOOLS !== undefined && {
      enabledTools: enabledTools(env.MCP_ENABLED_TOOLS),
    }),
  };
}

/** Names only: whether each is a tool is checked against the contract (ToolRegistry). */
function enabledTools(value: string): string[] {
  const names = list(value);
  if (names.length === 0) {
    throw new ConfigError(
      'MCP_ENABLED_TOOLS: is set but names no tool; list tool names comma-separated (e.g. search_documents,read_record) or unset it to serve every tool',
    );
  }
  return [...new Set(names)];
}

function loadVectorStore(env: Env): VectorStoreConfig {
  const kind = env.VECTOR_STORE ?? 'embedded';
  if (kind === 'embedded') return { kind };
  if (kind !== 'opensearch') {
    throw new ConfigError(
      `VECTOR_STORE: must be embedded or opensearch, not ${JSON.stringify(kind)}`,
    );
  }
  if (!env.OPENSEARCH_ENDPOINT) {
    throw new ConfigError(
      'OPENSEARCH_ENDPOINT: required when VECTOR_STORE=opensearch (the domain or collection URL)',
    );
  }
  const node = checkUrl('OPENSEARCH_ENDPOINT', env.OPENSEARCH_ENDPOINT);
  const service = env.OPENSEARCH_SERVICE ?? (/\.aoss\.amazonaws\.com/i.test(node) ? 'aoss' : 'es');
  if (service !== 'es' && service !== 'aoss') {
    throw new ConfigError(
      `OPENSEARCH_SERVICE: must be es (a domain) or aoss (Serverless), not ${JSON.stringify(service)}`,
    );
  }
  // No region means an unsigned client: a local OpenSearch without SigV4.
  const region = env.OPENSEARCH_REGION ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  return {
    kind,
    node,
    service,
    index: env.OPENSEARCH_INDEX ?? 'chatbot-chunks',
    ...(region && { region }),
  };
}

function loadEmbedder(env: Env, fallback: 'local' | 'bedrock'): EmbedderConfig {
  const kind = env.EMBEDDER ?? fallback;
  if (kind === 'local') return { kind };
  if (kind !== 'bedrock')
    throw new ConfigError(`EMBEDDER: must be local or bedrock, not ${JSON.stringify(kind)}`);
  const model = env.BEDROCK_EMBEDDING_MODEL ?? 'amazon.titan-embed-text-v2:0';
  if (model !== 'amazon.titan-embed-text-v2:0') {
    throw new ConfigError(
      `BEDROCK_EMBEDDING_MODEL: only amazon.titan-embed-text-v2:0 is supported (Titan Text Embeddings V2), not ${JSON.stringify(model)}`,
    );
  }
  const region = env.BEDROCK_REGION ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region)
    throw new ConfigError('BEDROCK_REGION or AWS_REGION: required when EMBEDDER=bedrock');
  const dimensions = Number(env.EMBEDDING_DIMENSIONS ?? 1024);
  if (dimensions !== 256 && dimensions !== 512 && dimensions !== 1024) {
    throw new ConfigError(
      `EMBEDDING_DIMENSIONS: must be 256, 512 or 1024, not ${JSON.stringify(env.EMBEDDING_DIMENSIONS)}`,
    );
  }
  return {
    kind,
    region,
    dimensions,
    ...(env.BEDROCK_ENDPOINT && { endpoint: checkUrl('BEDROCK_ENDPOINT', env.BEDROCK_ENDPOINT) }),
  };
}

/** Per-user data folder, following each platform's convention. */
export function defaultDataDir(env: Env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32')
    return join(env.LOCALAPPDATA || join(homedir(), 'AppData', 'Local'), 'chatbot-mcp');
  if (platform === 'darwin')
    return join(homedir(), 'Library', 'Application Support', 'chatbot-mcp');
  // The XDG spec: an empty or relative XDG_DATA_HOME is ignored (it would land in the cwd).
  const xdg = env.XDG_DATA_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.local', 'share'), 'chatbot-mcp');
}

function parseBoolean(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(1|true|yes)$/i.test(value)) return true;
  if (/^(0|false|no)$/i.test(value)) return false;
  throw new ConfigError(`${name}: must be true or false, not ${JSON.stringify(value)}`);
}

function parseLogLevel(value: string | undefined): LogLevel {
  const level = value ?? 'info';
  if (level === 'debug' || level === 'info' || level === 'warn' || level === 'error') return level;
  throw new ConfigError(
    `LOG_LEVEL: must be debug, info, warn or error, not ${JSON.stringify(value)}`,
  );
}

function checkUrl(name: string, value: string): string {
  try {
    new URL(value);
    return value;
  } catch {
    throw new ConfigError(
      `${name}: must be a URL such as http://127.0.0.1:8000, not ${JSON.stringify(value)}`,
    );
  }
}
