import { resolve } from 'node:path';
import { defaultDataDir } from 'chatbot-mcp-server/core';
import {
  bool,
  int,
  LAMBDA_ENDPOINT_EXAMPLE,
  list,
  logLevel,
  num,
  origins,
  url,
} from './env-parsers.js';
import { GatewayConfigError } from './errors.js';

type Env = Record<string, string | undefined>;

export type ModelConfig =
  | { provider: 'offline' }
  | { provider: 'bedrock'; modelId: string; region: string; endpoint?: string }
  | { provider: 'openai'; baseURL: string; model: string; apiKey?: string };

export type McpConnectionConfig =
  | { kind: 'in-process' }
  | { kind: 'stdio'; command: string; args: string[] }
  | { kind: 'http'; url: string; token?: string }
  | { kind: 'lambda'; functionName: string; region?: string; endpoint?: string };

/** Everything the gateway core needs; the local server's own settings are in `LocalServerConfig`. */
export interface GatewayConfig {
  dataDir: string;
  /** Tables file passed to the MCP server (and read for the chat's table aliases). */
  configFile?: string;
  model: ModelConfig;
  mcp: McpConnectionConfig;
  sessionTimeoutMinutes: number;
  retentionDays: number;
  /** Passages scoring below this are not used for an answer (0-1). */
  ragMinScore: number;
  ragLimit: number;
  toolTimeoutMs: number;
  /** How long a destructive tool call waits for the user's approval. */
  approvalTimeoutMs: number;
  /** Input budget for conversation history, in tokens (estimated). */
  historyTokenBudget: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** The page's name (CHAT_TITLE): document title and header, sent in the `session` frame. */
  title: string;
  /**
   * CHAT_UPLOAD_GROUPS: only members of these groups (the identity's groups claim) upload, delete
   * documents or run tools that change them. None: whoever may connect.
   */
  uploadGroups?: string[];
  /** CHAT_DESTRUCTIVE_TOOL_GROUPS: only members run tools that ask for approval. None: anyone. */
  destructiveToolGroups?: string[];
  /** How long an answer keeps generating after its client went away (then it stops as a cancel does). */
  detachedTurnMs: number;
  /** How far back a `resume` replays the frames a client missed. */
  resumeWindowMs: number;
}

export interface LocalServerConfig {
  host: string;
  port: number;
  allowedOrigins: string[];
  authToken?: string;
  /** Serve a non-loopback address without CHAT_AUTH_TOKEN (--no-auth / CHAT_ALLOW_NO_AUTH). */
  allowNoAuth: boolean;
  maxConnections: number;
  maxConnectionsPerIp: number;
  /** HTTP sockets (page, /healthz, handshakes, silent ones) from one address, WebSockets apart. */
  maxHttpConnectionsPerIp: number;
  /** Complete request headers must arrive within this long, also on a fresh connection. */
  headersTimeoutMs: number;
  /** Frames per second allowed per connection (token bucket; burst = 2x). */
  framesPerSecond: number;
  /** Bytes buffered for one slow reader before it is closed. */
  maxBufferedBytes: number;
  heartbeatMs: number;
  shutdownGraceMs: number;
  /** How often the inactive-session cleanup runs; default half the session timeout, at most 60 s. */
  cleanupIntervalMs?: number;
  /** Who may upload documents from the page (CHAT_UPLOAD): whoever may connect, or nobody. */
  upload?: 'anyone' | 'off';
  /** Largest file accepted by POST /upload (CHAT_UPLOAD_MAX_BYTES); default 10 MB. */
  uploadMaxBytes?: number;
  /** Sign-in with an OpenID Connect provider (CHAT_OIDC_ISSUER); none: anonymous. */
  oidc?: OidcConfig;
}

/** CHAT_OIDC_*: when set, nothing but the static page passes without a signed-in identity. */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  /** None: a public client (PKCE alone). */
  clientSecret?: string;
  /** The `aud` a bearer access token must carry; default the client id. */
  audience: string;
  groupsClaim: string;
  /** The gateway's external URL (for the redirect URI); none: the served URL. */
  publicUrl?: string;
}

export interface GatewayOverrides {
  dataDir?: string;
  configFile?: string;
  host?: string;
  port?: string;
  /** --no-auth: serve a non-loopback address without a token. */
  noAuth?: boolean;
}

/** Shown to users of the offline engine; says what is missing and how to add it. */
export const OFFLINE_NOTICE =
  'No language model is configured: answers quote the documents directly, and tools run with /tools and /call. ' +
  'To chat with a model, set MODEL_PROVIDER=bedrock (Amazon Bedrock; BEDROCK_CLAUDE_MODEL, AWS_REGION) or ' +
  'MODEL_PROVIDER=openai with OPENAI_BASE_URL and OPENAI_MODEL (OpenAI, Ollama, LM Studio, vLLM, llama.cpp), and restart.';

