import { lstat } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { lockHolder } from '../adapters/local/data-dir-lock.js';
import { DataDirInUseError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime.js';
import { createMcpServer } from '../server.js';
import { sharedSocketPath, socketPathFits } from './shared-socket.js';
import { SocketTransport } from './socket-transport.js';

/** Where an attached server's MCP traffic goes: the holder's socket, or its own runtime. */
export interface Backend {
  transport: Transport;
  /** The pid serving the tools (this process after a takeover). */
  pid: number;
  /** One line for the log: what this server now serves from. */
  notice: string;
  close(): Promise<void>;
}

/**
 * Attaches to the process holding `dataDir` over its socket; when none answers and the folder
 * is free, opens it here instead (a takeover). While the folder is held by a process that does
 * not answer (one starting, one stopping), tries again until `waitMs` has passed.
 */
export async function openBackend(options: {
  dataDir: string;
  logger: Logger;
  openRuntime: () => Promise<Runtime>;
  waitMs: number;
  /** Stop waiting (the host has gone). */
  abandoned?: () => boolean;
}): Promise<Backend> {
  const { dataDir } = options;
  const path = sharedSocketPath(dataDir);
  if (process.platform === 'win32') {
    throw new DataDirInUseError(
      dataDir,
      lockHolder(dataDir, 'records') ?? 0,
      '',
      `data directory ${dataDir} is in use by another process, and on Windows a second server cannot attach to it; stop that process, or give this one its own folder with --data-dir or CHATBOT_DATA_DIR`,
    );
  }
  const deadline = Date.now() + options.waitMs;
  let holder: number | undefined;
  let refused = 'no socket';
  for (;;) {
    try {
      const socket = await connectSocket(path);
      const pid = lockHolder(dataDir, 'records') ?? 0;
      return {
        transport: new SocketTransport(socket),
        pid,
        notice: `attached to pid ${pid} at ${path} (it holds ${dataDir}; MCP requests are passed to it)`,
        close: () => Promise.resolve(void socket.destroy()),
      };
    } catch (error) {
      refused = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    }
    try {
      return await inProcess(await options.openRuntime(), options.logger, dataDir);
    } catch (error) {
      if (!(error instanceof DataDirInUseError)) throw error;
      holder = error.pid;
    }
    if (Date.now() >= deadline || options.abandoned?.()) {
      throw new DataDirInUseError(
        dataDir,
        holder ?? 0,
        '',
        `data directory ${dataDir} is in use by pid ${holder}, which does not share it over ${path} (${refused}; an older chatbot-mcp-server, or a platform without Unix sockets); stop that process, or give this one its own folder with --data-dir or CHATBOT_DATA_DIR`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function inProcess(runtime: Runtime, logger: Logger, dataDir: string): Promise<Backend> {
  const [client, server] = InMemoryTransport.createLinkedPair();
  const mcp = createMcpServer({ registry: runtime.registry, logger });
  await mcp.connect(server);
  return {
    transport: client,
    pid: process.pid,
    notice: `took over ${dataDir}: this server (pid ${process.pid}) now holds it and serves the tools itself`,
    close: async () => {
      await mcp.close();
      await runtime.close();
    },
  };
}

/** Connects only to a socket of this OS user: the requests carry the host's data. */
async function connectSocket(path: string): Promise<Socket> {
  if (!socketPathFits(path)) throw new Error('socket path too long');
  // BigInt stats: a numeric stat of a socket would leave its type in the stat buffer that
  // `realpathSync` reads, breaking later module loads (see removeSocketFile in shared-socket.ts).
  const owner = Number((await lstat(path, { bigint: true })).uid);
  if (process.getuid && owner !== process.getuid()) {
    throw new Error(`the socket belongs to another user (uid ${owner})`);
  }
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}
