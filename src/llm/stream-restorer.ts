/**
 * Token restoration over a stream of text deltas: a vault token (`[[EMAIL_3f9a1c2b]]`) or the
 * request's canary may be split across chunks, so the end of each delta that could still become
 * one is held back until the next delta (or the end of the stream) decides it. Nothing that could
 * be part of a token is ever released unrestored, and a canary is only ever released whole.
 */
import { TOKEN_PATTERN } from '../inspect/index.js';

/** Longest vault token: `[[` + a 64-character type + `_` + 8 hex + `]]`. */
const MAX_TOKEN_LENGTH = 2 + 64 + 1 + 8 + 2;
/** A prefix of a vault token (never a whole one). */
const TOKEN_PREFIX = /^\[(?:\[(?:[A-Z][A-Z0-9_]{0,63}(?:_[0-9a-f]{0,8}\]?)?)?)?$/;
const TOKENS = new RegExp(TOKEN_PATTERN.source, 'g');

/**
 * How many characters at the end of `text` must be held back: the longest suffix that is a prefix
 * of a vault token or of `canary`.
 */
export function holdBackLength(text: string, canary: string | null): number {
  let hold = 0;
  const start = text.lastIndexOf('[[');
  if (start >= 0 && text.length - start <= MAX_TOKEN_LENGTH && TOKEN_PREFIX.test(text.slice(start))) {
    hold = text.length - start;
  } else if (text.endsWith('[')) {
    hold = 1;
  }
  if (canary !== null) {
    for (let length = Math.min(text.length, canary.length - 1); length > hold; length--) {
      if (text.endsWith(canary.slice(0, length))) {
        hold = length;
        break;
      }
    }
  }
  return hold;
}

/**
 * Replaces every vault token in `text` for which `lookup` knows a value. With `json`, the value is
 * escaped for the inside of a JSON string (tool-call arguments are JSON text).
 */
export function restoreTokens(
  text: string,
  lookup: (token: string) => string | null,
  json: boolean,
  onRestored?: () => void,
): string {
  if (!text.includes('[[')) return text;
  return text.replace(TOKENS, (token: string) => {
    const value = lookup(token);
    if (value === null) return token;
    onRestored?.();
    return json ? JSON.stringify(value).slice(1, -1) : value;
  });
}

/**
 * Restores one stream of deltas (one choice's text, one tool call's arguments).
 *
 * @example
 * const restorer = new StreamRestorer((text) => restoreTokens(text, lookup, false), null);
 * restorer.push('Write to [[EMA'); // 'Write to '
 * restorer.push('IL_3f9a1c2b]] now'); // 'lan@example.com now'
 * restorer.flush(); // ''
 */
export class StreamRestorer {
  #pending = '';
  readonly #restore: (text: string) => string;
  readonly #canary: string | null;

  constructor(restore: (text: string) => string, canary: string | null) {
    this.#restore = restore;
    this.#canary = canary;
  }

  /** The restored text that can be released now; may be empty. */
  push(delta: string): string {
    const text = this.#pending + delta;
    const hold = holdBackLength(text, this.#canary);
    this.#pending = hold === 0 ? '' : text.slice(text.length - hold);
    return this.#restore(hold === 0 ? text : text.slice(0, text.length - hold));
  }

  /** Everything still held back, restored (at the end of the stream). */
  flush(): string {
    const text = this.#pending;
    this.#pending = '';
    return text === '' ? '' : this.#restore(text);
  }

  /** True when something is held back. */
  get holding(): boolean {
    return this.#pending !== '';
  }
}
