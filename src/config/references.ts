/**
 * Secret references: whole string values `${env:NAME}` or `${file:path}`. Finds them in the YAML
 * tree and resolves them; a value is never put in a message, only the variable or file to set.
 */
import { resolve as resolvePath } from 'node:path';
import { isMap, isScalar, isSeq } from 'yaml';
import { SECRET_REFERENCE_PATTERN } from './schema.js';
import { readBoundedText } from './read-bounded.js';
import { dereference, keyText, positionOf } from './yaml-locate.js';
import type { SourceDocument, SourcePosition } from './yaml-locate.js';

/** Largest secret a `${file:...}` or `${env:...}` reference may resolve to. */
export const MAX_SECRET_BYTES = 64 * 1024;

/** Something that looks like a reference (`${word:...}`), valid or not. */
const REFERENCE_LIKE_PATTERN = /^\$\{([A-Za-z][A-Za-z0-9_-]*):(.*)\}$/s;
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One `${env:NAME}` or `${file:path}` found in the configuration. */
export interface SecretReference {
  kind: 'env' | 'file';
  /** The environment variable name, or the file path as written in the configuration. */
  name: string;
  /** Where the value comes from: the variable name, or the absolute file path. */
  source: string;
  /** The reference text as written, e.g. `${env:MAIL_TOKEN}`. */
  text: string;
  /** Field path (as zod reports it) and where the reference is written. */
  path: PropertyKey[];
  line: number;
  column: number;
}

/** A reference that is written wrongly (unknown kind, bad variable name). */
export interface MalformedReference {
  path: PropertyKey[];
  position: SourcePosition;
  message: string;
}

/** A reference that could not be resolved, and why, never with a value. */
export interface UnresolvedReference {
  reference: SecretReference;
  reason: string;
}

/**
 * Walks the YAML tree (following aliases, never around a cycle) and returns every whole-value
 * reference with its field path and position, plus references that are written wrongly.
 */
export function findReferences(
  source: SourceDocument,
  baseDir: string,
): { references: SecretReference[]; malformed: MalformedReference[] } {
  const references: SecretReference[] = [];
  const malformed: MalformedReference[] = [];
  const visit = (node: unknown, path: PropertyKey[], ancestors: Set<unknown>): void => {
    const target = dereference(source, node);
    if (ancestors.has(target)) return;
    if (isMap(target) || isSeq(target)) {
      const inner = new Set(ancestors).add(target);
      if (isMap(target)) {
        for (const pair of target.items) visit(pair.value, [...path, keyText(pair.key)], inner);
      } else {
        target.items.forEach((item, index) => visit(item, [...path, index], inner));
      }
      return;
    }
    if (!isScalar(target) || typeof target.value !== 'string') return;
    const text = target.value;
    const like = REFERENCE_LIKE_PATTERN.exec(text);
    if (!like) return;
    const position = positionOf(source, target) ?? { line: 1, column: 1 };
    const match = SECRET_REFERENCE_PATTERN.exec(text);
    const kind = match?.[1];
    const name = match?.[2];
    if ((kind !== 'env' && kind !== 'file') || name === undefined) {
      malformed.push({
        path,
        position,
        message: `"${text}" looks like a secret reference, but only "\${env:NAME}" and "\${file:path}" are supported`,
      });
      return;
    }
    if (kind === 'env' && !ENV_NAME_PATTERN.test(name)) {
      malformed.push({
        path,
        position,
        message: `"${name}" is not an environment variable name (letters, digits and _, not starting with a digit)`,
      });
      return;
    }
    references.push({
      kind,
      name,
      source: kind === 'env' ? name : resolvePath(baseDir, name),
      text,
      path,
      line: position.line,
      column: position.column,
    });
  };
  visit(source.document.contents, [], new Set());
  return { references, malformed };
}

/**
 * Resolves each reference: environment variables from `env`, files relative to the configuration's
 * directory (at most 64 KiB, one trailing newline removed). Empty values count as unresolved.
 */
export async function resolveReferences(
  references: readonly SecretReference[],
  env: NodeJS.ProcessEnv,
): Promise<{ values: Map<SecretReference, string>; unresolved: UnresolvedReference[] }> {
  const values = new Map<SecretReference, string>();
  const unresolved: UnresolvedReference[] = [];
  for (const reference of references) {
    const result = await resolveOne(reference, env);
    if ('value' in result) values.set(reference, result.value);
    else unresolved.push({ reference, reason: result.reason });
  }
  return { values, unresolved };
}

async function resolveOne(
  reference: SecretReference,
  env: NodeJS.ProcessEnv,
): Promise<{ value: string } | { reason: string }> {
  if (reference.kind === 'env') {
    const value = env[reference.name];
    if (value === undefined) {
      return { reason: `environment variable ${reference.name} is not set; set it before starting warden` };
    }
    if (value === '')
      return { reason: `environment variable ${reference.name} is set but empty; give it the secret` };
    if (Buffer.byteLength(value) > MAX_SECRET_BYTES) {
      return { reason: `environment variable ${reference.name} is over ${MAX_SECRET_BYTES / 1024} KiB` };
    }
    return { value };
  }
  const file = reference.source;
  const read = await readBoundedText(file, MAX_SECRET_BYTES);
  if (!read.ok) {
    const todo =
      read.reason === 'missing'
        ? '; create it with the secret as its only content'
        : read.reason === 'too-large'
          ? `; a secret file may hold at most ${MAX_SECRET_BYTES / 1024} KiB`
          : '';
    return { reason: `secret file ${file} ${read.detail}${todo}` };
  }
  const value = read.text.endsWith('\r\n')
    ? read.text.slice(0, -2)
    : read.text.endsWith('\n')
      ? read.text.slice(0, -1)
      : read.text;
  if (value === '') return { reason: `secret file ${file} is empty; write the secret into it` };
  return { value };
}
