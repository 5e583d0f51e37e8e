/**
 * Console sign-in sessions: a stateless cookie, HMAC-SHA256-signed with a key derived from the master
 * key, so any replica accepts it and nobody without the key can make or change one. It holds the user
 * name, a fingerprint of their email, roles, groups and password hash, and the times that end it
 * (lifetime and idle timeout). A session ends when the user is removed from the config or their roles,
 * email, groups or password change (or the password is removed); signing out revokes it in this
 * process (other replicas accept it until it expires or goes idle). Only requests a person made renew
 * the idle timer: the console's background polling does not. The CSRF token is derived from the
 * session id with a separate key and compared in constant time.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { WardenError, systemClock } from '../core/index.js';
import type { Clock } from '../core/index.js';
import type { AdminPrincipal } from './users.js';

/** The console session cookie's name when Warden is served over plain http. */
export const CONSOLE_COOKIE_NAME = 'warden_admin';
/**
 * The cookie's name when it is Secure (server.publicUrl is https): the `__Host-` prefix makes browsers
 * accept it only when Secure, with Path=/ and no Domain, so a sibling subdomain cannot set or shadow it.
 */
export const SECURE_CONSOLE_COOKIE_NAME = '__Host-warden_admin';

/** The session cookie's name: {@link SECURE_CONSOLE_COOKIE_NAME} when Secure, else {@link CONSOLE_COOKIE_NAME}. */
export function consoleCookieName(secure: boolean): string {
  return secure ? SECURE_CONSOLE_COOKIE_NAME : CONSOLE_COOKIE_NAME;
}

/** Longest cookie value read; longer ones are refused before any decoding. */
const MAX_COOKIE_LENGTH = 1024;
/** A session's last-seen time is written anew at most this often (so not every request sets a cookie). */
const RENEW_AFTER_MS = 60_000;
/** Most revoked session ids remembered; the one expiring soonest is forgotten first. */
const MAX_REVOKED = 100_000;

export interface ConsoleSessionOptions {
  /** 32 bytes, e.g. `masterKey.deriveKey('admin-session')`. */
  key: Uint8Array;
  lifetimeSeconds: number;
  idleTimeoutSeconds: number;
  clock?: Clock;
}

/** A console session, as the admin API answers it. */
export interface ConsoleSession {
  /** Random id (not a secret: a cookie is only accepted with its signature). */
  id: string;
  name: string;
  issuedAt: string;
  /** The end of the session's lifetime. */
  expiresAt: string;
  /** When it ends without another request (the idle timeout). */
  idleExpiresAt: string;
  /** Send it as `x-warden-csrf` with every request that changes something. */
  csrfToken: string;
}

/**
 * A user's account as the sessions check it: the principal, and a fingerprint of the configured
 * password hash (null without a password), so changing or removing the password ends the sessions.
 */
export interface SessionAccount {
  principal: AdminPrincipal;
  passwordFingerprint: string | null;
}

/** How `open` treats a request. */
export interface OpenOptions {
  /**
   * False for requests the console makes on its own (background polling, `x-warden-background: 1`):
   * they are accepted but do not renew the idle timer. Default true.
   */
  renew?: boolean;
}

/** What an accepted cookie yields: who, which session, and a renewed cookie value to set (or null). */
export interface OpenedSession {
  principal: AdminPrincipal;
  session: ConsoleSession;
  renewedCookie: string | null;
}

interface Claims {
  v: 1;
  sid: string;
  sub: string;
  /** Fingerprint of the user's email, roles, groups and password hash when signed in. */
  acc: string;
  iat: number;
  exp: number;
  seen: number;
}

/**
 * Issues and checks console session cookies.
 *
 * @example
 * const sessions = new ConsoleSessions({ key, lifetimeSeconds: 28800, idleTimeoutSeconds: 1800 });
 * const { cookie, session } = sessions.issue(directory.account(name)!);
 * const opened = sessions.open(cookie, (name) => directory.account(name));
 */
export class ConsoleSessions {
  readonly #signingKey: Buffer;
  readonly #csrfKey: Buffer;
  readonly #clock: Clock;
  readonly #lifetimeMs: number;
  readonly #idleMs: number;
  /** Revoked session id → when it would have expired (ms). */
  readonly #revoked = new Map<string, number>();

  constructor(options: ConsoleSessionOptions) {
    if (options.key.length < 32) {
      throw new WardenError('WARDEN_INTERNAL', 'the console session key must be at least 32 bytes');
    }
    this.#signingKey = createHmac('sha256', options.key).update('cookie-v1').digest();
    this.#csrfKey = createHmac('sha256', options.key).update('csrf-v1').digest();
    this.#clock = options.clock ?? systemClock;
    this.#lifetimeMs = options.lifetimeSeconds * 1000;
    this.#idleMs = options.idleTimeoutSeconds * 1000;
  }

  /** Seconds a new session lives at most (the cookie's Max-Age). */
  get lifetimeSeconds(): number {
    return this.#lifetimeMs / 1000;
  }

