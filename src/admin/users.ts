/**
 * Admin users: the people who decide approvals, defined in `config.admins`. They sign in with an API
 * key (`Bearer wak_...`) or a password (HTTP Basic); both are stored only as scrypt hashes. A refusal
 * never says whether the user exists, costs the same scrypt work either way, and repeated failures
 * from one address are refused for a while.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Decider } from '../approvals/types.js';
import type { AdminRole, WardenConfig } from '../config/index.js';
import { WardenError, systemClock } from '../core/index.js';
import type { Clock } from '../core/index.js';
import { MAX_SECRET_LENGTH, hashSecret, verifySecret } from '../identity/index.js';

/** Prefix of every admin API key, so a leaked one is easy to recognise in a scan. */
export const ADMIN_API_KEY_PREFIX = 'wak_';

/** How long a successful verification is remembered (scrypt costs tens of milliseconds a check). */
const CACHE_SECONDS = 60;
/** Most remembered verifications; the oldest is forgotten first. */
const CACHE_ENTRIES = 1000;
/** Most client addresses whose sign-in failures are tracked; the least recent is forgotten first. */
const TRACKED_ADDRESSES = 10_000;
/** Longest Authorization header read; longer ones are refused before any decoding. */
const MAX_HEADER_LENGTH = 4096;
/** Stored hashes are what `warden admins hash` prints; anything else never verifies. */
const SCRYPT_HASH_PATTERN = /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/;

/** An authenticated admin user, as the admin API and the approval service see them. */
export interface AdminPrincipal {
  name: string;
  email: string;
  roles: readonly AdminRole[];
  groups: readonly string[];
}

/** How many sign-in failures an address may have in a window before it is refused for a while. */
export interface SignInFailureLimit {
  max: number;
  windowSeconds: number;
}

export interface AdminDirectoryOptions {
  /** `config.admins`, with references already resolved (the hashes written out). */
  admins: WardenConfig['admins'];
  clock?: Clock;
  /** Default: 10 failures a minute per address. */
  failureLimit?: SignInFailureLimit;
}

/** An address that reached the sign-in failure limit and is refused for `retryAfterSeconds`. */
export interface SignInBlocked {
  address: string;
  failures: number;
  retryAfterSeconds: number;
}

/** What `authenticate` knows about the request besides its Authorization header. */
export interface AuthenticateContext {
  /** The client address, for the per-address failure limit. */
  address?: string;
}

interface AdminEntry {
  principal: AdminPrincipal;
  passwordHash: string | null;
  apiKeyHash: string | null;
}

interface CachedVerification {
  name: string;
  expiresAt: number;
}

/**
 * The admin users of one configuration and how they sign in.
 *
 * @example
 * const directory = new AdminDirectory({ admins: config.admins });
 * const principal = await directory.authenticate(request.headers.authorization, { address: request.ip });
 * requireRole(principal, 'admin', 'approver');
 */
export class AdminDirectory {
  readonly #admins = new Map<string, AdminEntry>();
  readonly #clock: Clock;
  readonly #failureLimit: SignInFailureLimit;
  readonly #blockedListeners = new Set<(event: SignInBlocked) => void>();
  /** SHA-256 of a credential that verified → who it belongs to, until when. Never the credential. */
  readonly #verified = new Map<string, CachedVerification>();
  /** Verifications running now, by the same fingerprint: parallel requests share one scrypt run. */
  readonly #inFlight = new Map<string, Promise<AdminPrincipal | null>>();
  /** Client address → times (ms) of its recent sign-in failures, oldest first. */
  readonly #failures = new Map<string, number[]>();

