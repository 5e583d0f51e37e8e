/**
 * The master key every secret at rest is sealed under: from WARDEN_MASTER_KEY, or a key file created
 * with mode 0600 on first start. Key files readable by group or others are refused, and the key bytes
 * never appear in logs, JSON or inspection output.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { inspect } from 'node:util';
import { WardenError } from '../core/index.js';
import { seal, unseal } from './seal.js';

/** Environment variable holding the master key. */
export const MASTER_KEY_ENV = 'WARDEN_MASTER_KEY';
export const MASTER_KEY_BYTES = 32;

const HKDF_SALT = Buffer.from('warden-master-key-hkdf-v1', 'utf8');
const PURPOSE_PATTERN = /^[a-z0-9][a-z0-9:._-]{0,127}$/;
const GENERATE_HINT = 'generate one with `openssl rand -base64 32`';

/** Where the master key came from, for a log line at start (never the key itself). */
export type MasterKeySource =
  { kind: 'env'; variable: string } | { kind: 'file'; path: string; created: boolean };

/**
 * The 32-byte master key. It derives purpose keys with HKDF-SHA256 and seals values with envelope
 * encryption; the raw bytes cannot be read back out.
 */
export class MasterKey {
  readonly #bytes: Buffer;
  readonly source: MasterKeySource;

  constructor(bytes: Uint8Array, source: MasterKeySource = { kind: 'env', variable: MASTER_KEY_ENV }) {
    if (bytes.length !== MASTER_KEY_BYTES) {
      throw new WardenError(
        'WARDEN_MASTER_KEY_INVALID',
        `the master key must be exactly 32 bytes; ${GENERATE_HINT}`,
      );
    }
    this.#bytes = Buffer.from(bytes);
    this.source = source;
  }

