/**
 * A LOCAL STAND-IN FOR AMAZON S3 on 127.0.0.1, speaking the parts of its wire protocol the
 * upload path uses, path-style (`/{bucket}/{key}`):
 * - browser-based POST upload (`POST /{bucket}` multipart/form-data): the `Policy` field is
 *   decoded and enforced as S3 does (expiration; `eq` conditions on the key, Content-Type and
 *   metadata; `content-length-range`); a form that breaks it is 403 `AccessDenied` or 400
 *   `EntityTooLarge`/`EntityTooSmall`; success is 204, and then `onCreated` gets the
 *   ObjectCreated event S3 would send (the function trigger of the CDK app);
 * - GetObject (`GET /{bucket}/{key}`) with `x-amz-meta-*` headers; DeleteObject.
 * CORS answers for `allowedOrigin` only, as the bucket's CORS rule does. Signatures are not
 * checked (the presign test checks the form's fields).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { S3Event } from 'aws-lambda';

export interface StoredObject {
  body: Buffer;
  contentType: string;
  metadata: Record<string, string>;
}

export interface FakeS3Server {
  endpoint: string;
  bucket: string;
  objects: Map<string, StoredObject>;
  /** Every form POST with its status, in order. */
  posts: { key: string; status: number; error?: string }[];
  /** Called after a successful POST, as an S3 event notification would invoke a function. */
  onCreated?: (event: S3Event) => Promise<unknown>;
  /** Resolves when every onCreated call so far has finished. */
  settled(): Promise<void>;
  allowedOrigin?: string;
  close(): Promise<void>;
}

type Condition = Record<string, string> | [string, string, string | number];

export async function startFakeS3Server(bucket = 'chatbot-uploads'): Promise<FakeS3Server> {
  const running = new Set<Promise<unknown>>();
  const state: FakeS3Server = {
    endpoint: '',
    bucket,
    objects: new Map(),
    posts: [],
    settled: async () => {
      while (running.size > 0) await Promise.all([...running]);
    },
    close: () => Promise.resolve(),
  };
  const server = createServer((req, res) => void serve(req, res).catch(() => res.destroy()));

  function cors(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (origin && origin === state.allowedOrigin) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
    }
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://s3');
    const [, b, ...rest] = url.pathname.split('/');
    const key = rest.map((part) => decodeURIComponent(part)).join('/');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    cors(req, res);
    if (req.method === 'OPTIONS') {
      res.setHeader('access-control-allow-methods', 'POST');
      res.writeHead(state.allowedOrigin === req.headers.origin ? 200 : 403).end();
      return;
    }
    if (b !== bucket) return error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist');
    if (req.method === 'POST' && key === '') return post(req, res, Buffer.concat(chunks));
    const object = state.objects.get(key);
    if (req.method === 'GET') {
      if (!object) return error(res, 404, 'NoSuchKey', 'The specified key does not exist.');
      res.writeHead(200, {
        'content-type': object.contentType,
        'content-length': object.body.length,
        ...Object.fromEntries(
          Object.entries(object.metadata).map(([k, v]) => [`x-amz-meta-${k}`, v]),
        ),
      });
      res.end(object.body);
      return;
    }
    if (req.method === 'DELETE') {
      state.objects.delete(key);
      res.writeHead(204).end();
      return;
    }
    return error(res, 405, 'MethodNotAllowed', 'The specified method is not allowed');
  }

  async function post(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    const form = await new Request('http://s3/', {
      method: 'POST',
      headers: { 'content-type': req.headers['content-type'] ?? '' },
      body: raw,
    }).formData();
    const field = (name: string): string | undefined => {
      for (const [k, v] of form.entries())
        if (k.toLowerCase() === name.toLowerCase() && typeof v === 'string') return v;
      return undefined;
    };
    const file = form.get('file');
    const key = field('key') ?? '';
    const deny = (status: number, code: string, message: string): void => {
      state.posts.push({ key, status, error: code });
      error(res, status, code, message);
    };
    if (!(file instanceof Blob))
      return deny(400, 'InvalidArgument', 'POST requires exactly one file upload per request.');
    const policyText = field('policy');
    if (!policyText)
      return deny(403, 'AccessDenied', 'Bucket POST must contain a field named policy.');
    const policy = JSON.parse(Buffer.from(policyText, 'base64').toString('utf8')) as {
      expiration: string;
      conditions: Condition[];
    };
    if (Date.parse(policy.expiration) < Date.now())
      return deny(403, 'AccessDenied', 'Invalid according to Policy: Policy expired.');
    const size = file.size;
    const values: Record<string, string | undefined> = {};
    for (const [k, v] of form.entries()) if (typeof v === 'string') values[k.toLowerCase()] = v;
    values['bucket'] = bucket;
    for (const condition of policy.conditions) {
      if (Array.isArray(condition)) {
        const [op, a, b2] = condition;
        if (op === 'content-length-range') {
          if (size < Number(a))
            return deny(
              400,
              'EntityTooSmall',
              'Your proposed upload is smaller than the minimum allowed size',
            );
          if (size > Number(b2))
            return deny(
              400,
              'EntityTooLarge',
              'Your proposed upload exceeds the maximum allowed size',
            );
          continue;
        }
        const name = String(a).replace(/^\$/, '').toLowerCase();
        const ok =
          op === 'eq'
            ? values[name] === b2
            : op === 'starts-with'
              ? (values[name] ?? '').startsWith(String(b2))
              : false;
        if (!ok)
          return deny(
            403,
            'AccessDenied',
            `Invalid according to Policy: Policy Condition failed: ${JSON.stringify(condition)}`,
          );
      } else {
        for (const [k, v] of Object.entries(condition))
          if (values[k.toLowerCase()] !== v)
            return deny(
              403,
              'AccessDenied',
              `Invalid according to Policy: Policy Condition failed: ${JSON.stringify(condition)}`,
            );
      }
    }
    // Every field but these must be named in the policy, as S3 requires.
    const free = new Set(['policy', 'x-amz-signature', 'file', 'bucket']);
    const named = new Set(
      policy.conditions.flatMap((c) =>
        Array.isArray(c)
          ? [String(c[1]).replace(/^\$/, '').toLowerCase()]
          : Object.keys(c).map((k) => k.toLowerCase()),
      ),
    );
    for (const k of Object.keys(values))
      if (!free.has(k) && !named.has(k))
        return deny(403, 'AccessDenied', `Invalid according to Policy: Extra input fields: ${k}`);
    const metadata = Object.fromEntries(
      Object.entries(values)
        .filter(([k]) => k.startsWith('x-amz-meta-'))
        .map(([k, v]) => [k.slice('x-amz-meta-'.length), v ?? '']),
    );
    state.objects.set(key, {
      body: Buffer.from(await file.arrayBuffer()),
      contentType: values['content-type'] ?? 'binary/octet-stream',
      metadata,
    });
    state.posts.push({ key, status: 204 });
    res.writeHead(204).end();
    const notify = state.onCreated?.(objectCreated(bucket, key, size));
    if (notify) {
      const run = notify.catch(() => undefined);
      running.add(run);
      void run.finally(() => running.delete(run));
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/** The event S3 sends a function for ObjectCreated:Post (keys URL-encoded, + for spaces). */
export function objectCreated(bucket: string, key: string, size: number): S3Event {
  const encoded = encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Post',
        s3: { bucket: { name: bucket }, object: { key: encoded, size } },
      },
    ],
  } as unknown as S3Event;
}

function error(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  );
}
