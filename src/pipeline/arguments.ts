/**
 * Argument validation against a tool's JSON Schema (ajv), before anything else sees the arguments:
 * a call whose arguments do not match is refused with every problem listed, and never reaches the
 * upstream. Each schema is compiled once and cached for as long as the catalog holds it.
 */
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { WardenError } from '../core/index.js';
import type { JsonObject, JsonValue } from '../core/index.js';
import type { UpstreamTool } from '../upstream/index.js';

/** Problems listed in one WARDEN_INVALID_ARGUMENTS message, at most. */
const MAX_PROBLEMS = 10;

type Dialect = 'draft-07' | '2019-09' | '2020-12';

/** Options shared by every dialect: lenient about the schema (it is the upstream's), strict about data. */
const AJV_OPTIONS = {
  allErrors: true,
  strict: false,
  // Formats are checked by the upstream itself; Warden checks structure and types.
  validateFormats: false,
  validateSchema: false,
  // Schemas of different tools may reuse an $id: never register them in the shared instance.
  addUsedSchema: false,
  logger: false,
} as const;

type Compiled = { ok: true; validate: ValidateFunction } | { ok: false; reason: string };

/** Validates tool arguments against the tools' input schemas, compiling each schema once. */
export class ArgumentValidator {
  readonly #instances = new Map<Dialect, Ajv | Ajv2019 | Ajv2020>();
  readonly #compiled = new WeakMap<JsonObject, Compiled>();

  /**
   * Returns nothing when `args` match `tool.inputSchema`.
   *
   * @throws WardenError WARDEN_INVALID_ARGUMENTS listing the problems; WARDEN_UPSTREAM_INVALID_RESPONSE
   *   when the upstream's schema cannot be compiled (the call is refused rather than sent unchecked).
   */
  check(tool: UpstreamTool, args: JsonObject): void {
    const compiled = this.#compile(tool.inputSchema);
    if (!compiled.ok) {
      throw new WardenError(
        'WARDEN_UPSTREAM_INVALID_RESPONSE',
        `the input schema server "${tool.server}" lists for tool ${tool.exposedName} cannot be compiled (${compiled.reason}), so its arguments cannot be checked and the call is refused; fix the upstream's tool schema`,
        { tool: tool.exposedName, server: tool.server },
      );
    }
    if (compiled.validate(args)) return;
    const problems = describeErrors(compiled.validate.errors ?? []);
    throw invalidArguments(tool.exposedName, problems);
  }

  #compile(schema: JsonObject): Compiled {
    const cached = this.#compiled.get(schema);
    if (cached !== undefined) return cached;
    const { $schema, ...rest } = schema;
    const preferred = dialectOf($schema);
    let compiled: Compiled | undefined;
    let reason = '';
    for (const dialect of [preferred, ...(['2020-12', 'draft-07'] as const).filter((d) => d !== preferred)]) {
      try {
        compiled = { ok: true, validate: this.#instance(dialect).compile(rest) };
        break;
      } catch (error) {
        reason ||= error instanceof Error ? error.message.slice(0, 300) : String(error).slice(0, 300);
      }
    }
    compiled ??= { ok: false, reason };
    this.#compiled.set(schema, compiled);
    return compiled;
  }

  #instance(dialect: Dialect): Ajv | Ajv2019 | Ajv2020 {
    let instance = this.#instances.get(dialect);
    if (instance === undefined) {
      instance =
        dialect === '2020-12'
          ? new Ajv2020(AJV_OPTIONS)
          : dialect === '2019-09'
            ? new Ajv2019(AJV_OPTIONS)
            : new Ajv(AJV_OPTIONS);
      this.#instances.set(dialect, instance);
    }
    return instance;
  }
}

/** JSON Schema dialect from `$schema`; MCP's default (no `$schema`) is 2020-12. */
function dialectOf(schemaUri: JsonValue | undefined): Dialect {
  if (typeof schemaUri !== 'string') return '2020-12';
  if (/draft-0[4-7]/.test(schemaUri)) return 'draft-07';
  if (schemaUri.includes('2019-09')) return '2019-09';
  return '2020-12';
}

/** One line per problem, naming the argument path: `amount: must be number`. */
function describeErrors(errors: ErrorObject[]): string[] {
  const problems: string[] = [];
  for (const error of errors) {
    const path = error.instancePath === '' ? '' : error.instancePath.slice(1).replaceAll('/', '.');
    const params = error.params as Record<string, unknown>;
    let problem: string;
    if (error.keyword === 'required') {
      problem = `missing required argument "${joinPath(path, String(params.missingProperty))}"`;
    } else if (error.keyword === 'additionalProperties') {
      problem = `unexpected argument "${joinPath(path, String(params.additionalProperty))}"`;
    } else {
      problem = `${path === '' ? 'arguments' : `"${path}"`} ${error.message ?? 'is invalid'}`;
      if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
        problem += `: ${params.allowedValues.map((value) => JSON.stringify(value)).join(', ')}`;
      }
    }
    if (!problems.includes(problem)) problems.push(problem);
  }
  return problems;
}

function joinPath(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

/** The WARDEN_INVALID_ARGUMENTS error for `problems` (the first few listed in the message). */
export function invalidArguments(toolName: string, problems: string[]): WardenError {
  const listed = problems.slice(0, MAX_PROBLEMS);
  const more = problems.length > listed.length ? ` (and ${problems.length - listed.length} more)` : '';
  return new WardenError(
    'WARDEN_INVALID_ARGUMENTS',
    `the arguments for ${toolName} do not match its input schema: ${listed.join('; ')}${more}. Fix the arguments and call again; the tool was not called`,
    { tool: toolName, problems: listed },
  );
}
