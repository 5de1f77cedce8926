/**
 * Checks an AWS Signature Version 4 `Authorization` header the way an AWS endpoint does, for the
 * fake servers' recorded requests: rebuild the canonical request from what arrived on the wire,
 * derive the signing key from the secret, and compare signatures.
 */
import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface SignedRequest {
  method: string;
  /** The path as it arrived, percent-encoding intact. */
  path: string;
  /** Decoded query parameters. */
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface SigV4Check {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  /** Whether the signature matches the request and the secret. */
  valid: boolean;
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

export function checkSigV4(
  request: SignedRequest,
  secretAccessKey: string,
): SigV4Check | undefined {
  const match = AUTH.exec(String(request.headers.authorization ?? ''));
  if (!match) return undefined;
  const [, accessKeyId, date, region, service, signed, signature] = match as unknown as string[];
  const signedHeaders = (signed as string).split(';');
  const canonicalHeaders = signedHeaders
    .map(
      (name) =>
        `${name}:${String(request.headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const payloadHash =
    (request.headers['x-amz-content-sha256'] as string | undefined) ?? sha256(request.body);
  const canonicalRequest = [
    request.method,
    canonicalPath(request.path),
    canonicalQuery(request.query),
    canonicalHeaders,
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    String(request.headers['x-amz-date']),
    scope,
    sha256(canonicalRequest),
  ].join('\n');
  let key: Buffer = hmac(`AWS4${secretAccessKey}`, date as string);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part as string);
  const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
  return {
    accessKeyId: accessKeyId as string,
    date: date as string,
    region: region as string,
    service: service as string,
    signedHeaders,
    valid: expected === signature,
  };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** Every service but S3 encodes each already-encoded path segment once more. */
function canonicalPath(path: string): string {
  return path.split('/').map(encodeRfc3986).join('/') || '/';
}

function canonicalQuery(query: Record<string, string>): string {
  return Object.keys(query)
    .map((key) => [encodeRfc3986(key), encodeRfc3986(query[key] as string)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
