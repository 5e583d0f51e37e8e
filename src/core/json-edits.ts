/**
 * Copy-on-write edits of JSON values by JSON pointer (RFC 6901): the input is never changed, only
 * the containers on the way to an edit are copied, and a value with no edits is returned as it is.
 */
import type { JsonValue } from './json.js';

/** One replacement in a string: the span and its new text. */
export interface SpanReplacement {
  start: number;
  end: number;
  text: string;
}

/** Replaces disjoint spans of `text` in one pass (overlapping later spans are skipped). */
export function replaceSpans(text: string, replacements: SpanReplacement[]): string {
  replacements.sort((a, b) => a.start - b.start);
  let out = '';
  let last = 0;
  for (const replacement of replacements) {
    if (replacement.start < last) continue;
    out += text.slice(last, replacement.start) + replacement.text;
    last = replacement.end;
  }
  return out + text.slice(last);
}

/** RFC 6901 pointer → keys. */
export function pointerKeys(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** The value at `pointer`, or undefined. */
export function valueAt(root: JsonValue, pointer: string): JsonValue | undefined {
  let current: JsonValue | undefined = root;
  for (const key of pointerKeys(pointer)) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, JsonValue>)[key];
  }
  return current;
}

type EditTree = Map<string, { value: JsonValue } | EditTree>;

/** A copy of `root` with the value at each pointer replaced; `root` itself when there are no edits. */
export function applyEdits(root: JsonValue, edits: ReadonlyMap<string, JsonValue>): JsonValue {
  if (edits.size === 0) return root;
  const tree: EditTree = new Map();
  for (const [pointer, value] of edits) {
    const keys = pointerKeys(pointer);
    if (keys.length === 0) return value;
    let node = tree;
    for (const key of keys.slice(0, -1)) {
      let child = node.get(key);
      if (!(child instanceof Map)) node.set(key, (child = new Map()));
      node = child;
    }
    node.set(keys.at(-1) as string, { value });
  }
  const rebuild = (value: JsonValue, node: EditTree): JsonValue => {
    if (typeof value !== 'object' || value === null) return value;
    const copy = (Array.isArray(value) ? [...value] : { ...value }) as Record<string, JsonValue>;
    for (const [key, edit] of node) {
      copy[key] = edit instanceof Map ? rebuild(copy[key] as JsonValue, edit) : edit.value;
    }
    return copy;
  };
  return rebuild(root, tree);
}

/** Calls `visit` with the pointer and text of every string in `value` (object keys excluded). */
export function forEachString(
  value: JsonValue,
  visit: (pointer: string, text: string) => void,
  pointer = '',
  depth = 0,
): void {
  if (typeof value === 'string') {
    visit(pointer, value);
    return;
  }
  if (typeof value !== 'object' || value === null || depth > 128) return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => forEachString(item, visit, `${pointer}/${index}`, depth + 1));
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    forEachString(item, visit, `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`, depth + 1);
  }
}
