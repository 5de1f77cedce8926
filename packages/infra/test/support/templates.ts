import { Template } from 'aws-cdk-lib/assertions';
import type { ChatbotStacks } from '../../lib/chatbot-app.js';
import { buildTestApp } from './test-app.js';

/** The templates of one test app, synthesized once per distinct context. */
export type Templates = Record<keyof ChatbotStacks, Template> & { stacks: ChatbotStacks };

const cache = new Map<string, Templates>();

/** Templates of the app built with `context` (bundling skipped; see `buildTestApp`). */
export function templates(context: Record<string, unknown> = {}): Templates {
  const key = JSON.stringify(context);
  let found = cache.get(key);
  if (!found) {
    const { stacks } = buildTestApp(context);
    found = {
      stacks,
      database: Template.fromStack(stacks.database),
      search: Template.fromStack(stacks.search),
      api: Template.fromStack(stacks.api),
      lambda: Template.fromStack(stacks.lambda),
      web: Template.fromStack(stacks.web),
    };
    cache.set(key, found);
  }
  return found;
}

/** Resources of one type in a template, by logical id. */
export function resourcesOf(
  template: Template,
  type: string,
): Record<string, { Properties: Record<string, unknown> }> {
  return template.findResources(type) as Record<string, { Properties: Record<string, unknown> }>;
}

/** The logical id of the Lambda function whose construct path contains `name` (e.g. 'Engine'). */
export function functionId(template: Template, name: string): string {
  const ids = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) =>
    id.startsWith(`${name}Function`),
  );
  if (ids.length !== 1) throw new Error(`expected one function ${name}, found ${ids.join(', ')}`);
  return ids[0]!;
}
