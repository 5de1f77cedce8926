import { groupRefusal, inGroups } from '../engine/tool-permissions.js';
import { identityFromAuthorizer } from '../transports/lambda/connect-identity.js';

/**
 * Who may upload on the AWS path: the rule of the local gateway's `POST /upload`. Uploads off:
 * nobody. CHAT_UPLOAD_GROUPS set: only signed-in members of those groups (the groups the
 * `$connect` authorizer put in its context, e.g. `cognito:groups`). Otherwise whoever may connect.
 */
export interface UploadCaller {
  /** The `$connect` authorizer's context (requestContext.authorizer), as API Gateway passes it. */
  authorizer?: Record<string, unknown>;
}

export function mayUpload(
  mode: 'anyone' | 'off',
  caller: UploadCaller,
  uploadGroups?: readonly string[],
): { ok: true } | { ok: false; error: string } {
  if (mode === 'off')
    return { ok: false, error: 'Uploads are turned off on this deployment (CHAT_UPLOAD=off).' };
  if (uploadGroups && uploadGroups.length > 0) {
    const identity = identityFromAuthorizer(caller.authorizer);
    if (!inGroups(identity, uploadGroups))
      return { ok: false, error: groupRefusal('Uploading', 'CHAT_UPLOAD_GROUPS', uploadGroups) };
  }
  return { ok: true };
}
