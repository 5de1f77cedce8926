import {
  CHAT_TABLES,
  loadConfig,
  type ChatTableAlias,
  type ConfigOverrides,
  type KeyAttribute,
  type ServerConfig,
  type TableRegistry,
  type TableSpec,
} from 'chatbot-mcp-server/core';
import { GatewayConfigError } from '../errors.js';

export interface ChatTableSpecs {
  sessions: TableSpec;
  conversations: TableSpec;
  analytics: TableSpec;
}

const CHAT_ALIASES = Object.keys(CHAT_TABLES) as ChatTableAlias[];

/**
 * The MCP server's configuration as the gateway uses it: a tables file (`--config`) lists the
 * business tables it wants, and the chat's own tables (sessions, conversations, analytics) it
 * leaves out are added with their defaults (names from SESSIONS_TABLE, ... or chatbot-sessions,
 * ...). A tables file may still define them, e.g. to rename them, but with the chat's keys.
 */
export function loadChatConfig(
  env: Record<string, string | undefined>,
  overrides: ConfigOverrides = {},
): ServerConfig {
  const config = loadConfig(env, overrides);
  if (!(overrides.configFile ?? env.CHATBOT_CONFIG)) return config;
  const present = new Set(config.tables.map((t) => t.alias));
  if (CHAT_ALIASES.every((alias) => present.has(alias))) return config;
  const defaults = loadConfig(
    { ...env, CHATBOT_CONFIG: undefined },
    { ...overrides, configFile: undefined },
  ).tables;
  return {
    ...config,
    tables: [
      ...config.tables,
      ...defaults.filter(
        (t) => CHAT_ALIASES.includes(t.alias as ChatTableAlias) && !present.has(t.alias),
      ),
    ],
  };
}

function describeKey(key: { partitionKey: KeyAttribute; sortKey?: KeyAttribute }): string {
  const name = (k: KeyAttribute): string => `${k.name} (${k.type === 'N' ? 'number' : 'string'})`;
  return key.sortKey ? `${name(key.partitionKey)} + ${name(key.sortKey)}` : name(key.partitionKey);
}

/** The chat's tables from the configured tables; one defined with other keys is refused at start. */
export function chatTableSpecs(tables: TableRegistry): ChatTableSpecs {
  const missing = CHAT_ALIASES.filter((a) => !tables.aliases().includes(a));
  if (missing.length > 0) {
    throw new GatewayConfigError(
      `the chat needs the tables ${missing.join(', ')}, which the configuration leaves out. Leave --config out for the defaults`,
    );
  }
  for (const alias of CHAT_ALIASES) {
    const spec = tables.resolve(alias);
    const wanted = CHAT_TABLES[alias];
    if (describeKey(spec) !== describeKey(wanted)) {
      throw new GatewayConfigError(
        `--config / CHATBOT_CONFIG: the chat's table ${alias} must be keyed by ${describeKey(wanted)}, not ${describeKey(spec)}. Fix tables.${alias} in the tables file, or remove it: the gateway then adds it with those keys (see examples/tables.example.yaml)`,
      );
    }
  }
  return {
    sessions: tables.resolve('sessions'),
    conversations: tables.resolve('conversations'),
    analytics: tables.resolve('analytics'),
  };
}
