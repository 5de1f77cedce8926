import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { errorFields, type Logger } from '../logger.js';
import type { ToolRegistry } from '../tool-registry.js';

/**
 * Where the process holding a data directory serves MCP to other servers on the same folder:
 * a Unix socket inside a folder only its owner may enter.
 */
export function sharedSocketPath(dataDir: string): string {
  return join(dataDir, 'mcp-socket', 'mcp.sock');
}

/**
 * Unix socket paths are short (108 bytes on Linux, 104 on macOS, with the final NUL) and Node
 * cuts a longer one silently, which would put the socket somewhere else: such a folder is not
 * shared.
 */
export function socketPathFits(path: string): boolean {
  return Buffer.byteLength(path) <= 103;
}

export interface SharedSocket {
  path: string;
  close(): Promise<void>;
}

/**
 * Serves MCP over `<dataDir>/mcp-socket/mcp.sock` (one MCP session per connection, over the
 * same tool registry), so a stdio server started on the same folder can attach instead of
 * being refused. Called only by the process that holds the data directory's lock: a socket
 * file already there was left by a process that is gone, and is replaced. Windows (named
 * pipes) is not supported: undefined there, and a second server is refused as before.
 */
export async function shareOverSocket(
  registry: ToolRegistry,
  dataDir: string,
  logger: Logger,
): Promise<SharedSocket | undefined> {
  if (process.platform === 'win32') return undefined;
  const path = sharedSocketPath(dataDir);
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serveConnection(socket, registry, logger).catch((error: unknown) => {
      logger.warn('shared socket: connection failed', errorFields(error));
      socket.destroy();
    });
  });
  try {
    if (!socketPathFits(path)) throw new Error('the path is too long for a Unix socket');
    await privateFolder(dirname(path));
    await removeSocketFile(path);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
    // The folder already keeps other users out; the mode is a second lock on the same door.
    await chmod(path, 0o600);
  } catch (error) {
    server.close();
    logger.warn(
      `cannot share ${dataDir} over a Unix socket at ${path}; another chatbot-mcp-server on this folder will be refused instead of attaching`,
      errorFields(error),
    );
    return undefined;
  }
  logger.info('sharing the data directory with other servers', { socket: path });
  return {
    path,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      await removeSocketFile(path);
    },
  };
}

/**
 * Removes a socket file, if there is one, without stat-ing it. `rm` would lstat it first, and a
 * numeric stat of a socket leaves its file type in Node's process-wide stat buffer, which
 * `realpathSync` reads (nodejs/node#51142): the next module load then resolves a pnpm symlink
 * to itself and fails to find the package's own dependencies (seen on Node 20 when a server
 * that replaced a killed holder's socket opened its record store in its own thread).
 */
async function removeSocketFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** One MCP session per connection. The MCP SDK loads with the first one: a gateway need not. */
async function serveConnection(
  socket: Socket,
  registry: ToolRegistry,
  logger: Logger,
): Promise<void> {
  const [{ createMcpServer }, { SocketTransport }] = await Promise.all([
    import('../server.js'),
    import('./socket-transport.js'),
  ]);
  const transport = new SocketTransport(socket);
  const mcp = createMcpServer({ registry, logger });
  mcp.onerror = (error) =>
    logger.warn('shared socket: unreadable input', { message: error.message.slice(0, 200) });
  transport.onclose = () => void mcp.close().catch(() => undefined);
  await mcp.connect(transport);
}

/** The socket's folder: created 0700, and refused if it is a link or another user's. */
async function privateFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stat = await lstat(dir);
  if (!stat.isDirectory()) throw new Error(`${dir} is not a folder`);
  if (process.getuid && stat.uid !== process.getuid()) {
    throw new Error(`${dir} belongs to another user (uid ${stat.uid})`);
  }
  if ((stat.mode & 0o777) !== 0o700) await chmod(dir, 0o700);
}
