/** Identifiers: a short type prefix and 128 random bits, URL-safe, so an id says what it names. */

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

/** Returns `<prefix>_<26 base32 chars>` from 128 bits of randomness, e.g. `agt_...`. */
export function newId(prefix: string): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return `${prefix}_${out}`;
}

/** Agent, role and server names: lower-case letters, digits and dashes, 1-64 chars, starting with a letter. */
export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;
