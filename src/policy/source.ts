/**
 * Policy source files: read `*.cedar` files from the policy directory (bounded, UTF-8 only), split
 * each into its policy statements with exact offsets, and map Cedar's byte offsets back to the
 * file's line and column, so every error names the place a person must fix.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { WardenError } from '../core/index.js';

/** Largest policy file Warden reads. */
export const MAX_POLICY_FILE_BYTES = 16 * 1024 * 1024;

/** One `*.cedar` file. */
export interface PolicySourceFile {
  /** File name relative to the policy directory (`support.cedar`); policy ids use it. */
  name: string;
  /** Absolute path. */
  path: string;
  /** Path shown in messages: relative to the working directory when inside it, else absolute. */
  display: string;
  text: string;
}

/** One policy statement in a file: from its first token (an annotation or the effect) to its `;`. */
export interface PolicyStatement {
  /** Offset of the first character in the file text (UTF-16 code units). */
  start: number;
  /** Offset just after the closing `;`. */
  end: number;
}

export interface ReadPolicyDirectoryResult {
  files: PolicySourceFile[];
  /** False when the directory does not exist. */
  exists: boolean;
}

/** A path for messages: relative to the working directory when it is inside it, else absolute. */
export function displayPath(path: string): string {
  const fromCwd = relative(process.cwd(), path);
  return fromCwd === '' || fromCwd.startsWith('..') || isAbsolute(fromCwd) ? path : fromCwd;
}

/**
 * Reads every `*.cedar` file directly in `directory` (not in subdirectories; names starting with a
 * dot are skipped), ordered by name. A missing directory gives no files and `exists: false`.
 *
 * @throws WardenError WARDEN_POLICY_INVALID when the path is not a directory, a file is too large,
 *   unreadable or not UTF-8.
 */
export async function readPolicyDirectory(directory: string): Promise<ReadPolicyDirectoryResult> {
  const root = resolve(directory);
  let names: string[];
  try {
    names = await readdir(root);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { files: [], exists: false };
    throw new WardenError(
      'WARDEN_POLICY_INVALID',
      code === 'ENOTDIR'
        ? `The policy directory ${displayPath(root)} is a file, not a directory. Point policy.dir at the directory that holds the *.cedar files.`
        : `Cannot read the policy directory ${displayPath(root)} (${code ?? String(error)}). Check that it exists and is readable by the user running warden.`,
      { dir: root },
    );
  }
  const files: PolicySourceFile[] = [];
  for (const name of names.filter((entry) => entry.endsWith('.cedar') && !entry.startsWith('.')).sort()) {
    const path = join(root, name);
    const display = displayPath(path);
    const info = await stat(path).catch(() => null);
    if (info === null || !info.isFile()) continue;
    if (info.size > MAX_POLICY_FILE_BYTES) {
      throw new WardenError(
        'WARDEN_POLICY_INVALID',
        `Policy file ${display} is ${info.size} bytes; the limit is ${MAX_POLICY_FILE_BYTES}. Split it into several files.`,
        { file: display },
      );
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new WardenError(
        'WARDEN_POLICY_INVALID',
        `Cannot read policy file ${display} (${code}). Make it readable by the user running warden.`,
        { file: display },
      );
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch {
      throw new WardenError(
        'WARDEN_POLICY_INVALID',
        `Policy file ${display} is not UTF-8 text. Save it as UTF-8.`,
        { file: display },
      );
    }
    files.push({ name, path, display, text });
  }
  return { files, exists: true };
}

/**
 * Splits Cedar policy text into statements, skipping `//` comments and `;` inside strings. Text
 * after the last `;` that is not whitespace or comments is returned as a final statement without a
 * `;` (Cedar's parser reports it).
 */
export function splitStatements(text: string): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  let start = -1;
  let index = 0;
  const length = text.length;
  while (index < length) {
    const character = text.charCodeAt(index);
    if (character === 0x2f /* / */ && text.charCodeAt(index + 1) === 0x2f) {
      const newline = text.indexOf('\n', index);
      index = newline === -1 ? length : newline + 1;
      continue;
    }
    if (character === 0x20 || character === 0x0a || character === 0x0d || character === 0x09) {
      index += 1;
      continue;
    }
    if (start === -1) start = index;
    if (character === 0x22 /* " */) {
      index += 1;
      while (index < length && text.charCodeAt(index) !== 0x22) {
        index += text.charCodeAt(index) === 0x5c /* \ */ ? 2 : 1;
      }
      index += 1;
      continue;
    }
    index += 1;
    if (character === 0x3b /* ; */) {
      statements.push({ start, end: index });
      start = -1;
    }
  }
  if (start !== -1) statements.push({ start, end: length });
  return statements;
}

