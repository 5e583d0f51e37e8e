/**
 * Redaction of audit details: values under keys that name secrets, and strings that look like
 * credentials (JWTs, Warden client secrets, model provider keys, PEM private keys, passwords in URLs,
 * bearer tokens), never reach the log; depth, string length and node count are bounded so a hostile
 * detail cannot blow up an entry.
 */
import type { JsonObject, JsonValue } from '../core/index.js';

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';

/** Limits that keep one detail small. */
export interface RedactLimits {
  /** Objects and arrays nested deeper than this are replaced by a marker. Default 32. */
  maxDepth: number;
  /** Strings (and keys) longer than this many characters are cut, with a marker. Default 4096. */
  maxStringLength: number;
  /** At most this many values in the whole detail; the rest is replaced by a marker. Default 10,000. */
  maxNodes: number;
}

export const DEFAULT_REDACT_LIMITS: RedactLimits = { maxDepth: 32, maxStringLength: 4096, maxNodes: 10_000 };

/** Words that, as a word of a key, mark its value as a secret. */
const SECRET_WORDS = new Set([
  'secret',
  'secrets',
  'password',
  'passwords',
  'passwd',
  'passphrase',
  'pwd',
  'token',
  'cookie',
  'cookies',
  'credential',
  'credentials',
  'jwt',
  'bearer',
  'otp',
]);

/** Word sequences (joined without separators) that mark a secret, e.g. `api_key`, `privateKeyPem`. */
const SECRET_COMPOUNDS = [
  'apikey',
  'privatekey',
  'masterkey',
  'secretkey',
  'accesskey',
  'signingkey',
  'encryptionkey',
  'sessionkey',
];

/**
 * A last word that says the value describes a secret rather than being one: `tokenId`,
 * `secretVersion`, `token_count`, `secretRotatedAt`.
 */
const METADATA_WORDS = new Set([
  'id',
  'ids',
  'kid',
  'count',
  'version',
  'type',
  'length',
  'size',
  'limit',
  'max',
  'min',
  'ttl',
  'lifetime',
  'expires',
  'expiry',
  'at',
  'name',
  'url',
  'uri',
  'endpoint',
  'status',
  'decision',
  'policy',
  'policies',
  'scheme',
  'method',
  'required',
  'enabled',
]);

/** Splits `clientSecret`, `client_secret`, `X-Api-Key`, `APIKey` into lowercase words. */
function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

/** True when a key names a secret, e.g. `password`, `client_secret`, `Authorization`, `x-api-key`. */
export function isSecretKey(key: string): boolean {
  const words = keyWords(key.length > 256 ? key.slice(0, 256) : key);
  const last = words[words.length - 1];
  if (last === undefined || (words.length > 1 && METADATA_WORDS.has(last))) return false;
  // `authorization` counts only as the last word (the header), not in `authorizationDecision`.
  if (last === 'authorization' || words.some((word) => SECRET_WORDS.has(word))) return true;
  const joined = words.join('');
  return SECRET_COMPOUNDS.some((compound) => joined.includes(compound));
}

// Each pattern is linear: look-behinds pin where a match may start, so no input backtracks
// quadratically.
const SECRET_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // PEM private keys (RSA, EC, OPENSSH, ENCRYPTED ...), also when cut before the END line.
  [
    /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)/g,
    REDACTED,
  ],
  // JWTs and JWS: a base64url JSON header `eyJ...`, a payload and a signature (maybe empty).
  [/(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, REDACTED],
  // Warden client secrets.
  [/wsec_[A-Za-z0-9_-]*/g, REDACTED],
  // Model provider keys, whole or masked as providers echo them: `sk-...`, `sk-ant-api03-...`,
  // `sk-proj-...`, `sk-proj-****abcd`; a digit or `*` must follow, so prose such as "sk-learn" stays.
  [/(?<![A-Za-z0-9_-])sk-(?=[A-Za-z0-9_*-]{0,256}[0-9*])[A-Za-z0-9_*-]{8,}/g, REDACTED],
  // The password of a URL's userinfo: scheme://user:password@host.
  [/(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:@/]*:)[^\s@/]+@/g, `$1${REDACTED}@`],
  // HTTP credentials written out, e.g. a logged header line `Authorization: Bearer abc123...`; the
  // credential must hold a digit or symbol, so prose such as "Basic information" is left alone.
  [
    /(?<![A-Za-z0-9])(Bearer|bearer|BEARER|Basic|BASIC)\s+(?=[A-Za-z0-9._~+/=-]{0,8192}[0-9._~+/=-])[A-Za-z0-9._~+/=-]{8,}/g,
    `$1 ${REDACTED}`,
  ],
];