/**
 * `RAG_MIN_SCORE` when unset: the lowest search score a passage needs to be used for an answer.
 * Hybrid scores are rank fusion (a passage first in the word ranking alone scores 0.625, fifth
 * about 0.21), so they say where a passage ranks, not whether it answers: 0.2 lets the five best
 * through and the offline engine's coverage rule decides "not found". On the docs QA train split
 * (`pnpm eval:docs`) 0.45 refused 14.3 % of on-topic questions, 0.2 refused 2.4 %, with the
 * same 91.7 % of off-topic questions refused.
 */
export const DEFAULT_RAG_MIN_SCORE = 0.2;

export const DEFAULT_BEDROCK_CLAUDE_MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

/** The only place the gateway reads the environment. Fails fast, naming the variable. */
export function loadGatewayConfig(
  env: Env = process.env,
  overrides: GatewayOverrides = {},
): GatewayConfig {
  const configFile = overrides.configFile ?? env.CHATBOT_CONFIG;
  return {
    dataDir: resolve(overrides.dataDir ?? env.CHATBOT_DATA_DIR ?? defaultDataDir(env)),
    ...(configFile && { configFile: resolve(configFile) }),
    model: loadModel(env),
    mcp: loadMcp(env),
    sessionTimeoutMinutes: int(env, 'SESSION_TIMEOUT_MINUTES', 30, 1, 7 * 24 * 60),
    retentionDays: int(env, 'CHAT_RETENTION_DAYS', 30, 1, 3650),
    ragMinScore: num(env, 'RAG_MIN_SCORE', DEFAULT_RAG_MIN_SCORE, 0, 1),
    ragLimit: int(env, 'RAG_PASSAGES', 5, 1, 20),
    toolTimeoutMs: int(env, 'TOOL_TIMEOUT_MS', 30_000, 100, 900_000),
    approvalTimeoutMs: int(env, 'APPROVAL_TIMEOUT_MS', 300_000, 1_000, 3_600_000),
    historyTokenBudget: int(env, 'HISTORY_TOKEN_BUDGET', 4_000, 0, 200_000),
    logLevel: logLevel(env.LOG_LEVEL),
    title: title(env.CHAT_TITLE),
    ...groups(env, 'CHAT_UPLOAD_GROUPS', 'uploadGroups'),
    ...groups(env, 'CHAT_DESTRUCTIVE_TOOL_GROUPS', 'destructiveToolGroups'),
    detachedTurnMs: int(env, 'CHAT_DETACHED_TURN_SECONDS', 120, 0, 3_600) * 1000,
    resumeWindowMs: int(env, 'CHAT_RESUME_WINDOW_SECONDS', 600, 0, 86_400) * 1000,
  };
}

/** A comma-separated list of group names; unset or empty: no limit (the field left out). */
/** A comma-separated list of group names (CHAT_UPLOAD_GROUPS, CHAT_DESTRUCTIVE_TOOL_GROUPS). */
export function groups<K extends string>(
  env: Env,
  variable: string,
  key: K,
): Partial<Record<K, string[]>> {
  const names = list(env[variable]);
  if (names.some((n) => n.length > 256 || /\p{Cc}/u.test(n)))
    throw new GatewayConfigError(
      `${variable}: give group names as in the groups claim, separated by commas (e.g. staff,admins)`,
    );
  return names.length > 0 ? ({ [key]: names } as Partial<Record<K, string[]>>) : {};
}

