/**
 * The chat page's Content-Security-Policy on CloudFront: the local gateway's policy
 * (`packages/chat-gateway/src/transports/local/static-files.ts`, compared by a test) with one
 * difference: the page talks to the WebSocket API on another origin, so `connect-src` names it
 * (and the upload bucket's origin, when uploads are on: the page POSTs files there).
 */
export function pageContentSecurityPolicy(
  webSocketOrigin: string,
  ...otherOrigins: string[]
): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${[webSocketOrigin, ...otherOrigins].join(' ')}`,
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
  ].join('; ');
}
