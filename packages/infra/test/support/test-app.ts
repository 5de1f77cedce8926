import { App } from 'aws-cdk-lib';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { fileURLToPath } from 'node:url';
import { createChatbotStacks, type ChatbotStacks } from '../../lib/chatbot-app.js';
import { loadInfraConfig } from '../../lib/config.js';

/** Stand-in entry files, so the stack tests do not depend on the handlers' code. */
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** A stand-in built page (index.html, app.js, app.css), so the tests need no web build. */
export const WEB_FIXTURE = fileURLToPath(new URL('../fixtures/web/', import.meta.url));

/**
 * The app as `bin/app.ts` builds it, with the recommended feature flags, a fixed account, and
 * bundling skipped (`aws:cdk:bundling-stacks` empty): the stack tests look at templates, the
 * synth test bundles for real.
 */
export function buildTestApp(context: Record<string, unknown> = {}): {
  app: App;
  stacks: ChatbotStacks;
} {
  const app = new App({
    context: {
      ...CURRENTLY_RECOMMENDED_FLAGS,
      'aws:cdk:bundling-stacks': [],
      account: '123456789012',
      entryFixtures: FIXTURES,
      webDir: WEB_FIXTURE,
      ...context,
    },
  });
  const stacks = createChatbotStacks(app, loadInfraConfig(app.node, {}));
  return { app, stacks };
}
