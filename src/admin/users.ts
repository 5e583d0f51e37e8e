/**
 * Admin users: the people who decide approvals, defined in `config.admins`. They sign in with an API
 * key (`Bearer wak_...`) or a password (HTTP Basic); both are stored only as scrypt hashes. A refusal
 * never says whether the user exists, costs the same scrypt work either way, and repeated failures
 * from one address are refused for a while. A check counts against the address's limit from the moment
 * it starts (not when it fails), so parallel guesses cannot outrun the limit; checks running at once
 * are capped per address and in all; and repeated wrong passwords for one user name lock that user's
 * password sign-in for a while (API keys still work).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Decider } from '../approvals/types.js';
import type { AdminRole, WardenConfig } from '../config/index.js';
import { WardenError, systemClock } from '../core/index.js';
import type { Clock } from '../core/index.js';
import { MAX_SECRET_LENGTH, hashSecret, verifySecret } from '../identity/index.js';
import type { SessionAccount } from './console-sessions.js';

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
/** Password or API key checks (scrypt) one address may have running at once. */
const MAX_CHECKS_PER_ADDRESS = 4;
/** Password or API key checks (scrypt) running at once in this process, from all addresses. */
const MAX_CHECKS = 32;
/** Most user names whose password failures are tracked; the least recent is forgotten first. */
const TRACKED_USERS = 10_000;
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
  /**
   * Wrong passwords for one user name (from any address) before that user's password sign-in is
   * locked for the rest of the window. Default: 20 in 15 minutes. API keys are not affected.
   */
  userFailureLimit?: SignInFailureLimit;
}

/**
 * An address that reached the sign-in failure limit and is refused for `retryAfterSeconds`, or (with
 * `user`) an admin user whose password sign-in was locked after too many wrong passwords.
 */
export interface SignInBlocked {
  address: string;
  failures: number;
  retryAfterSeconds: number;
  /** Set when an admin user's password sign-in was locked (the address is then the last one tried). */
  user?: string;
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

/** A credential to check: its cache fingerprint, the user name it names (passwords), and the check. */
interface Credential {
  cacheKey: string;
  user: string | null;
  check: () => Promise<AdminPrincipal | null>;
}

/** Recent failure times (ms, oldest first) and checks running now, for one address or user name. */
interface Attempts {
  failures: number[];
  running: number;
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
  readonly #userFailureLimit: SignInFailureLimit;
  readonly #blockedListeners = new Set<(event: SignInBlocked) => void>();
  /** SHA-256 of a credential that verified → who it belongs to, until when. Never the credential. */
  readonly #verified = new Map<string, CachedVerification>();
  /** Verifications running now, by the same fingerprint: parallel requests share one scrypt run. */
  readonly #inFlight = new Map<string, Promise<AdminPrincipal | null>>();
  /** Client address → its recent sign-in failures and checks running now. */
  readonly #addresses = new Map<string, Attempts>();
  /** User name (as sent, known or not) → its recent wrong passwords and password checks running now. */
  readonly #users = new Map<string, Attempts>();
  /** Checks running now in this process. */
  #running = 0;

