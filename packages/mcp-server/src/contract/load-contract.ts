import type { OpenAPIV3_1 } from 'openapi-types';
import { ConfigError } from '../errors.js';
import type { JsonSchema, ToolAnnotations, ToolContract } from './tool-contract.js';

const TOOL_NAME = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const MAX_TOOL_NAME = 64;
const ANNOTATION_KEYS: (keyof ToolAnnotations)[] = [
  'readOnlyHint',
  'destructiveHint',
  'idempotentHint',
  'openWorldHint',
];

/**
 * Reads the OpenAPI file, validates it against the OpenAPI 3.1 schema, dereferences it, and
 * returns one tool per POST operation. Every problem found is reported at once, each naming
 * the operation and the field, so a broken file fails start-up with a message that can be acted on.
 */
export async function loadToolContract(path: string): Promise<ToolContract[]> {
  let api: OpenAPIV3_1.Document;
  try {
    // Loaded here, not at start-up: a contract checked by the build never needs it.
    const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
    api = (await SwaggerParser.validate(path)) as OpenAPIV3_1.Document;
  } catch (error) {
    throw new ConfigError(
      `tool contract ${path} is not a valid OpenAPI document: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const problems: string[] = [];
  const tools: ToolContract[] = [];
  for (const [route, item] of Object.entries(api.paths ?? {})) {
    for (const method of Object.keys(item ?? {})) {
      if (!['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'].includes(method))
        continue;
      const where = `${method.toUpperCase()} ${route}`;
      if (method !== 'post') {
        problems.push(`${where}: tools are POST operations; change the method to post`);
        continue;
      }
      const op = (item as Record<string, OpenAPIV3_1.OperationObject>)[method];
      if (op) {
        const tool = toTool(where, op, problems);
        if (tool) tools.push(tool);
      }
    }
  }
  const seen = new Set<string>();
  for (const tool of tools) {
    if (seen.has(tool.name)) problems.push(`operation ${tool.name}: operationId is used twice`);
    seen.add(tool.name);
  }
  if (tools.length === 0 && problems.length === 0) problems.push('paths: no operations defined');
  if (problems.length > 0) {
    throw new ConfigError(`tool contract ${path} is inconsistent:\n- ${problems.join('\n- ')}`);
  }
  return tools;
}

function toTool(
  where: string,
  op: OpenAPIV3_1.OperationObject,
  problems: string[],
): ToolContract | undefined {
  const name = op.operationId;
  if (!name) {
    problems.push(`${where}: operationId is missing; it becomes the tool name`);
    return undefined;
  }
  const at = `operation ${name} (${where})`;
  const before = problems.length;
  if (!TOOL_NAME.test(name) || name.length > MAX_TOOL_NAME) {
    problems.push(`${at}: operationId must be snake_case, at most ${MAX_TOOL_NAME} characters`);
  }
  if (!op.description?.trim()) problems.push(`${at}: description is missing`);
  const body = op.requestBody as OpenAPIV3_1.RequestBodyObject | undefined;
  const inputSchema = body?.content?.['application/json']?.schema as JsonSchema | undefined;
  if (!isObjectSchema(inputSchema)) {
    problems.push(
      `${at}: requestBody.content.application/json.schema must be a schema of type object`,
    );
  }
  const ok = op.responses?.['200'] as OpenAPIV3_1.ResponseObject | undefined;
  const outputSchema = ok?.content?.['application/json']?.schema as JsonSchema | undefined;
  if (!isObjectSchema(outputSchema)) {
    problems.push(
      `${at}: responses.200.content.application/json.schema must be a schema of type object`,
    );
  }
  const annotations = readAnnotations(at, op, problems);
  if (problems.length > before || !inputSchema || !outputSchema || !annotations) return undefined;
  return {
    name,
    ...(op.summary && { title: op.summary }),
    description: op.description!.trim().replace(/\s+/g, ' '),
    inputSchema: plain(inputSchema),
    outputSchema: plain(outputSchema),
    annotations,
  };
}

function readAnnotations(
  at: string,
  op: OpenAPIV3_1.OperationObject,
  problems: string[],
): ToolAnnotations | undefined {
  const raw = (op as Record<string, unknown>)['x-mcp-annotations'];
  if (typeof raw !== 'object' || raw === null) {
    problems.push(`${at}: x-mcp-annotations is missing; give ${ANNOTATION_KEYS.join(', ')}`);
    return undefined;
  }
  const values = raw as Record<string, unknown>;
  for (const key of Object.keys(values)) {
    if (!ANNOTATION_KEYS.includes(key as keyof ToolAnnotations)) {
      problems.push(`${at}: x-mcp-annotations.${key} is not an MCP tool annotation`);
    }
  }
  for (const key of ANNOTATION_KEYS) {
    if (typeof values[key] !== 'boolean') {
      problems.push(`${at}: x-mcp-annotations.${key} must be true or false`);
    }
  }
  return values as unknown as ToolAnnotations;
}

function isObjectSchema(schema: JsonSchema | undefined): schema is JsonSchema {
  return typeof schema === 'object' && schema !== null && schema.type === 'object';
}

/** A deep copy as plain JSON: dereferencing shares objects between tools, which must not leak. */
function plain(schema: JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}