  /**
   * Derives a 32-byte key for one purpose with HKDF-SHA256; each call returns a fresh copy.
   *
   * @example
   * const digestKey = masterKey.deriveKey('audit-digest');
   */
  deriveKey(purpose: string): Uint8Array {
    if (typeof purpose !== 'string' || !PURPOSE_PATTERN.test(purpose)) {
      throw new WardenError('WARDEN_INTERNAL', `invalid key purpose "${String(purpose).slice(0, 64)}"`);
    }
    return new Uint8Array(hkdfSync('sha256', this.#bytes, HKDF_SALT, `warden:${purpose}`, 32));
  }

  /** Seals `plaintext` for `context` (see {@link seal}). */
  seal(plaintext: Uint8Array | string, context: string): string {
    return seal(this, plaintext, context);
  }

  /** Unseals a value sealed for `context` (see {@link unseal}); throws WARDEN_KEY_DECRYPT_FAILED. */
  unseal(sealed: string, context: string): Buffer {
    return unseal(this, sealed, context);
  }

  toJSON(): string {
    return '[MasterKey]';
  }

  toString(): string {
    return '[MasterKey]';
  }

  [inspect.custom](): string {
    return '[MasterKey]';
  }
}

export interface LoadMasterKeyOptions {
  /** The process environment; WARDEN_MASTER_KEY wins over the key file when set. */
  env: Readonly<Record<string, string | undefined>>;
  /** config `secrets.masterKeyFile`, relative to `baseDir` unless absolute. */
  keyFile: string;
  /** Directory relative paths are resolved against (the config file's directory). */
  baseDir: string;
  /**
   * Create the key file when it is missing (default true). Pass false when the store already holds
   * values sealed under a master key: a new key could not open them, so a missing file is an error.
   */
  createIfMissing?: boolean;
}

/**
 * Loads the master key: WARDEN_MASTER_KEY (32 bytes as base64, base64url or 64 hex characters) if
 * set, else the key file, which is created (32 random bytes, mode 0600, directory 0700) on first start.
 *
 * @throws WARDEN_MASTER_KEY_INVALID for a malformed env value, a malformed key file, or a key file
 *   readable by group or others.
 */
export async function loadMasterKey(options: LoadMasterKeyOptions): Promise<MasterKey> {
  const fromEnv = options.env[MASTER_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    const bytes = decodeMasterKey(fromEnv);
    if (bytes === null) {
      throw new WardenError(
        'WARDEN_MASTER_KEY_INVALID',
        `${MASTER_KEY_ENV} is not a 32-byte key written as base64, base64url or 64 hex characters; ${GENERATE_HINT}`,
        { variable: MASTER_KEY_ENV },
      );
    }
    return new MasterKey(bytes, { kind: 'env', variable: MASTER_KEY_ENV });
  }
  const path = isAbsolute(options.keyFile) ? options.keyFile : resolve(options.baseDir, options.keyFile);
  const existing = await readKeyFile(path);
  if (existing !== null) return new MasterKey(existing, { kind: 'file', path, created: false });
  if (options.createIfMissing === false) {
    throw new WardenError(
      'WARDEN_MASTER_KEY_INVALID',
      `the master key file ${path} does not exist, but this database already holds keys sealed under a master key; ` +
        `restore the original key file there (or set ${MASTER_KEY_ENV}). Warden does not make a new key for an existing database, since it could not open what is sealed.`,
      { path },
    );
  }
  const created = await createKeyFile(path);
  return new MasterKey(created.bytes, { kind: 'file', path, created: created.created });
}

/**
 * Decodes a master key written as 64 hex characters, base64 or base64url (surrounding whitespace is
 * ignored). Returns null unless the text is exactly one of those encodings of 32 bytes.
 */
export function decodeMasterKey(text: string): Uint8Array | null {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return new Uint8Array(Buffer.from(value, 'hex'));
  // 43 characters (plus optional padding) hold 32 bytes; re-encoding rejects stray trailing bits.
  if (/^[A-Za-z0-9+/]{43}=?$/.test(value)) {
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length === MASTER_KEY_BYTES && bytes.toString('base64') === `${value.replace(/=$/, '')}=`) {
      return new Uint8Array(bytes);
    }
  }
  if (/^[A-Za-z0-9_-]{43}$/.test(value)) {
    const bytes = Buffer.from(value, 'base64url');
    if (bytes.length === MASTER_KEY_BYTES && bytes.toString('base64url') === value)
      return new Uint8Array(bytes);
  }
  return null;
}

/** Reads an existing key file, refusing loose permissions; null when it does not exist. */
async function readKeyFile(path: string): Promise<Uint8Array | null> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new WardenError(
      'WARDEN_MASTER_KEY_INVALID',
      `cannot read the master key file ${path}: ${(error as Error).message}`,
      {
        path,
      },
    );
  }
  if (!info.isFile()) {
    throw new WardenError('WARDEN_MASTER_KEY_INVALID', `the master key file ${path} is not a regular file`, {
      path,
    });
  }
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
    throw new WardenError(
      'WARDEN_MASTER_KEY_INVALID',
      `the master key file ${path} is readable by group or others (mode ${(info.mode & 0o777).toString(8)}); run \`chmod 600 ${path}\` and start again`,
      { path },
    );
  }
  let content: Buffer;
  try {
    content = await readFile(path);
  } catch (error) {
    throw new WardenError(
      'WARDEN_MASTER_KEY_INVALID',
      `cannot read the master key file ${path}: ${(error as Error).message}`,
      {
        path,
      },
    );
  }
  const bytes =
    content.length === MASTER_KEY_BYTES ? new Uint8Array(content) : decodeMasterKey(content.toString('utf8'));
  if (bytes === null) {
    throw new WardenError(
      'WARDEN_MASTER_KEY_INVALID',
      `the master key file ${path} does not hold a 32-byte key (raw, base64, base64url or hex); restore the original file, or set ${MASTER_KEY_ENV}`,
      { path },
    );
  }
  return bytes;
}

/**
 * Creates the key file atomically: the key is written to a private temporary file (opened with 'wx',
 * mode 0600) which is then hard-linked into place, so no process ever sees a partial key and two
 * processes starting at once end up with the same key.
 */
async function createKeyFile(path: string): Promise<{ bytes: Uint8Array; created: boolean }> {
  const directory = dirname(path);
  const bytes = randomBytes(MASTER_KEY_BYTES);
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  let handle: FileHandle;
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    handle = await open(temporary, 'wx', 0o600);
  } catch (error) {
    throw new WardenError(
      'WARDEN_MASTER_KEY_INVALID',
      `cannot create the master key file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}); make its directory writable, or set ${MASTER_KEY_ENV}`,
      { path },
    );
  }
  try {
    try {
      await handle.chmod(0o600);
      await handle.writeFile(`${bytes.toString('base64')}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temporary, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new WardenError(
          'WARDEN_MASTER_KEY_INVALID',
          `cannot create the master key file ${path}: ${(error as Error).message}`,
          { path },
        );
      }
      // Another process created it first: use theirs.
      const existing = await readKeyFile(path);
      if (existing === null)
        throw new WardenError('WARDEN_MASTER_KEY_INVALID', `the master key file ${path} vanished`, {
          path,
        });
      return { bytes: existing, created: false };
    }
    // The new name must survive a power cut too: the database is about to hold values sealed under it.
    const directoryHandle = await open(directory, 'r');
    try {
      await directoryHandle.sync();
    } finally {
      await directoryHandle.close();
    }
  } finally {
    // The temporary name holds key bytes: it never outlives this function, whatever failed.
    await unlink(temporary).catch(() => undefined);
  }
  return { bytes: new Uint8Array(bytes), created: true };
}