/** Replaces credential-shaped parts of `text` with REDACTED. */
export function redactString(text: string): string {
  let result = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) {
    pattern.lastIndex = 0;
    result = result.replace(pattern, replacement);
  }
  return result;
}

/** Replaces NUL and unpaired surrogates, which some stores cannot hold, with U+FFFD. */
export function toStorableString(text: string): string {
  return text
    .replaceAll('\u0000', '\uFFFD')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Redacts, cuts to `maxLength` characters with a marker, and makes storable. */
function cleanString(text: string, maxLength: number): string {
  // Redact a window a little longer than what is kept, so a secret straddling the cut is still seen.
  const window = text.length > maxLength + 1024 ? text.slice(0, maxLength + 1024) : text;
  let result = redactString(window);
  if (text.length > maxLength || result.length > maxLength) {
    result = `${result.slice(0, maxLength)}…[TRUNCATED: ${text.length} characters]`;
  }
  return toStorableString(result);
}

/**
 * A copy of `detail` safe to store in the audit log: values under secret-naming keys become
 * `[REDACTED]`; credential-shaped substrings anywhere are replaced; nesting beyond `maxDepth`,
 * strings beyond `maxStringLength` and values beyond `maxNodes` are replaced or cut with markers.
 * Values JSON cannot hold (undefined, functions, NaN) become null or are dropped, as JSON.stringify does.
 *
 * @example
 * redactDetail({ client_id: 'bot', client_secret: 'wsec_abc' }); // { client_id: 'bot', client_secret: '[REDACTED]' }
 */
export function redactDetail(detail: JsonObject, limits: Partial<RedactLimits> = {}): JsonObject {
  const { maxDepth, maxStringLength, maxNodes } = { ...DEFAULT_REDACT_LIMITS, ...limits };
  let nodes = 0;

  const visit = (value: unknown, depth: number): JsonValue | undefined => {
    nodes += 1;
    if (value === null) return null;
    switch (typeof value) {
      case 'string':
        return cleanString(value, maxStringLength);
      case 'number':
        return Number.isFinite(value) ? value : null;
      case 'boolean':
        return value;
      case 'bigint':
        return value.toString();
      case 'object':
        break;
      default:
        return undefined; // undefined, functions, symbols: dropped like JSON.stringify does
    }
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
    if (depth >= maxDepth) return `[TRUNCATED: nested deeper than ${maxDepth}]`;
    if (Array.isArray(value)) {
      const items: JsonValue[] = [];
      for (let index = 0; index < value.length; index += 1) {
        if (nodes >= maxNodes) {
          items.push(`[TRUNCATED: ${value.length - index} more items]`);
          break;
        }
        items.push(visit(value[index], depth + 1) ?? null);
      }
      return items;
    }
    return visitObject(value as Record<string, unknown>, depth);
  };

  const visitObject = (object: Record<string, unknown>, depth: number): JsonObject => {
    const entries: Array<[string, JsonValue]> = [];
    const keys = Object.keys(object);
    for (let index = 0; index < keys.length; index += 1) {
      const key = keys[index]!;
      if (nodes >= maxNodes) {
        entries.push(['[truncated]', `${keys.length - index} more keys`]);
        break;
      }
      const value = object[key];
      const cleanKey = cleanString(key, 256);
      if (value !== null && typeof value !== 'boolean' && value !== undefined && isSecretKey(key)) {
        nodes += 1;
        entries.push([cleanKey, REDACTED]);
        continue;
      }
      const cleaned = visit(value, depth + 1);
      if (cleaned !== undefined) entries.push([cleanKey, cleaned]);
    }
    // fromEntries defines own properties, so a `__proto__` key stays an ordinary key.
    return Object.fromEntries<JsonValue>(entries);
  };

  return visitObject(detail, 0);
}
