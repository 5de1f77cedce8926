import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { S3UploadBucket } from '../../../src/adapters/aws/s3-upload-bucket.js';
import { uploadTypeOf } from '../../../src/uploads/ingest-upload.js';
import { parseUploadKey, uploadKey } from '../../../src/uploads/upload-keys.js';
import { uploaderFromMeta, uploaderMeta } from '../../../src/uploads/uploader-meta.js';

const s3 = new S3Client({
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
});
const bucket = new S3UploadBucket({ bucket: 'chatbot-uploads', region: 'us-east-1', client: s3 });
afterAll(() => s3.destroy());

type Condition = Record<string, string> | [string, string | number, string | number];

async function presign(name: string, expiresInSeconds = 300) {
  const before = Date.now();
  const type = uploadTypeOf(name);
  if (!type) throw new Error(`${name} has no accepted type`);
  const form = await bucket.presign({
    key: uploadKey('Up1oad-Id_0123456789', name),
    contentType: type,
    connectionId: 'conn-A1=',
    uploader: uploaderMeta({ issuer: 'https://idp.example', subject: 'alice', groups: ['staff'] }),
    maxBytes: 10 * 1024 * 1024,
    expiresInSeconds,
  });
  const policy = JSON.parse(Buffer.from(form.fields['Policy']!, 'base64').toString('utf8')) as {
    expiration: string;
    conditions: Condition[];
  };
  return { form, policy, before };
}

describe('S3UploadBucket.presign: a presigned POST for exactly one upload', () => {
  it('limits the size to 1..CHAT_UPLOAD_MAX_BYTES, the type to the extension, the key to the upload prefix, and expires soon', async () => {
    const { form, policy, before } = await presign('Runbook v2.md');
    expect(form.key).toBe('uploads/Up1oad-Id_0123456789/Runbook v2.md');
    expect(form.url).toBe('https://chatbot-uploads.s3.us-east-1.amazonaws.com/');
    expect(policy.conditions).toContainEqual(['content-length-range', 1, 10 * 1024 * 1024]);
    expect(policy.conditions).toContainEqual(['eq', '$Content-Type', 'text/markdown']);
    expect(policy.conditions).toContainEqual(['eq', '$x-amz-meta-connection-id', 'conn-A1=']);
    expect(policy.conditions).toContainEqual({ key: 'uploads/Up1oad-Id_0123456789/Runbook v2.md' });
    // The uploader is fixed by the form: the ingest runs as them, and a page cannot change it.
    const uploader = policy.conditions.find(
      (c) => Array.isArray(c) && c[1] === '$x-amz-meta-uploader',
    ) as [string, string, string];
    expect(uploader[0]).toBe('eq');
    expect(uploaderFromMeta(uploader[2])).toEqual({
      issuer: 'https://idp.example',
      subject: 'alice',
      groups: ['staff'],
    });
    expect(form.fields['x-amz-meta-uploader']).toBe(uploader[2]);
    expect(policy.conditions).toContainEqual({ bucket: 'chatbot-uploads' });
    // No starts-with on the key: the form cannot write anywhere else under the prefix.
    expect(policy.conditions.filter((c) => Array.isArray(c) && c[0] === 'starts-with')).toEqual([]);
    const expires = Date.parse(policy.expiration);
    expect(expires).toBeGreaterThan(before + 290_000);
    expect(expires).toBeLessThan(Date.now() + 310_000);
    expect(form.fields).toMatchObject({
      key: form.key,
      'Content-Type': 'text/markdown',
      'x-amz-meta-connection-id': 'conn-A1=',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    });
    expect(form.fields['X-Amz-Signature']).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['notes.txt', 'text/plain'],
    ['page.HTML', 'text/html'],
    ['manual.pdf', 'application/pdf'],
  ])('%s is stored as %s', async (name, type) => {
    const { policy } = await presign(name);
    expect(policy.conditions).toContainEqual(['eq', '$Content-Type', type]);
  });

  it('refuses a type the ingest does not read', async () => {
    expect(uploadTypeOf('tool.exe')).toBeUndefined();
    await expect(presign('tool.exe')).rejects.toThrow(/tool\.exe has no accepted type/);
  });

  it('the ingest function reads the upload id and name back from the key, and nothing else', () => {
    expect(parseUploadKey(uploadKey('Up1oad-Id_0123456789', 'a b.md'))).toEqual({
      uploadId: 'Up1oad-Id_0123456789',
      name: 'a b.md',
    });
    expect(parseUploadKey('uploads/short/a.md')).toBeUndefined();
    expect(parseUploadKey('elsewhere/Up1oad-Id_0123456789/a.md')).toBeUndefined();
    expect(parseUploadKey('uploads/Up1oad-Id_0123456789/dir/a.md')).toBeUndefined();
  });
});

describe('uploader metadata', () => {
  it('round-trips a signed-in uploader and anonymous; anything unreadable is anonymous', () => {
    expect(uploaderFromMeta(uploaderMeta('anonymous'))).toBe('anonymous');
    const who = { issuer: 'https://idp.example', subject: 'Zoë', groups: ['ops'] };
    expect(uploaderFromMeta(uploaderMeta(who))).toEqual(who);
    expect(uploaderMeta(who)).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(uploaderFromMeta(undefined)).toBe('anonymous');
    expect(uploaderFromMeta('not-base64-json')).toBe('anonymous');
    expect(uploaderFromMeta(Buffer.from('{"subject":"x"}').toString('base64url'))).toBe(
      'anonymous',
    );
  });
});
