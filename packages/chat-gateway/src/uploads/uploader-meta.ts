import type { Identity } from '../ports/session-store.js';
import type { ToolCaller } from '../ports/tool-client.js';

/**
 * The uploader as object metadata (ASCII only: base64url of the JSON), written into the
 * presigned form by the form function and read back by the ingest function, which runs the
 * ingest as that person. Only issuer, subject and groups travel: what access is decided on.
 */
export function uploaderMeta(caller: ToolCaller): string {
  const value =
    caller === 'anonymous'
      ? { anonymous: true }
      : { issuer: caller.issuer, subject: caller.subject, groups: caller.groups ?? [] };
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** The caller a stored `uploaderMeta` names; anything unreadable is anonymous (fails closed). */
export function uploaderFromMeta(meta: string | undefined): ToolCaller {
  if (!meta) return 'anonymous';
  try {
    const value = JSON.parse(Buffer.from(meta, 'base64url').toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null) return 'anonymous';
    const v = value as Record<string, unknown>;
    if (typeof v.issuer !== 'string' || typeof v.subject !== 'string' || !v.issuer || !v.subject)
      return 'anonymous';
    const groups = Array.isArray(v.groups)
      ? v.groups.filter((g): g is string => typeof g === 'string')
      : [];
    const identity: Identity = { issuer: v.issuer, subject: v.subject, groups };
    return identity;
  } catch {
    return 'anonymous';
  }
}
