/**
 * The chat page's Content-Security-Policy on CloudFront: the local gateway's policy
 * (`packages/chat-gateway/src/transports/local/static-files.ts`, compared by a test) with one
 * difference: the page talks to the WebSocket API on another origin, so `connect-src` names it
 * (and, with Cognito sign-in, the hosted UI, whose token endpoint the page calls).
 */
export function pageContentSecurityPolicy(
  webSocketOrigin: string,
  /** With Cognito sign-in: the hosted UI's origin (the page calls its token endpoint). */
  signInOrigin?: string,
): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${webSocketOrigin}${signInOrigin ? ` ${signInOrigin}` : ''}`,
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
  ].join('; ');
}