  /**
   * @throws WARDEN_CONFIG_INVALID when a resolved hash (from a `${file:...}` or `${env:...}` reference)
   *   is not a scrypt hash made by `warden admins hash`.
   */
  constructor(options: AdminDirectoryOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#failureLimit = options.failureLimit ?? { max: 10, windowSeconds: 60 };
    this.#userFailureLimit = options.userFailureLimit ?? { max: 20, windowSeconds: 15 * 60 };
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

  /**
   * The admin user named `name` with a fingerprint of their configured password hash (null without a
   * password), for console sessions: a changed or removed password ends them. Null for no such user.
   */
  account(name: string): SessionAccount | null {
    const entry = this.#admins.get(name);
    if (entry === undefined) return null;
    return {
      principal: entry.principal,
      passwordFingerprint:
        entry.passwordHash === null
          ? null
          : createHash('sha256').update(entry.passwordHash).digest('base64url').slice(0, 22),
    };
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
   *   address had too many failures lately (checks still running count as failures until they
   *   succeed), has too many checks running, or the user's password sign-in is locked.
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
    const credential = this.#credentialOf(authorizationHeader);
    const principal = credential === null ? null : await this.#attempt(credential, address);
    if (principal === null) {
      if (credential === null) this.#recordFailure(address, null);
      throw notAccepted();
    }
    return principal;
  }

  /**
   * Checks a user name and password (the console's sign-in form), under the same per-address failure
   * limit as `authenticate`.
   *
   * @throws WARDEN_ADMIN_UNAUTHENTICATED for an unknown user or a wrong password (one message);
   *   WARDEN_RATE_LIMITED (details `retryAfterSeconds`) when the address had too many failures lately,
   *   has too many checks running, or the user's password sign-in is locked.
   */
  async signIn(name: string, password: string, context: AuthenticateContext = {}): Promise<AdminPrincipal> {
    const address = context.address ?? '';
    this.#refuseIfBlocked(address);
    const credential = this.#passwordCredential(name, password);
    const principal = credential === null ? null : await this.#attempt(credential, address);
    if (principal === null) {
      if (credential === null) this.#recordFailure(address, null);
      throw new WardenError(
        'WARDEN_ADMIN_UNAUTHENTICATED',
        'the user name or password is wrong; use an admin user configured under admins with a passwordHash',
      );
    }
    return principal;
  }

  /** The credential an Authorization header carries, or null when it is malformed (a failure). */
  #credentialOf(header: string): Credential | null {
    if (header.length > MAX_HEADER_LENGTH) return null;
    const bearer = /^Bearer +(\S+) *$/i.exec(header);
    if (bearer?.[1] !== undefined) {
      const key = bearer[1];
      if (!key.startsWith(ADMIN_API_KEY_PREFIX) || key.length > MAX_SECRET_LENGTH) return null;
      return { cacheKey: fingerprint('api-key', key), user: null, check: () => this.#checkApiKey(key) };
    }
    const basic = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
    if (basic?.[1] !== undefined) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 1) return null;
      return this.#passwordCredential(decoded.slice(0, colon), decoded.slice(colon + 1));
    }
    return null;
  }

  #passwordCredential(name: string, password: string): Credential | null {
    if (password.length === 0 || password.length > MAX_SECRET_LENGTH) return null;
    return {
      cacheKey: fingerprint('password', `${name}\0${password}`),
      user: name,
      check: () => this.#checkPassword(name, password),
    };
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

