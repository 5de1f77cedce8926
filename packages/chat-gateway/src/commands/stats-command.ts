import { UsageError } from 'chatbot-mcp-server/cli-errors';
import { createLogger } from 'chatbot-mcp-server/core';
import { chatTableSpecs } from '../app/chat-tables.js';
import { openChatStore } from '../app/open-chat-store.js';
import { RecordSessionStore } from '../adapters/records/record-session-store.js';
import { loadGatewayConfig, type GatewayOverrides } from '../config.js';
import { runStats } from './stats.js';

/** `chatbot-gateway stats [--date YYYY-MM-DD]`: opens the chat's tables and prints a day's summary. */
export async function runStatsCommand(options: {
  overrides: GatewayOverrides;
  date?: string;
}): Promise<number> {
  const date = options.date ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) {
    throw new UsageError(
      `--date: must be a day as YYYY-MM-DD, not ${JSON.stringify(date)}. For example --date 2026-01-31`,
    );
  }
  const config = loadGatewayConfig(process.env, options.overrides);
  const logger = createLogger('warn');
  const chat = await openChatStore({
    env: process.env,
    dataDir: config.dataDir,
    logger,
    shared: config.mcp.kind === 'in-process',
    ...(config.configFile && { configFile: config.configFile }),
  });
  try {
    const store = new RecordSessionStore({
      store: chat.store,
      tables: chatTableSpecs(chat.tables),
    });
    await runStats({ store, date, write: (text: string) => process.stdout.write(text) });
    return 0;
  } finally {
    await chat.close();
  }
}
