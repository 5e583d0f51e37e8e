/**
 * Agent client secrets: generated with 256 random bits, stored only as scrypt hashes, and compared in
 * constant time. A malformed stored hash never verifies.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { WardenError } from '../core/index.js';

/** Prefix of every secret Warden generates, so a leaked one is easy to recognise in a scan. */
export const CLIENT_SECRET_PREFIX = 'wsec_';

/** Longest secret accepted, in characters; longer input is refused before any hashing. */
export const MAX_SECRET_LENGTH = 512;

const SCRYPT_N = 16384;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Returns a new client secret: `wsec_` followed by 32 random bytes in base64url (43 characters). */
export function generateClientSecret(): string {
  return CLIENT_SECRET_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * Hashes a client secret with scrypt (N=16384, r=8, p=1, 16-byte salt, 32-byte output).
 *
 * @returns `scrypt$16384$8$1$<salt base64url>$<hash base64url>`
 * @throws WARDEN_AGENT_INVALID when the secret is empty or longer than {@link MAX_SECRET_LENGTH}.
 */
export async function hashSecret(secret: string): Promise<string> {
  if (typeof secret !== 'string' || secret.length === 0 || secret.length > MAX_SECRET_LENGTH) {
    throw new WardenError(
      'WARDEN_AGENT_INVALID',
      `a client secret must be 1 to ${MAX_SECRET_LENGTH} characters long; generate one with \`warden agents rotate-secret NAME\``,
    );
  }
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(secret, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, HASH_BYTES);
  return `scrypt$${SCRYPT_N}$${SCRYPT_R}$${SCRYPT_P}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/**
 * Checks `secret` against a stored scrypt hash in constant time. Returns false for a wrong secret, an
 * over-long secret, and any malformed or out-of-range hash; it never throws for bad input.
 */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  if (typeof secret !== 'string' || secret.length > MAX_SECRET_LENGTH) return false;
  const parsed = parseHash(stored);
  if (parsed === null) return false;
  let actual: Buffer;
  try {
    actual = await derive(secret, parsed.salt, parsed.n, parsed.r, parsed.p, parsed.hash.length);
  } catch {
    return false;
  }
  return actual.length === parsed.hash.length && timingSafeEqual(actual, parsed.hash);
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same scrypt time as a real check and returns false. Used for unknown clients so that
 * response time does not reveal which client ids exist.
 */
export async function verifyAgainstDummy(secret: string): Promise<false> {
  dummyHash ??= hashSecret('warden-dummy-secret-for-unknown-clients');
  await verifySecret(typeof secret === 'string' ? secret.slice(0, MAX_SECRET_LENGTH) : '', await dummyHash);
  return false;
}

interface ParsedHash {
  n: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function parseHash(stored: unknown): ParsedHash | null {
  if (typeof stored !== 'string' || stored.length > 256) return null;
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [, nText, rText, pText, saltText, hashText] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (![nText, rText, pText].every((text) => /^[1-9][0-9]{0,7}$/.test(text))) return null;
  const n = Number(nText);
  const r = Number(rText);
  const p = Number(pText);
  // Bounds keep a tampered hash from turning verification into a memory or CPU bomb.
  if (n < 1024 || n > 1 << 20 || (n & (n - 1)) !== 0 || r > 32 || p > 16) return null;
  if (!BASE64URL.test(saltText) || !BASE64URL.test(hashText)) return null;
  const salt = Buffer.from(saltText, 'base64url');
  const hash = Buffer.from(hashText, 'base64url');
  if (salt.length < 8 || hash.length < 16 || hash.length > 64) return null;
  return { n, r, p, salt, hash };
}

function derive(
  secret: string,
  salt: Buffer,
  n: number,
  r: number,
  p: number,
  length: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, length, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 }, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}