  /** A new session for `account`: the cookie value to set, and the session. */
  issue(account: SessionAccount): { cookie: string; session: ConsoleSession } {
    const now = this.#clock.now();
    const claims: Claims = {
      v: 1,
      sid: randomBytes(16).toString('base64url'),
      sub: account.principal.name,
      acc: accountFingerprint(account),
      iat: now,
      exp: now + this.#lifetimeMs,
      seen: now,
    };
    return { cookie: this.#encode(claims), session: this.#view(claims) };
  }

  /**
   * Checks a cookie value: signature, lifetime, idle timeout, revocation, and that the user still
   * exists with the same email, roles, groups and password (`lookup` reads the current config). A
   * renewed cookie is returned at most once a minute, and never with `renew: false`.
   *
   * @throws WARDEN_ADMIN_UNAUTHENTICATED saying why the session is not accepted and to sign in again.
   */
  open(
    cookie: string,
    lookup: (name: string) => SessionAccount | null,
    options: OpenOptions = {},
  ): OpenedSession {
    const claims = this.#decode(cookie);
    if (claims === null) {
      throw ended('the console session cookie is not valid (it was changed, or signed by another Warden)');
    }
    const now = this.#clock.now();
    if (now >= claims.exp) throw ended('your console session reached its maximum lifetime');
    if (now - claims.seen >= this.#idleMs) throw ended('your console session timed out after inactivity');
    if (this.#isRevoked(claims.sid, now)) throw ended('you signed out of this console session');
    const account = lookup(claims.sub);
    if (account === null || accountFingerprint(account) !== claims.acc) {
      throw ended('your admin account was removed or its email, roles, groups or password changed');
    }
    const { principal } = account;
    let renewedCookie: string | null = null;
    let current = claims;
    if (options.renew !== false && now - claims.seen >= RENEW_AFTER_MS) {
      current = { ...claims, seen: now };
      renewedCookie = this.#encode(current);
    }
    return { principal, session: this.#view(current), renewedCookie };
  }

  /** True when `token` is the CSRF token of `session` (constant-time comparison). */
  checkCsrf(session: ConsoleSession, token: string | undefined): boolean {
    if (token === undefined || token.length === 0 || token.length > 128) return false;
    const expected = Buffer.from(this.#csrfToken(session.id));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Ends a session in this process: its cookie is refused from now on here. */
  revoke(session: ConsoleSession): void {
    const now = this.#clock.now();
    for (const [id, expiresAt] of this.#revoked) if (expiresAt <= now) this.#revoked.delete(id);
    this.#revoked.set(session.id, Date.parse(session.expiresAt));
    while (this.#revoked.size > MAX_REVOKED) {
      const oldest = this.#revoked.keys().next().value as string;
      this.#revoked.delete(oldest);
    }
  }

  #isRevoked(id: string, now: number): boolean {
    const expiresAt = this.#revoked.get(id);
    if (expiresAt === undefined) return false;
    if (expiresAt <= now) {
      this.#revoked.delete(id);
      return false;
    }
    return true;
  }

  #view(claims: Claims): ConsoleSession {
    return {
      id: claims.sid,
      name: claims.sub,
      issuedAt: new Date(claims.iat).toISOString(),
      expiresAt: new Date(claims.exp).toISOString(),
      idleExpiresAt: new Date(Math.min(claims.exp, claims.seen + this.#idleMs)).toISOString(),
      csrfToken: this.#csrfToken(claims.sid),
    };
  }

  #csrfToken(sessionId: string): string {
    return createHmac('sha256', this.#csrfKey).update(sessionId).digest('base64url');
  }

  #encode(claims: Claims): string {
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `v1.${payload}.${this.#sign(payload)}`;
  }

  #decode(cookie: string): Claims | null {
    if (typeof cookie !== 'string' || cookie.length > MAX_COOKIE_LENGTH) return null;
    const match = /^v1\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(cookie);
    if (match === null) return null;
    const [, payload = '', signature = ''] = match;
    const expected = Buffer.from(this.#sign(payload));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    return isClaims(value) ? value : null;
  }

  #sign(payload: string): string {
    return createHmac('sha256', this.#signingKey).update(payload).digest('base64url');
  }
}

function isClaims(value: unknown): value is Claims {
  if (typeof value !== 'object' || value === null) return false;
  const claims = value as Record<string, unknown>;
  return (
    claims.v === 1 &&
    typeof claims.sid === 'string' &&
    typeof claims.sub === 'string' &&
    typeof claims.acc === 'string' &&
    Number.isSafeInteger(claims.iat) &&
    Number.isSafeInteger(claims.exp) &&
    Number.isSafeInteger(claims.seen)
  );
}

function accountFingerprint({ principal, passwordFingerprint }: SessionAccount): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        principal.email,
        [...principal.roles].sort(),
        [...principal.groups].sort(),
        passwordFingerprint,
      ]),
    )
    .digest('base64url')
    .slice(0, 22);
}

function ended(why: string): WardenError {
  return new WardenError('WARDEN_ADMIN_UNAUTHENTICATED', `${why}; sign in again`, {
    consoleSession: 'ended',
  });
}
