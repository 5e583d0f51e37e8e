/**
 * Maps a field path (as zod reports it) back to a line and column in the YAML source, following
 * aliases, so that every configuration error points at the text a person has to change.
 */
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node } from 'yaml';

/** A 1-based line and column in the configuration file. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** The YAML document and the line index built while parsing it. */
export interface SourceDocument {
  document: Document.Parsed;
  lineCounter: LineCounter;
}

/** The position of a node's first character, if the parser recorded one. */
export function positionOf(source: SourceDocument, node: unknown): SourcePosition | undefined {
  const range = (node as Node | null | undefined)?.range;
  if (!range) return undefined;
  const { line, col } = source.lineCounter.linePos(range[0]);
  return { line, column: col };
}

/** The text of a mapping key, as it becomes a property name. */
export function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

/** Follows an alias to the node it names; other nodes are returned as they are. */
export function dereference(source: SourceDocument, node: unknown): unknown {
  return isAlias(node) ? node.resolve(source.document) : node;
}

/**
 * Finds where `path` is written. With `target: 'value'` the position of the value (or, when the path
 * does not exist, of the deepest part that does: the enclosing key); with `target: 'key'` the
 * position of the last key itself.
 */
export function locate(
  source: SourceDocument,
  path: readonly PropertyKey[],
  target: 'value' | 'key' = 'value',
): SourcePosition {
  let node: unknown = source.document.contents;
  let found: SourcePosition = positionOf(source, node) ?? { line: 1, column: 1 };
  for (let index = 0; index < path.length; index += 1) {
    const segment = path[index];
    node = dereference(source, node);
    const last = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => keyText(item.key) === String(segment));
      if (!pair) return found;
      const keyPosition = positionOf(source, pair.key) ?? found;
      if (last && target === 'key') return keyPosition;
      found = keyPosition;
      node = pair.value;
      if (last) return valuePosition(source, node) ?? keyPosition;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) return found;
      node = item;
      found = positionOf(source, item) ?? found;
    } else {
      return found;
    }
  }
  return valuePosition(source, node) ?? found;
}

/** A value's position; an empty value (`key:` with nothing after it) has none worth reporting. */
function valuePosition(source: SourceDocument, node: unknown): SourcePosition | undefined {
  if (isScalar(node) && node.value === null && node.source === '') return undefined;
  return positionOf(source, node);
}
