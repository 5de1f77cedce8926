/**
 * Who may upload on the AWS path. Today's `$connect` authorizer knows no user (one shared
 * token), so this is the anonymous rule: whoever may connect may upload, unless uploads are
 * off. HOOK: when the authorizer passes a signed-in user's groups in its context, check them
 * here against CHAT_UPLOAD_GROUPS with the same function the local gateway uses.
 */
export interface UploadCaller {
  /** The `$connect` authorizer's context (requestContext.authorizer), as API Gateway passes it. */
  authorizer?: Record<string, unknown>;
}

export function mayUpload(
  mode: 'anyone' | 'off',
  caller: UploadCaller,
): { ok: true } | { ok: false; error: string } {
  void caller;
  if (mode === 'off')
    return { ok: false, error: 'Uploads are turned off on this deployment (CHAT_UPLOAD=off).' };
  return { ok: true };
}
