/**
 * Turns zod issues into configuration issues a person can act on: the line and column to edit, the
 * field path, and a message that names unknown keys and suggests the key that was probably meant.
 */
import { z } from 'zod';
import { SECRET_REFERENCE_PATTERN } from './schema.js';
import { locate } from './yaml-locate.js';
import type { SourceDocument } from './yaml-locate.js';

/** One problem in a configuration file, as `file:line:col  path  message` shows it. */
export interface ConfigIssue {
  line: number;
  column: number;
  /** Field path such as `agents.support-bot.roles[0]`; empty for the whole document. */
  path: string;
  message: string;
}

/** Formats a field path: `servers.crm.tools.read_customer`, `dataClasses[1].name`, `headers["X.Y"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') {
      out += `[${segment}]`;
    } else {
      const text = String(segment);
      if (/^[A-Za-z0-9_-]+$/.test(text)) out += out === '' ? text : `.${text}`;
      else out += `[${JSON.stringify(text)}]`;
    }
  }
  return out;
}

/** Converts every zod issue into located configuration issues (one per unknown key). */
export function issuesFromZod(
  issues: readonly z.core.$ZodIssue[],
  source: SourceDocument,
  raw: unknown,
  schema: z.ZodType,
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(schema, issue.path, raw);
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        const suggestion = closest(key, allowed);
        const message =
          suggestion !== undefined
            ? `unknown key "${key}"; did you mean "${suggestion}"?`
            : allowed.length > 0
              ? `unknown key "${key}"; allowed here: ${allowed.join(', ')}`
              : `unknown key "${key}"`;
        out.push({ ...locate(source, path, 'key'), path: formatPath(path), message });
      }
      continue;
    }
    const position = locate(source, issue.path, issue.code === 'invalid_key' ? 'key' : 'value');
    out.push({ ...position, path: formatPath(issue.path), message: messageFor(issue, raw) });
  }
  return out;
}

function messageFor(issue: z.core.$ZodIssue, raw: unknown): string {
  const value = valueAt(raw, issue.path);
  const missing = value === undefined;
  let message: string;
  switch (issue.code) {
    case 'invalid_type':
      message = missing
        ? `is required (expected ${describeType(issue.expected)})`
        : `expected ${describeType(issue.expected)}, got ${describeValue(value)}`;
      break;
    case 'invalid_key': {
      const key = issue.path[issue.path.length - 1];
      const reasons = issue.issues.map((inner) => inner.message).join('; ');
      message = `"${String(key)}" is not a valid name: ${reasons}`;
      break;
    }
    case 'invalid_union': {
      if (issue.discriminator !== undefined && 'options' in issue && issue.options !== undefined) {
        const options = issue.options.map((option) => JSON.stringify(option)).join(', ');
        message = missing ? `is required: one of ${options}` : `must be one of ${options}`;
        break;
      }
      const expected = issue.errors.map((branch) =>
        branch.length === 1 && branch[0]?.code === 'invalid_type' ? branch[0].expected : undefined,
      );
      message = expected.every((type) => type !== undefined)
        ? `${missing ? 'is required' : 'expected'} ${expected.map((type) => describeType(type)).join(' or ')}${missing ? '' : `, got ${describeValue(value)}`}`
        : issue.message;
      break;
    }
    default:
      message = issue.message;
  }
  if (issue.code !== 'custom' && typeof value === 'string' && SECRET_REFERENCE_PATTERN.test(value)) {
    message += ` (a secret reference cannot be used for this field; write the value itself)`;
  }
  return message;
}

function describeType(type: string): string {
  switch (type) {
    case 'string':
      return 'text';
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'a mapping (key: value)';
    case 'array':
      return 'a list';
    case 'record':
      return 'a mapping (key: value)';
    default:
      return type;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'text';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true/false';
    case 'object':
      return 'a mapping';
    default:
      return typeof value;
  }
}

/** The raw (pre-validation) value at `path`, or undefined when it is not there. */
function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let node = raw;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(node, segment)) return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

/** The keys the schema accepts for the object at `path` (choosing a union branch from the data). */
function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[], raw: unknown): string[] {
  let current: z.ZodType | undefined = schema;
  let data = raw;
  for (let index = 0; index <= path.length && current !== undefined;) {
    const unwrapped = unwrap(current, data);
    if (unwrapped !== current) {
      current = unwrapped;
      continue;
    }
    if (index === path.length) break;
    const segment = path[index] as PropertyKey;
    data = valueAt(data, [segment]);
    if (current instanceof z.ZodObject)
      current = (current.shape as Record<string, z.ZodType>)[String(segment)];
    else if (current instanceof z.ZodRecord) current = current.valueType as z.ZodType;
    else if (current instanceof z.ZodArray) current = current.element as z.ZodType;
    else current = undefined;
    index += 1;
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

/** Looks through wrappers (default, optional, pipe) and picks a union branch by its discriminator. */
function unwrap(schema: z.ZodType, data: unknown): z.ZodType {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault) {
    return schema.unwrap() as z.ZodType;
  }
  if (schema instanceof z.ZodPipe) return schema.in as z.ZodType;
  if (schema instanceof z.ZodDiscriminatedUnion) {
    const discriminator = schema._zod.def.discriminator;
    const tag = valueAt(data, [discriminator]);
    const options = schema.options as z.ZodType[];
    const match = options.find(
      (option) =>
        option instanceof z.ZodObject &&
        (option.shape as Record<string, z.ZodType>)[discriminator]?.safeParse(tag).success === true,
    );
    return match ?? schema;
  }
  return schema;
}

/** The allowed key closest to `key`, when it is close enough to be a likely typo. */
export function closest(key: string, allowed: readonly string[]): string | undefined {
  if (key.length > 64) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === undefined) return undefined;
  const threshold = Math.max(2, Math.floor(best.length / 3));
  return bestDistance <= threshold ? best : undefined;
}

/** Damerau-Levenshtein distance (optimal string alignment): insertions, deletions, substitutions, swaps. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const columns = b.length + 1;
  const table: number[][] = Array.from({ length: rows }, (_, row) =>
    Array.from({ length: columns }, (_, column) => (row === 0 ? column : column === 0 ? row : 0)),
  );
  const at = (row: number, column: number): number => table[row]?.[column] ?? Infinity;
  for (let row = 1; row < rows; row += 1) {
    for (let column = 1; column < columns; column += 1) {
      const cost = a[row - 1] === b[column - 1] ? 0 : 1;
      let distance = Math.min(
        at(row - 1, column) + 1,
        at(row, column - 1) + 1,
        at(row - 1, column - 1) + cost,
      );
      if (row > 1 && column > 1 && a[row - 1] === b[column - 2] && a[row - 2] === b[column - 1]) {
        distance = Math.min(distance, at(row - 2, column - 2) + 1);
      }
      (table[row] as number[])[column] = distance;
    }
  }
  return at(rows - 1, columns - 1);
}