/** Converts a UTF-8 byte offset in `text` (as Cedar reports them) into a UTF-16 offset. */
export function byteOffsetToIndex(text: string, byteOffset: number): number {
  if (byteOffset <= 0) return 0;
  let bytes = 0;
  for (let index = 0; index < text.length; index += 1) {
    if (bytes >= byteOffset) return index;
    const code = text.codePointAt(index) ?? 0;
    if (code > 0xffff) {
      bytes += 4;
      index += 1;
    } else bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : 3;
  }
  return text.length;
}

/** 1-based line and column of a UTF-16 offset in `text`. */
export function lineAndColumn(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let position = text.indexOf('\n'); position !== -1 && position < index;) {
    line += 1;
    lineStart = position + 1;
    position = text.indexOf('\n', lineStart);
  }
  return { line, column: index - lineStart + 1 };
}

/**
 * The range of the action constraint in a policy statement's head, between the first and the
 * second top-level comma of `permit (...)` / `forbid (...)`, or null when the head is not the
 * expected shape. Comments and strings are skipped; annotation names (`@permit`) are not effects.
 */
export function actionScopeRange(text: string): { start: number; end: number } | null {
  const length = text.length;
  let index = 0;
  let depth = 0;
  let inHead = false;
  const commas: number[] = [];
  const isIdentifier = (code: number): boolean =>
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f;
  let afterAt = false;
  while (index < length) {
    const character = text.charCodeAt(index);
    if (character === 0x2f /* / */ && text.charCodeAt(index + 1) === 0x2f) {
      const newline = text.indexOf('\n', index);
      index = newline === -1 ? length : newline + 1;
      continue;
    }
    if (character === 0x22 /* " */) {
      index += 1;
      while (index < length && text.charCodeAt(index) !== 0x22)
        index += text.charCodeAt(index) === 0x5c ? 2 : 1;
      index += 1;
      continue;
    }
    if (isIdentifier(character)) {
      let end = index;
      while (end < length && isIdentifier(text.charCodeAt(end))) end += 1;
      const word = text.slice(index, end);
      if (!inHead && depth === 0 && !afterAt && (word === 'permit' || word === 'forbid')) {
        let next = end;
        while (next < length && /\s/.test(text.charAt(next))) next += 1;
        if (text.charAt(next) !== '(') return null;
        inHead = true;
        depth = 1;
        index = next + 1;
        continue;
      }
      afterAt = false;
      index = end;
      continue;
    }
    afterAt = character === 0x40; /* @ */
    if (character === 0x28 || character === 0x5b || character === 0x7b) depth += 1;
    else if (character === 0x29 || character === 0x5d || character === 0x7d) {
      depth -= 1;
      if (inHead && depth === 0) break;
    } else if (inHead && depth === 1 && character === 0x2c /* , */) commas.push(index);
    index += 1;
  }
  if (!inHead || commas.length !== 2) return null;
  const start = (commas[0] as number) + 1;
  const end = commas[1] as number;
  return /^\s*action\b/.test(text.slice(start, end).replace(/\/\/[^\n]*\n/g, '')) ? { start, end } : null;
}
