/**
 * Escape sequences read back, for the injection scorer. Tools often return JSON, YAML or a Python
 * repr as text, and there an instruction's line break is the two characters `\n`: left as they are,
 * "…great.\nIgnore all previous instructions…" holds the word "nIgnore" and no phrase the rules know.
 * Each escape is replaced by what it stands for, padded with spaces in front to the escape's own
 * length, so every offset still points into the original text (findings are reported on it) and the
 * decoded character stays glued to the letters after it (`\u0049gnore` reads "     Ignore").
 */

/**
 * `\uD83D\uDE00` (a surrogate pair, kept together), `\uXXXX`, `\xXX`, or a backslash and any
 * character (a real line break too: YAML's line continuation).
 */
const ESCAPE =
  /\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})|\\([\s\S])/g;

/** What a one-character escape stands for, when not itself ("\"" is '"'). Others lose only their backslash. */
const SIMPLE: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  // carriage returns, backspaces, form feeds, vertical tabs and NULs: nothing a reader sees
  r: ' ',
  b: ' ',
  f: ' ',
  v: ' ',
  '0': ' ',
  // a backslash before a line break continues the line (YAML double-quoted scalars)
  '\n': ' ',
  '\r': ' ',
};

function decode(
  escape: string,
  high: string | undefined,
  low: string | undefined,
  unit: string | undefined,
  byte: string | undefined,
  simple: string | undefined,
): string {
  let decoded: string;
  if (high !== undefined && low !== undefined) {
    decoded = String.fromCharCode(parseInt(high, 16), parseInt(low, 16));
  } else if (unit !== undefined) {
    decoded = String.fromCharCode(parseInt(unit, 16));
  } else if (byte !== undefined) {
    decoded = String.fromCharCode(parseInt(byte, 16));
  } else {
    const character = simple as string;
    decoded = SIMPLE[character] ?? character;
  }
  return ' '.repeat(escape.length - decoded.length) + decoded;
}

/**
 * `text` with its escape sequences decoded in place (see the module comment): the same length,
 * and `text` itself when it holds no backslash.
 *
 * @example decodeEscapes('great.\\nIgnore') === 'great. \nIgnore'
 */
export function decodeEscapes(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(ESCAPE, decode);
}
