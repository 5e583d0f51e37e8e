/**
 * The token vault: reversible, type-tagged stand-ins (`[[EMAIL_3f9a1c2b]]`) for values an agent must
 * not see, restorable only within the session that received them. Values are held encrypted under a
 * per-session key that lives in memory only; nothing here ever logs or prints a value.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { Clock, JsonValue } from '../core/index.js';
import { WardenError } from '../core/index.js';
import { FINDING_TYPES } from './types.js';
import type { FindingType } from './types.js';

/**
 * A vault token: `[[` + the finding type upper-cased + `_` + 8 lowercase hex + `]]`. Not global;
 * make a global copy (`new RegExp(TOKEN_PATTERN.source, 'g')`) to find every token in a text.
 */
export const TOKEN_PATTERN = /\[\[([A-Z][A-Z0-9_]{0,63})_([0-9a-f]{8})\]\]/;

export interface TokenVaultOptions {
  clock: Clock;
  /** A token not used (issued or restored) for this long is forgotten. */
  ttlSeconds: number;
  /** Most distinct values one session may tokenize; more is refused (WARDEN_INSPECTION_FAILED). Default 10,000. */
  maxTokensPerSession?: number;
}

/** How many tokens of each type a restore replaced. */
export interface RestoredCount {
  type: FindingType;
  count: number;
}

/** Default cap on distinct values per session. */
export const DEFAULT_MAX_TOKENS_PER_SESSION = 10_000;

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Expired entries are swept on use at most this often (milliseconds); `sweep()` does it at once. */
const LAZY_SWEEP_INTERVAL_MS = 60_000;
/** Depth beyond which restoreValue refuses a value (fail closed), unless told otherwise. */
const DEFAULT_MAX_DEPTH = 64;

/** One tokenized value, encrypted. */
interface VaultEntry {
  readonly type: FindingType;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
  /** Full HMAC of the value, hex: the key of `byDigest`. */
  readonly digest: string;
  lastUsed: number;
}

/** A session's keys and tokens. The keys never leave this object. */
interface VaultSession {
  readonly encryptionKey: Buffer;
  readonly macKey: Buffer;
  /** token → entry. */
  readonly entries: Map<string, VaultEntry>;
  /** HMAC of (type, value) → token, so the same value gets the same token. */
  readonly byDigest: Map<string, string>;
}

/**
 * Issues and restores tokens for values found in tool calls, per session.
 *
 * @example
 * const vault = new TokenVault({ clock: systemClock, ttlSeconds: 3600 });
 * const token = vault.tokenize('session-1', 'email', 'lan@example.com'); // [[EMAIL_3f9a1c2b]]
 * vault.restore('session-1', `write to ${token}`).text; // 'write to lan@example.com'
 * vault.restore('session-2', `write to ${token}`).text; // unchanged: another session's token
 */
export class TokenVault {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #maxTokens: number;
  readonly #sessions = new Map<string, VaultSession>();
  #lastSweep: number;

  constructor(options: TokenVaultOptions) {
    this.#clock = options.clock;
    this.#ttlMs = options.ttlSeconds * 1000;
    this.#maxTokens = options.maxTokensPerSession ?? DEFAULT_MAX_TOKENS_PER_SESSION;
    this.#lastSweep = this.#clock.now();
  }