  /**
   * @throws WARDEN_CONFIG_INVALID when a resolved hash (from a `${file:...}` or `${env:...}` reference)
   *   is not a scrypt hash made by `warden admins hash`.
   */
  constructor(options: AdminDirectoryOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#failureLimit = options.failureLimit ?? { max: 10, windowSeconds: 60 };
    for (const [name, admin] of Object.entries(options.admins)) {
      this.#admins.set(name, {
        principal: Object.freeze({
          name,
          email: admin.email,
          roles: Object.freeze([...admin.roles]),
          groups: Object.freeze([...admin.groups]),
        }),
        passwordHash: checkedHash(name, 'passwordHash', admin.passwordHash),
        apiKeyHash: checkedHash(name, 'apiKeyHash', admin.apiKeyHash),
      });
    }
  }

  /**
   * Calls `listener` once each time an address reaches the failure limit (the admin API records it
   * in the audit log). Returns a function that removes the listener.
   */
  onBlocked(listener: (event: SignInBlocked) => void): () => void {
    this.#blockedListeners.add(listener);
    return () => {
      this.#blockedListeners.delete(listener);
    };
  }

  /** The admin user named `name`, or null. */
  get(name: string): AdminPrincipal | null {
    return this.#admins.get(name)?.principal ?? null;
  }

  /** Every admin user, in config order. */
  list(): AdminPrincipal[] {
    return [...this.#admins.values()].map((entry) => entry.principal);
  }

  /**
   * Authenticates `Authorization: Bearer wak_...` (API key) or `Authorization: Basic base64(name:password)`.
   *
   * @throws WARDEN_ADMIN_UNAUTHENTICATED for a missing, malformed or wrong credential (one message,
   *   whether or not the user exists); WARDEN_RATE_LIMITED (details `retryAfterSeconds`) when the
   *   address had too many failures lately.
   */
  async authenticate(
    authorizationHeader: string | undefined,
    context: AuthenticateContext = {},
  ): Promise<AdminPrincipal> {
    const address = context.address ?? '';
    this.#refuseIfBlocked(address);
    if (authorizationHeader === undefined || authorizationHeader.trim() === '') {
      throw new WardenError(
        'WARDEN_ADMIN_UNAUTHENTICATED',
        'this endpoint needs an admin user: send "Authorization: Bearer wak_..." with an admin API key (from `warden admins new-key NAME`), HTTP Basic with an admin user name and password, or sign in to the console (POST /admin/session)',
      );
    }
    const principal = await this.#verify(authorizationHeader);
    if (principal === null) {
      this.#recordFailure(address);
      throw notAccepted();
    }
    return principal;
  }

  /**
   * Checks a user name and password (the console's sign-in form), under the same per-address failure
   * limit as `authenticate`.
   *
   * @throws WARDEN_ADMIN_UNAUTHENTICATED for an unknown user or a wrong password (one message);
   *   WARDEN_RATE_LIMITED (details `retryAfterSeconds`) when the address had too many failures lately.
   */
  async signIn(name: string, password: string, context: AuthenticateContext = {}): Promise<AdminPrincipal> {
    const address = context.address ?? '';
    this.#refuseIfBlocked(address);
    const principal = await this.#verifyPassword(name, password);
    if (principal === null) {
      this.#recordFailure(address);
      throw new WardenError(
        'WARDEN_ADMIN_UNAUTHENTICATED',
        'the user name or password is wrong; use an admin user configured under admins with a passwordHash',
      );
    }
    return principal;
  }

  async #verify(header: string): Promise<AdminPrincipal | null> {
    if (header.length > MAX_HEADER_LENGTH) return null;
    const bearer = /^Bearer +(\S+) *$/i.exec(header);
    if (bearer?.[1] !== undefined) return this.#verifyApiKey(bearer[1]);
    const basic = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
    if (basic?.[1] !== undefined) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 1) return null;
      return this.#verifyPassword(decoded.slice(0, colon), decoded.slice(colon + 1));
    }
    return null;
  }

  async #verifyApiKey(key: string): Promise<AdminPrincipal | null> {
    if (!key.startsWith(ADMIN_API_KEY_PREFIX) || key.length > MAX_SECRET_LENGTH) return null;
    return this.#once(fingerprint('api-key', key), () => this.#checkApiKey(key));
  }

  async #checkApiKey(key: string): Promise<AdminPrincipal | null> {
    // The key does not name its user, so it is checked against every API key hash, all of them each
    // time: the work does not depend on which user (if any) it belongs to.
    const candidates = [...this.#admins.values()].filter((entry) => entry.apiKeyHash !== null);
    if (candidates.length === 0) {
      await verifyAgainstDummy(key);
      return null;
    }
    const results = await Promise.all(
      candidates.map((entry) => verifySecret(key, entry.apiKeyHash as string)),
    );
    const matches = candidates.filter((_entry, index) => results[index] === true);
    if (matches.length !== 1) return null;
    return (matches[0] as AdminEntry).principal;
  }

  async #verifyPassword(name: string, password: string): Promise<AdminPrincipal | null> {
    if (password.length === 0 || password.length > MAX_SECRET_LENGTH) return null;
    return this.#once(fingerprint('password', `${name}\0${password}`), () =>
      this.#checkPassword(name, password),
    );
  }

  async #checkPassword(name: string, password: string): Promise<AdminPrincipal | null> {
    const entry = this.#admins.get(name);
    if (entry?.passwordHash == null) {
      await verifyAgainstDummy(password);
      return null;
    }
    return (await verifySecret(password, entry.passwordHash)) ? entry.principal : null;
  }

  /** A remembered success, else the running check of the same credential, else a new check. */
  async #once(cacheKey: string, check: () => Promise<AdminPrincipal | null>): Promise<AdminPrincipal | null> {
    const cached = this.#cached(cacheKey);
    if (cached !== null) return cached;
    let running = this.#inFlight.get(cacheKey);
    if (running === undefined) {
      running = check().then((principal) => {
        if (principal !== null) this.#remember(cacheKey, principal.name);
        return principal;
      });
      const settled = (): void => {
        this.#inFlight.delete(cacheKey);
      };
      void running.then(settled, settled);
      this.#inFlight.set(cacheKey, running);
    }
    return running;
  }

  #cached(cacheKey: string): AdminPrincipal | null {
    const hit = this.#verified.get(cacheKey);
    if (hit === undefined) return null;
    if (hit.expiresAt <= this.#clock.now()) {
      this.#verified.delete(cacheKey);
      return null;
    }
    return this.#admins.get(hit.name)?.principal ?? null;
  }

  #remember(cacheKey: string, name: string): void {
    this.#verified.delete(cacheKey);
    this.#verified.set(cacheKey, { name, expiresAt: this.#clock.now() + CACHE_SECONDS * 1000 });
    while (this.#verified.size > CACHE_ENTRIES) {
      const oldest = this.#verified.keys().next().value as string;
      this.#verified.delete(oldest);
    }
  }

  #recentFailures(address: string): number[] {
    const since = this.#clock.now() - this.#failureLimit.windowSeconds * 1000;
    const times = (this.#failures.get(address) ?? []).filter((time) => time > since);
    if (times.length === 0) this.#failures.delete(address);
    return times;
  }

  #refuseIfBlocked(address: string): void {
    const times = this.#recentFailures(address);
    if (times.length < this.#failureLimit.max) return;
    const retryAfterSeconds = this.#retryAfterSeconds(times);
    throw new WardenError(
      'WARDEN_RATE_LIMITED',
      `too many failed admin sign-ins from this address (${this.#failureLimit.max} per ${this.#failureLimit.windowSeconds} s); retry in ${retryAfterSeconds} s with the right credentials`,
      { retryAfterSeconds },
    );
  }

  #recordFailure(address: string): void {
    const times = this.#recentFailures(address);
    times.push(this.#clock.now());
    // Re-inserted so the map's order is least recently failed first.
    this.#failures.delete(address);
    this.#failures.set(address, times.slice(-this.#failureLimit.max));
    while (this.#failures.size > TRACKED_ADDRESSES) {
      const oldest = this.#failures.keys().next().value as string;
      this.#failures.delete(oldest);
    }
    if (times.length === this.#failureLimit.max) {
      const event = { address, failures: times.length, retryAfterSeconds: this.#retryAfterSeconds(times) };
      for (const listener of this.#blockedListeners) listener(event);
    }
  }

  #retryAfterSeconds(times: readonly number[]): number {
    const oldest = times[times.length - this.#failureLimit.max] ?? this.#clock.now();
    const freeAt = oldest + this.#failureLimit.windowSeconds * 1000;
    return Math.max(1, Math.ceil((freeAt - this.#clock.now()) / 1000));
  }
}

/**
 * The approval decider an admin user acts as: `admin:<name>`, with their email, roles and groups
 * (separation of duties compares the email with the agent's owner).
 */
export function toDecider(principal: AdminPrincipal): Decider {
  return {
    actor: `admin:${principal.name}`,
    email: principal.email,
    roles: principal.roles,
    groups: principal.groups,
  };
}

/** True when the admin user has at least one of `roles`. */
export function hasRole(principal: AdminPrincipal, ...roles: AdminRole[]): boolean {
  return principal.roles.some((role) => roles.includes(role));
}

/**
 * Refuses unless the admin user has at least one of `roles`.
 *
 * @throws WARDEN_ADMIN_FORBIDDEN naming the roles needed and the ones the user has.
 */
export function requireRole(principal: AdminPrincipal, ...roles: AdminRole[]): void {
  if (hasRole(principal, ...roles)) return;
  throw new WardenError(
    'WARDEN_ADMIN_FORBIDDEN',
    `admin user "${principal.name}" has the role${principal.roles.length === 1 ? '' : 's'} ${principal.roles.join(', ')}; this needs the role ${roles.join(' or ')}. Ask an admin to add it to admins.${principal.name}.roles in the config`,
    { admin: principal.name, roles: principal.roles, required: roles },
  );
}

/** Returns a new admin API key: `wak_` followed by 32 random bytes in base64url (43 characters). */
export function generateAdminApiKey(): string {
  return ADMIN_API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * Hashes an admin password or API key for `config.admins.<name>.passwordHash` / `apiKeyHash`.
 *
 * @returns `scrypt$16384$8$1$<salt>$<hash>`
 * @throws WARDEN_USAGE when the value is empty or longer than {@link MAX_SECRET_LENGTH} characters.
 */
export async function hashAdminCredential(value: string): Promise<string> {
  if (value.length === 0 || value.length > MAX_SECRET_LENGTH) {
    throw new WardenError(
      'WARDEN_USAGE',
      `a password or API key must be 1 to ${MAX_SECRET_LENGTH} characters long; for an API key run \`warden admins new-key NAME\``,
    );
  }
  return hashSecret(value);
}

function notAccepted(): WardenError {
  return new WardenError(
    'WARDEN_ADMIN_UNAUTHENTICATED',
    'the admin credentials were not accepted; check the API key (Bearer wak_...) or the user name and password (Basic), as configured under admins in the config',
  );
}

function checkedHash(
  name: string,
  field: 'passwordHash' | 'apiKeyHash',
  value: string | undefined,
): string | null {
  if (value === undefined) return null;
  if (!SCRYPT_HASH_PATTERN.test(value)) {
    throw new WardenError(
      'WARDEN_CONFIG_INVALID',
      `admins.${name}.${field} does not hold a scrypt hash; write what \`warden admins hash\` (or \`warden admins new-key ${name}\`) printed into it, or into the file it references`,
      { admin: name, field },
    );
  }
  return value;
}

function fingerprint(kind: string, credential: string): string {
  return createHash('sha256').update(kind).update('\0').update(credential).digest('base64url');
}

let dummyHash: Promise<string> | undefined;

/** Spends the scrypt time of a real check, so a refusal does not reveal whether the user exists. */
async function verifyAgainstDummy(credential: string): Promise<void> {
  dummyHash ??= hashSecret('warden-dummy-credential-for-unknown-admins');
  await verifySecret(credential.slice(0, MAX_SECRET_LENGTH), await dummyHash);
}
