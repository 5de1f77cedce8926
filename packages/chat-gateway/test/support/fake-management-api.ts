/**
 * A LOCAL STAND-IN FOR API GATEWAY'S MANAGEMENT API (`POST /{stage}/@connections/{id}`) that
 * records the frames posted to each connection, for handlers tested without sockets; an id in
 * `gone` answers 410 GoneException as a closed connection does.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeManagementApi {
  endpoint: string;
  /** Posted frames (parsed JSON) by connection id. */
  frames: Map<string, Record<string, unknown>[]>;
  gone: Set<string>;
  close(): Promise<void>;
}

export async function startFakeManagementApi(stage = 'prod'): Promise<FakeManagementApi> {
  const api: FakeManagementApi = {
    endpoint: '',
    frames: new Map(),
    gone: new Set(),
    close: () => Promise.resolve(),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const match = new RegExp(`^/${stage}/@connections/([^/]+)$`).exec(req.url ?? '');
      const id = decodeURIComponent(match?.[1] ?? '');
      if (!match || req.method !== 'POST') return void res.writeHead(404).end();
      if (api.gone.has(id))
        return void res
          .writeHead(410, { 'x-amzn-errortype': 'GoneException' })
          .end(JSON.stringify({ message: null }));
      const list = api.frames.get(id) ?? [];
      list.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      api.frames.set(id, list);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${stage}`;
  api.close = () => new Promise((resolve) => server.close(() => resolve()));
  return api;
}
