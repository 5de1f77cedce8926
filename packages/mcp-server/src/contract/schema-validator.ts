import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { ConfigError, ValidationError } from '../errors.js';
import type { ToolContract } from './tool-contract.js';

interface CompiledTool {
  input: ValidateFunction;
  output: ValidateFunction;
  argumentNames: string[];
}

/** How many rule violations one error message lists. */
const MAX_REPORTED = 5;

export interface ToolValidatorsOptions {
  /**
   * The schemas already compiled with every check when the build stored the contract
   * (`writeCheckedContract`): each tool's are then compiled on its first call, without checking
   * them against the JSON Schema meta-schema again. Compiling that meta-schema is most of the
   * cost, and a start-up would pay it for nothing. Default false: all compiled and checked now.
   */
  schemasChecked?: boolean;
}

/**
 * Every tool's input and output schema, compiled once with ajv (JSON Schema 2020-12, the
 * dialect of OpenAPI 3.1) and ajv-formats: at construction, or on first use when the build has
 * checked them already.
 */
export class ToolValidators {
  private readonly compiled = new Map<string, CompiledTool>();
  private readonly tools: ReadonlyMap<string, ToolContract>;
  private readonly ajv: Ajv2020;

  constructor(tools: readonly ToolContract[], options: ToolValidatorsOptions = {}) {
    this.tools = new Map(tools.map((t) => [t.name, t]));
    this.ajv = new Ajv2020({
      allErrors: true,
      useDefaults: true,
      strict: true,
      allowUnionTypes: true,
      validateSchema: options.schemasChecked !== true,
    });
    addFormats.default(this.ajv);
    if (!options.schemasChecked) for (const tool of tools) this.get(tool.name);
  }

  /** Checks (and fills defaults into) a tool's arguments; ValidationError naming field and rule. */
  validateInput(tool: string, args: unknown): void {
    const compiled = this.get(tool);
    if (!compiled.input(args)) {
      throw new ValidationError(
        describeErrors(compiled.input.errors ?? [], compiled.argumentNames),
      );
    }
  }

  /** The server's own output breaking its schema is a bug: say where, for the log. */
  validateOutput(tool: string, output: unknown): void {
    const compiled = this.get(tool);
    if (!compiled.output(output)) {
      throw new Error(
        `output of ${tool} breaks its outputSchema: ${describeErrors(compiled.output.errors ?? [], [])}`,
      );
    }
  }

  private get(tool: string): CompiledTool {
    let compiled = this.compiled.get(tool);
    if (compiled) return compiled;
    const contract = this.tools.get(tool);
    if (!contract) throw new Error(`no schema compiled for tool ${tool}`);
    compiled = {
      input: compile(this.ajv, contract, 'input'),
      output: compile(this.ajv, contract, 'output'),
      argumentNames: Object.keys((contract.inputSchema.properties as object | undefined) ?? {}),
    };
    this.compiled.set(tool, compiled);
    return compiled;
  }
}

function compile(ajv: Ajv2020, tool: ToolContract, which: 'input' | 'output'): ValidateFunction {
  try {
    return ajv.compile(which === 'input' ? tool.inputSchema : tool.outputSchema);
  } catch (error) {
    const field = which === 'input' ? 'requestBody' : 'responses.200';
    throw new ConfigError(
      `tool contract: operation ${tool.name}: ${field} schema does not compile: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** Turns ajv errors into `field: rule` sentences a model or a person can act on. */
export function describeErrors(errors: ErrorObject[], argumentNames: string[]): string {
  const lines = errors.slice(0, MAX_REPORTED).map((e) => describeError(e, argumentNames));
  const more = errors.length > MAX_REPORTED ? ` (and ${errors.length - MAX_REPORTED} more)` : '';
  return [...new Set(lines)].join('; ') + more;
}

function describeError(error: ErrorObject, argumentNames: string[]): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
  const params = error.params as Record<string, unknown>;
  const at = (child: string): string => (path ? `${path}.${child}` : child);
  if (error.propertyName !== undefined) {
    // A rule on the name of a field (propertyNames), not on its value.
    return `${at(error.propertyName)}: the name ${error.message ?? 'is invalid'}`;
  }
  switch (error.keyword) {
    case 'propertyNames':
      return `${path || 'arguments'}: has a field name that is not allowed`;
    case 'required':
      return `${at(String(params.missingProperty))}: is required`;
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const allowed =
        path === '' && argumentNames.length > 0
          ? `; this tool takes ${argumentNames.join(', ')}`
          : '';
      return `${at(extra)}: is not an accepted field${allowed}`;
    }
    case 'type':
      return `${path || 'arguments'}: must be ${String(params.type).replace(',', ' or ')}`;
    default:
      return `${path || 'arguments'}: ${error.message ?? 'is invalid'}`;
  }
}