export function loadLocalServerConfig(
  env: Env = process.env,
  overrides: GatewayOverrides = {},
): LocalServerConfig {
  const host = overrides.host ?? env.CHAT_HOST ?? '127.0.0.1';
  const port = int(
    { p: overrides.port ?? env.CHAT_PORT },
    'p',
    8080,
    0,
    65535,
    '--port / CHAT_PORT',
  );
  const allowNoAuth = overrides.noAuth === true || bool(env, 'CHAT_ALLOW_NO_AUTH', false);
  const oidc = loadOidc(env);
  if (oidc && env.CHAT_AUTH_TOKEN)
    throw new GatewayConfigError(
      'CHAT_AUTH_TOKEN: not used together with CHAT_OIDC_ISSUER (sign-in already admits only signed-in users and programs with a bearer token from the provider); unset one of them',
    );
  if (!env.CHAT_AUTH_TOKEN && !oidc && !allowNoAuth && !isLoopbackAddress(host)) {
    throw new GatewayConfigError(
      `CHAT_AUTH_TOKEN: required to serve on ${host}, which is not a loopback address: anyone who can reach it could chat and run the tools. Set CHAT_AUTH_TOKEN to a long random secret (the page asks for it), bind 127.0.0.1, or, only if something in front of the gateway authenticates every request, pass --no-auth (CHAT_ALLOW_NO_AUTH=true)`,
    );
  }
  return {
    host,
    port,
    allowNoAuth,
    allowedOrigins: origins(env.CHAT_ALLOWED_ORIGINS, 'CHAT_ALLOWED_ORIGINS'),
    ...(env.CHAT_AUTH_TOKEN && { authToken: env.CHAT_AUTH_TOKEN }),
    maxConnections: int(env, 'CHAT_MAX_CONNECTIONS', 10_000, 1, 1_000_000),
    maxConnectionsPerIp: int(env, 'CHAT_MAX_CONNECTIONS_PER_IP', 256, 1, 1_000_000),
    maxHttpConnectionsPerIp: int(env, 'CHAT_MAX_HTTP_CONNECTIONS_PER_IP', 256, 1, 1_000_000),
    headersTimeoutMs: int(env, 'CHAT_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
    framesPerSecond: num(env, 'CHAT_FRAMES_PER_SECOND', 5, 0.1, 10_000),
    maxBufferedBytes: int(
      env,
      'CHAT_MAX_BUFFERED_BYTES',
      4 * 1024 * 1024,
      64 * 1024,
      1024 * 1024 * 1024,
    ),
    heartbeatMs: int(env, 'CHAT_HEARTBEAT_MS', 30_000, 100, 600_000),
    shutdownGraceMs: int(env, 'CHAT_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    upload: uploadMode(env.CHAT_UPLOAD),
    uploadMaxBytes: int(
      env,
      'CHAT_UPLOAD_MAX_BYTES',
      DEFAULT_UPLOAD_MAX_BYTES,
      1,
      100 * 1024 * 1024,
    ),
    ...(env.SESSION_CLEANUP_INTERVAL_SECONDS && {
      cleanupIntervalMs: int(env, 'SESSION_CLEANUP_INTERVAL_SECONDS', 60, 1, 3_600) * 1000,
    }),
    ...(oidc && { oidc }),
  };
}

function loadOidc(env: Env): OidcConfig | undefined {
  const issuer = env.CHAT_OIDC_ISSUER;
  if (!issuer) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(issuer);
  } catch {
    throw new GatewayConfigError(
      `CHAT_OIDC_ISSUER: must be the provider's issuer URL such as https://login.example.com/realms/chat, not ${JSON.stringify(issuer)}`,
    );
  }
  if (
    parsed.protocol !== 'https:' &&
    !(parsed.protocol === 'http:' && isLoopbackAddress(parsed.hostname))
  )
    throw new GatewayConfigError(
      `CHAT_OIDC_ISSUER: must be an https:// URL (http:// only on a loopback address), not ${JSON.stringify(issuer)}`,
    );
  const clientId = env.CHAT_OIDC_CLIENT_ID;
  if (!clientId)
    throw new GatewayConfigError(
      'CHAT_OIDC_CLIENT_ID: required with CHAT_OIDC_ISSUER; register the gateway as a client at the provider (redirect URI <public URL>/auth/callback) and set its client id',
    );
  const publicUrl = env.CHAT_PUBLIC_URL ? url('CHAT_PUBLIC_URL', env.CHAT_PUBLIC_URL) : undefined;
  if (publicUrl && !/^https?:$/.test(new URL(publicUrl).protocol))
    throw new GatewayConfigError(`CHAT_PUBLIC_URL: must be an http(s) URL, not ${publicUrl}`);
  return {
    issuer,
    clientId,
    ...(env.CHAT_OIDC_CLIENT_SECRET && { clientSecret: env.CHAT_OIDC_CLIENT_SECRET }),
    audience: env.CHAT_OIDC_AUDIENCE || clientId,
    groupsClaim: env.CHAT_OIDC_GROUPS_CLAIM || 'groups',
    ...(publicUrl && { publicUrl: publicUrl.replace(/\/+$/, '') }),
  };
}

/** CHAT_UPLOAD_MAX_BYTES when unset: 10 MB. */
export const DEFAULT_UPLOAD_MAX_BYTES = 10 * 1024 * 1024;

/** CHAT_UPLOAD: who may upload from the page (whoever may connect, or nobody). */
export function uploadMode(value: string | undefined): 'anyone' | 'off' {
  if (value === undefined || value === '' || value === 'anyone') return 'anyone';
  if (value === 'off') return 'off';
  throw new GatewayConfigError(
    `CHAT_UPLOAD: must be "anyone" (whoever may connect may upload; the default) or "off", not ${JSON.stringify(value.slice(0, 40))}`,
  );
}

function loadModel(env: Env): ModelConfig {
  const provider = env.MODEL_PROVIDER ?? (env.OPENAI_BASE_URL ? 'openai' : 'offline');
  if (provider === 'offline') return { provider };
  if (provider === 'bedrock') {
    const region = env.BEDROCK_REGION ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region)
      throw new GatewayConfigError(
        'BEDROCK_REGION or AWS_REGION: required when MODEL_PROVIDER=bedrock (e.g. us-east-1)',
      );
    return {
      provider,
      modelId: env.BEDROCK_CLAUDE_MODEL ?? DEFAULT_BEDROCK_CLAUDE_MODEL,
      region,
      ...(env.BEDROCK_ENDPOINT && { endpoint: url('BEDROCK_ENDPOINT', env.BEDROCK_ENDPOINT) }),
    };
  }
  if (provider === 'openai') {
    if (!env.OPENAI_MODEL)
      throw new GatewayConfigError(
        'OPENAI_MODEL: required when MODEL_PROVIDER=openai (e.g. llama3.1 for Ollama, gpt-4o-mini for OpenAI)',
      );
    return {
      provider,
      baseURL: url('OPENAI_BASE_URL', env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1'),
      model: env.OPENAI_MODEL,
      ...(env.OPENAI_API_KEY && { apiKey: env.OPENAI_API_KEY }),
    };
  }
  throw new GatewayConfigError(
    `MODEL_PROVIDER: must be offline, bedrock or openai, not ${JSON.stringify(provider)}`,
  );
}

function loadMcp(env: Env): McpConnectionConfig {
  const kind = env.MCP_TRANSPORT ?? 'in-process';
  if (kind === 'in-process') return { kind };
  if (kind === 'stdio') {
    const command = env.MCP_SERVER_COMMAND ?? process.execPath;
    const args = env.MCP_SERVER_ARGS !== undefined ? list(env.MCP_SERVER_ARGS, ' ') : [];
    if (args.length === 0 && env.MCP_SERVER_COMMAND === undefined) {
      throw new GatewayConfigError(
        'MCP_SERVER_ARGS: required with MCP_TRANSPORT=stdio, e.g. "/path/to/chatbot-mcp-server/dist/cli.js" (or set MCP_SERVER_COMMAND=chatbot-mcp-server)',
      );
    }
    return { kind, command, args };
  }
  if (kind === 'http') {
    if (!env.MCP_SERVER_URL)
      throw new GatewayConfigError(
        'MCP_SERVER_URL: required with MCP_TRANSPORT=http, e.g. http://127.0.0.1:3000/mcp',
      );
    return {
      kind,
      url: url('MCP_SERVER_URL', env.MCP_SERVER_URL),
      ...(env.MCP_AUTH_TOKEN && { token: env.MCP_AUTH_TOKEN }),
    };
  }
  if (kind === 'lambda') {
    if (!env.MCP_SERVER_FUNCTION_NAME)
      throw new GatewayConfigError(
        'MCP_SERVER_FUNCTION_NAME: required with MCP_TRANSPORT=lambda (the MCP server function name or ARN)',
      );
    const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    return {
      kind,
      functionName: env.MCP_SERVER_FUNCTION_NAME,
      ...(region && { region }),
      ...(env.LAMBDA_ENDPOINT && {
        endpoint: url('LAMBDA_ENDPOINT', env.LAMBDA_ENDPOINT, LAMBDA_ENDPOINT_EXAMPLE),
      }),
    };
  }
  throw new GatewayConfigError(
    `MCP_TRANSPORT: must be in-process, stdio, http or lambda, not ${JSON.stringify(kind)}`,
  );
}

/**
 * A variable renamed in this release: the new name wins; the old one still works, with a
 * warning for the log, and is dropped in the next release.
 */
export function renamedVariable(
  env: Env,
  name: string,
  oldName: string,
): { value: string | undefined; name: string; warning?: string } {
  if (env[name] !== undefined || env[oldName] === undefined) return { value: env[name], name };
  return {
    value: env[oldName],
    name: oldName,
    warning: `${oldName} is renamed ${name} (one name on the local server and on AWS); the old name works in this release only, rename it`,
  };
}

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export function isLoopbackAddress(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function title(value: string | undefined): string {
  if (value === undefined || value.trim() === '') return 'Chat';
  const trimmed = value.trim();
  // Shown as text only; control characters and bidi overrides would garble the header.
  if (trimmed.length > 80 || /[\p{Cc}\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/u.test(trimmed))
    throw new GatewayConfigError(
      `CHAT_TITLE: must be at most 80 characters without control or bidi characters, not ${JSON.stringify(value)}`,
    );
  return trimmed;
}
