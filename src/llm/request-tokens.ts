/**
 * The reversible tokens of one model request. A value becomes `[[EMAIL_3f9a1c2b]]`, the vault's token
 * format (TOKEN_PATTERN), whose id is an HMAC of the value under a key no one outside this process
 * knows, mixed with a number no other request shares: the provider cannot guess a value from its
 * token, and tokens of one request mean nothing in another. The values live only in this object, in
 * memory, for as long as the request is served; `clear()` forgets them. The same type and value get
 * the same token within the request.
 *
 * Lighter than the session TokenVault (no per-request random key, no encryption of values that sit
 * in the request body in memory anyway), which matters on the per-request path of the LLM proxy.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { FindingType } from '../inspect/index.js';

/** Secret of this process: token ids are keyed with it. */
const PROCESS_KEY = randomBytes(32);
/** Numbers requests; never repeats within the process. */
let requestCounter = 0n;

/**
 * Tokens of one request.
 *
 * @example
 * const tokens = new RequestTokens();
 * const token = tokens.tokenize('email', 'lan@example.com'); // [[EMAIL_3f9a1c2b]]
 * tokens.restore(token); // 'lan@example.com'
 */
export class RequestTokens {
  readonly #request = (requestCounter += 1n).toString(36);
  readonly #values = new Map<string, string>();
  readonly #tokens = new Map<string, string>();

  /** The token standing for `value` (of finding type `type`) in this request. */
  tokenize(type: FindingType, value: string): string {
    const key = `${type}\0${value}`;
    const existing = this.#tokens.get(key);
    if (existing !== undefined) return existing;
    const prefix = `[[${type.toUpperCase()}_`;
    let token = '';
    // Two values sharing an 8-hex id (32 bits) in one request are rare; the next attempt differs.
    for (let attempt = 0; token === '' || this.#values.has(token); attempt++) {
      token = `${prefix}${this.#digest(`${attempt}\0${key}`).slice(0, 8)}]]`;
    }
    this.#values.set(token, value);
    this.#tokens.set(key, token);
    return token;
  }

  /** The value of a token this request issued, or null. */
  restore(token: string): string | null {
    return this.#values.get(token) ?? null;
  }

  /** `length` hex digits no one outside this process can predict (for the canary). */
  nonce(length: number): string {
    return this.#digest('nonce').slice(0, length);
  }

  /** How many values were tokenized. */
  get size(): number {
    return this.#values.size;
  }

  /** Forgets every value. */
  clear(): void {
    this.#values.clear();
    this.#tokens.clear();
  }

  #digest(text: string): string {
    return createHmac('sha256', PROCESS_KEY).update(`${this.#request}\0${text}`).digest('hex');
  }
}