  async #checkPassword(name: string, password: string): Promise<AdminPrincipal | null> {
    const entry = this.#admins.get(name);
    if (entry?.passwordHash == null) {
      await verifyAgainstDummy(password);
      return null;
    }
    return (await verifySecret(password, entry.passwordHash)) ? entry.principal : null;
  }

  /**
   * A remembered success, else the running check of the same credential (joined: it takes no new
   * slot, and its failure counts once), else a new check, which first takes a slot under the
   * address's (and for a password, the user name's) failure limit and the concurrency caps; the slot
   * is released when the check succeeds and becomes a recorded failure when it does not.
   */
  async #attempt(credential: Credential, address: string): Promise<AdminPrincipal | null> {
    const { cacheKey, user } = credential;
    const cached = this.#cached(cacheKey);
    if (cached !== null) return cached;
    const joined = this.#inFlight.get(cacheKey);
    if (joined !== undefined) return joined;

    this.#reserve(address, user);
    const running = (async (): Promise<AdminPrincipal | null> => {
      let principal: AdminPrincipal | null = null;
      try {
        principal = await credential.check();
      } finally {
        this.#release(address, user);
        if (principal === null) this.#recordFailure(address, user);
      }
      if (principal !== null) this.#remember(cacheKey, principal.name);
      return principal;
    })();
    const settled = (): void => {
      this.#inFlight.delete(cacheKey);
    };
    void running.then(settled, settled);
    this.#inFlight.set(cacheKey, running);
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

  /** The address's (or user name's) recent failures, with the expired ones dropped. */
  #attemptsOf(map: Map<string, Attempts>, key: string, limit: SignInFailureLimit): Attempts {
    const since = this.#clock.now() - limit.windowSeconds * 1000;
    const attempts = map.get(key) ?? { failures: [], running: 0 };
    attempts.failures = attempts.failures.filter((time) => time > since);
    if (attempts.failures.length === 0 && attempts.running === 0) map.delete(key);
    return attempts;
  }

  #refuseIfBlocked(address: string): void {
    const { failures, running } = this.#attemptsOf(this.#addresses, address, this.#failureLimit);
    if (failures.length + running < this.#failureLimit.max) return;
    const retryAfterSeconds =
      failures.length >= this.#failureLimit.max ? this.#retryAfterSeconds(failures, this.#failureLimit) : 1;
    throw new WardenError(
      'WARDEN_RATE_LIMITED',
      `too many failed admin sign-ins from this address (${this.#failureLimit.max} per ${this.#failureLimit.windowSeconds} s, counting sign-ins still being checked); retry in ${retryAfterSeconds} s with the right credentials`,
      { retryAfterSeconds },
    );
  }

  /** Takes a check slot for `address` (and password user `user`), or refuses. */
  #reserve(address: string, user: string | null): void {
    this.#refuseIfBlocked(address);
    const addressAttempts = this.#attemptsOf(this.#addresses, address, this.#failureLimit);
    if (addressAttempts.running >= MAX_CHECKS_PER_ADDRESS || this.#running >= MAX_CHECKS) {
      throw new WardenError(
        'WARDEN_RATE_LIMITED',
        addressAttempts.running >= MAX_CHECKS_PER_ADDRESS
          ? `too many admin sign-ins from this address are being checked at once (at most ${MAX_CHECKS_PER_ADDRESS}); retry in 1 s`
          : `too many admin sign-ins are being checked at once (at most ${MAX_CHECKS}); retry in 1 s`,
        { retryAfterSeconds: 1 },
      );
    }
    if (user !== null) {
      const userAttempts = this.#attemptsOf(this.#users, user, this.#userFailureLimit);
      const limit = this.#userFailureLimit;
      if (userAttempts.failures.length + userAttempts.running >= limit.max) {
        const retryAfterSeconds =
          userAttempts.failures.length >= limit.max
            ? this.#retryAfterSeconds(userAttempts.failures, limit)
            : 1;
        throw new WardenError(
          'WARDEN_RATE_LIMITED',
          `password sign-in for this user name is locked after ${limit.max} wrong passwords in ${limit.windowSeconds % 60 === 0 ? `${limit.windowSeconds / 60} minutes` : `${limit.windowSeconds} s`}; retry in ${retryAfterSeconds} s, or sign in with an admin API key (Bearer wak_...), which is not locked`,
          { retryAfterSeconds },
        );
      }
      userAttempts.running += 1;
      touch(this.#users, user, userAttempts, TRACKED_USERS);
    }
    addressAttempts.running += 1;
    touch(this.#addresses, address, addressAttempts, TRACKED_ADDRESSES);
    this.#running += 1;
  }

  #release(address: string, user: string | null): void {
    this.#running -= 1;
    releaseOne(this.#addresses, address);
    if (user !== null) releaseOne(this.#users, user);
  }

  #recordFailure(address: string, user: string | null): void {
    const now = this.#clock.now();
    const attempts = this.#attemptsOf(this.#addresses, address, this.#failureLimit);
    attempts.failures.push(now);
    attempts.failures = attempts.failures.slice(-this.#failureLimit.max);
    touch(this.#addresses, address, attempts, TRACKED_ADDRESSES);
    if (attempts.failures.length === this.#failureLimit.max) {
      this.#notifyBlocked({
        address,
        failures: attempts.failures.length,
        retryAfterSeconds: this.#retryAfterSeconds(attempts.failures, this.#failureLimit),
      });
    }
    if (user === null) return;
    const limit = this.#userFailureLimit;
    const userAttempts = this.#attemptsOf(this.#users, user, limit);
    userAttempts.failures.push(now);
    userAttempts.failures = userAttempts.failures.slice(-limit.max);
    touch(this.#users, user, userAttempts, TRACKED_USERS);
    // Only configured users are reported (an unknown name is tracked alike, so refusals look the same).
    if (userAttempts.failures.length === limit.max && this.#admins.has(user)) {
      this.#notifyBlocked({
        address,
        user,
        failures: userAttempts.failures.length,
        retryAfterSeconds: this.#retryAfterSeconds(userAttempts.failures, limit),
      });
    }
  }

  #notifyBlocked(event: SignInBlocked): void {
    for (const listener of this.#blockedListeners) listener(event);
  }

  #retryAfterSeconds(times: readonly number[], limit: SignInFailureLimit): number {
    const oldest = times[times.length - limit.max] ?? this.#clock.now();
    const freeAt = oldest + limit.windowSeconds * 1000;
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

function releaseOne(map: Map<string, Attempts>, key: string): void {
  const attempts = map.get(key);
  if (attempts === undefined) return;
  attempts.running = Math.max(0, attempts.running - 1);
  if (attempts.running === 0 && attempts.failures.length === 0) map.delete(key);
}

/** Re-inserts `key` so the map's order is least recently touched first, and bounds the map. */
function touch(map: Map<string, Attempts>, key: string, value: Attempts, most: number): void {
  map.delete(key);
  map.set(key, value);
  // The least recent are forgotten first, except those with checks running (at most MAX_CHECKS).
  for (const [oldKey, entry] of map) {
    if (map.size <= most) break;
    if (entry.running === 0) map.delete(oldKey);
  }
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