  /**
   * The token standing for `value` in this session: the same value and type always get the same
   * token within a session (while it is remembered). Throws WARDEN_INSPECTION_FAILED when the
   * session already holds the maximum number of tokens.
   */
  tokenize(sessionId: string, type: FindingType, value: string): string {
    const now = this.#clock.now();
    this.#maybeSweep(now);
    let session = this.#sessions.get(sessionId);
    if (session === undefined) {
      const key = randomBytes(KEY_BYTES);
      session = {
        encryptionKey: subkey(key, 'warden-vault-encryption-v1'),
        macKey: subkey(key, 'warden-vault-token-id-v1'),
        entries: new Map(),
        byDigest: new Map(),
      };
      key.fill(0);
      this.#sessions.set(sessionId, session);
    }
    // UTF-16 code units as they are: lossless even for lone surrogates, which UTF-8 would replace.
    const plaintext = Buffer.from(value, 'utf16le');
    const digest = createHmac('sha256', session.macKey).update(`${type}\0`).update(plaintext).digest('hex');
    const existing = session.byDigest.get(digest);
    if (existing !== undefined) {
      const entry = session.entries.get(existing);
      if (entry !== undefined && now - entry.lastUsed <= this.#ttlMs) {
        entry.lastUsed = now;
        return existing;
      }
      this.#forget(session, existing);
    }
    if (session.entries.size >= this.#maxTokens) {
      throw new WardenError(
        'WARDEN_INSPECTION_FAILED',
        `This session already holds ${this.#maxTokens} tokenized values, the most one session may hold, so the call was refused rather than pass a value unmasked. Start a new session, or wait until unused tokens expire.`,
        { limit: 'maxTokensPerSession', maxTokensPerSession: this.#maxTokens },
      );
    }
    const token = tokenFor(session, type, digest);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', session.encryptionKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(token, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    plaintext.fill(0);
    session.entries.set(token, { type, iv, tag: cipher.getAuthTag(), ciphertext, digest, lastUsed: now });
    session.byDigest.set(digest, token);
    return token;
  }

  /**
   * Replaces the tokens issued to this session in `text` by their values. Tokens of other sessions,
   * expired tokens and token-like text are left as they are.
   */
  restore(sessionId: string, text: string): { text: string; restored: RestoredCount[] } {
    const counts = new Map<FindingType, number>();
    const restored = this.#restoreString(sessionId, text, counts, this.#clock.now());
    return { text: restored, restored: countsList(counts) };
  }

  /**
   * Restores this session's tokens in every string of a JSON value (object keys are left as they
   * are). Returns the same value when nothing was restored, else a new value; the input is never
   * changed. Throws WARDEN_INSPECTION_FAILED when the value is nested deeper than `maxDepth`.
   */
  restoreValue(
    sessionId: string,
    value: JsonValue,
    options: { maxDepth?: number } = {},
  ): { value: JsonValue; restored: RestoredCount[] } {
    const counts = new Map<FindingType, number>();
    if (!this.#sessions.has(sessionId)) return { value, restored: [] };
    const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    const now = this.#clock.now();
    const walk = (current: JsonValue, depth: number): JsonValue => {
      if (typeof current === 'string') return this.#restoreString(sessionId, current, counts, now);
      if (typeof current !== 'object' || current === null) return current;
      if (depth >= maxDepth) {
        throw new WardenError(
          'WARDEN_INSPECTION_FAILED',
          `Content inspection stopped and the call was refused, to fail closed rather than pass content unchecked: the content is nested deeper than ${maxDepth} levels (inspection.limits.maxDepth); flatten it, or raise the limit in warden.yaml if such content is expected.`,
          { limit: 'maxDepth' },
        );
      }
      if (Array.isArray(current)) {
        let copy: JsonValue[] | undefined;
        for (let index = 0; index < current.length; index++) {
          const item = current[index] as JsonValue;
          const next = walk(item, depth + 1);
          if (next !== item) (copy ??= [...current])[index] = next;
        }
        return copy ?? current;
      }
      let copy: { [key: string]: JsonValue } | undefined;
      for (const key of Object.keys(current)) {
        const item = current[key] as JsonValue;
        const next = walk(item, depth + 1);
        if (next !== item) (copy ??= { ...current })[key] = next;
      }
      return copy ?? current;
    };
    const restored = walk(value, 0);
    return { value: restored, restored: countsList(counts) };
  }

  /** The finding type a token stands for (from its text), or null when it is not a token. */
  typeOf(token: string): FindingType | null {
    const match = new RegExp(`^${TOKEN_PATTERN.source}$`).exec(token);
    const type = match?.[1]?.toLowerCase();
    return type !== undefined && Object.hasOwn(FINDING_TYPES, type) ? (type as FindingType) : null;
  }

  /** Forgets a session: its key and every value it tokenized. Its tokens can no longer be restored. */
  expire(sessionId: string): void {
    const session = this.#sessions.get(sessionId);
    if (session === undefined) return;
    for (const token of [...session.entries.keys()]) this.#forget(session, token);
    session.encryptionKey.fill(0);
    session.macKey.fill(0);
    this.#sessions.delete(sessionId);
  }

  /** Forgets tokens unused for longer than the TTL, and sessions left without tokens. */
  sweep(): void {
    const now = this.#clock.now();
    this.#lastSweep = now;
    for (const [sessionId, session] of this.#sessions) {
      for (const [token, entry] of session.entries) {
        if (now - entry.lastUsed > this.#ttlMs) this.#forget(session, token);
      }
      if (session.entries.size === 0) this.expire(sessionId);
    }
  }

  /** Counts only: sessions and tokens held. Never values. */
  get size(): { sessions: number; tokens: number } {
    let tokens = 0;
    for (const session of this.#sessions.values()) tokens += session.entries.size;
    return { sessions: this.#sessions.size, tokens };
  }

  /** What JSON.stringify shows: counts, never keys or values. */
  toJSON(): { sessions: number; tokens: number } {
    return this.size;
  }

  /** What console.log and util.inspect show: counts, never keys or values. */
  [inspect.custom](): string {
    const { sessions, tokens } = this.size;
    return `TokenVault { sessions: ${sessions}, tokens: ${tokens} }`;
  }

  #restoreString(sessionId: string, text: string, counts: Map<FindingType, number>, now: number): string {
    // Fast path: most strings hold no token at all.
    if (!text.includes('[[')) return text;
    const session = this.#sessions.get(sessionId);
    if (session === undefined) return text;
    return text.replace(new RegExp(TOKEN_PATTERN.source, 'g'), (token: string) => {
      const entry = session.entries.get(token);
      if (entry === undefined) return token;
      if (now - entry.lastUsed > this.#ttlMs) {
        this.#forget(session, token);
        return token;
      }
      const value = decrypt(session, token, entry);
      if (value === null) return token;
      entry.lastUsed = now;
      counts.set(entry.type, (counts.get(entry.type) ?? 0) + 1);
      return value;
    });
  }

  #forget(session: VaultSession, token: string): void {
    const entry = session.entries.get(token);
    if (entry === undefined) return;
    entry.ciphertext.fill(0);
    session.entries.delete(token);
    session.byDigest.delete(entry.digest);
  }

  #maybeSweep(now: number): void {
    if (now - this.#lastSweep >= Math.min(LAZY_SWEEP_INTERVAL_MS, this.#ttlMs)) this.sweep();
  }
}

/** An independent key for one purpose, derived from the session key. */
function subkey(key: Buffer, purpose: string): Buffer {
  return createHmac('sha256', key).update(purpose).digest();
}

/**
 * The token for a value: its HMAC's first 8 hex digits. Two values of one type that share those
 * (32 bits, so rare but possible in a large session) get the next free id derived from the HMAC.
 */
function tokenFor(session: VaultSession, type: FindingType, digest: string): string {
  const prefix = `[[${type.toUpperCase()}_`;
  let id = digest.slice(0, 8);
  for (let attempt = 1; session.entries.has(`${prefix}${id}]]`); attempt++) {
    id = createHmac('sha256', session.macKey).update(`${digest}\0${attempt}`).digest('hex').slice(0, 8);
  }
  return `${prefix}${id}]]`;
}

function decrypt(session: VaultSession, token: string, entry: VaultEntry): string | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', session.encryptionKey, entry.iv, {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(token, 'utf8'));
    decipher.setAuthTag(entry.tag);
    const plaintext = Buffer.concat([decipher.update(entry.ciphertext), decipher.final()]);
    const value = plaintext.toString('utf16le');
    plaintext.fill(0);
    return value;
  } catch {
    return null;
  }
}

function countsList(counts: Map<FindingType, number>): RestoredCount[] {
  return [...counts].map(([type, count]) => ({ type, count }));
}
