/**
 * Cookie sign-in for the console, at the HTTP edge: the cookie's name and attributes, and the
 * cross-site request checks. Every request that changes something is refused when its Origin or
 * Sec-Fetch-Site says it comes from another site, however it is authenticated: browsers attach cached
 * HTTP Basic credentials to cross-site form posts just as they attach cookies (clients other than
 * browsers send neither header and are not affected). Cookie requests also need the CSRF token header.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { consoleCookieName } from '../../admin/index.js';
import type { ConsoleSession, ConsoleSessions } from '../../admin/index.js';
import { WardenError } from '../../core/index.js';

/** The header carrying the CSRF token on state-changing cookie requests. */
export const CSRF_HEADER = 'x-warden-csrf';
/** The header the console sends (value `1`) on requests it makes on its own, e.g. polling. */
export const BACKGROUND_HEADER = 'x-warden-background';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Cookie sign-in settings of the admin API. */
export interface ConsoleSettings {
  sessions: ConsoleSessions;
  /** Origins a cookie request may come from, besides the request's own (e.g. server.publicUrl's). */
  allowedOrigins: readonly string[];
  /** Set the cookie's Secure attribute and name it `__Host-warden_admin` (server.publicUrl is https). */
  secure: boolean;
}

/** The session cookie's name: `__Host-warden_admin` when Secure, else `warden_admin`. */
export function sessionCookieName(settings: ConsoleSettings): string {
  return consoleCookieName(settings.secure);
}

/**
 * Sets the session cookie: httpOnly, SameSite=Strict, Path=/, no Domain; Secure (and the `__Host-`
 * name) when served over https.
 */
export function setSessionCookie(reply: FastifyReply, settings: ConsoleSettings, value: string): void {
  void reply.setCookie(sessionCookieName(settings), value, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: settings.secure,
    maxAge: settings.sessions.lifetimeSeconds,
  });
}

/** Tells the browser to forget the session cookie. */
export function clearSessionCookie(reply: FastifyReply, settings: ConsoleSettings): void {
  void reply.clearCookie(sessionCookieName(settings), {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: settings.secure,
  });
}

/** True for methods that change nothing (no CSRF token needed). */
export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method);
}

/** True when the console marked the request as its own background work (`x-warden-background: 1`). */
export function isBackgroundRequest(request: FastifyRequest): boolean {
  return headerValue(request.headers[BACKGROUND_HEADER]) === '1';
}

/**
 * Refuses a request from another site: an `Origin` that is neither the request's own origin nor an
 * allowed one, or `Sec-Fetch-Site: cross-site`/`same-site` without an allowed Origin. A request with
 * neither header (a client other than a browser) passes.
 *
 * @throws WARDEN_CSRF_INVALID naming the origin.
 */
export function checkOrigin(
  request: FastifyRequest,
  settings: Pick<ConsoleSettings, 'allowedOrigins'>,
): void {
  const origin = headerValue(request.headers.origin);
  const site = headerValue(request.headers['sec-fetch-site']);
  const own = `${request.protocol}://${request.host}`;
  const allowed = origin !== undefined && (origin === own || settings.allowedOrigins.includes(origin));
  if (origin !== undefined && !allowed) {
    throw new WardenError(
      'WARDEN_CSRF_INVALID',
      `requests that change something must come from the console's own origin, not ${origin.slice(0, 200)}; open the console at Warden's address, or add the origin to admin.allowedOrigins`,
      { origin: origin.slice(0, 200) },
    );
  }
  if (site !== undefined && site !== 'same-origin' && site !== 'none' && !allowed) {
    throw new WardenError(
      'WARDEN_CSRF_INVALID',
      `a ${site.slice(0, 20)} request may not change anything in Warden; open the console at Warden's address`,
      { secFetchSite: site.slice(0, 20) },
    );
  }
}

/**
 * Refuses a state-changing cookie request without the session's CSRF token.
 *
 * @throws WARDEN_CSRF_INVALID
 */
export function checkCsrfToken(
  request: FastifyRequest,
  settings: ConsoleSettings,
  session: ConsoleSession,
): void {
  if (settings.sessions.checkCsrf(session, headerValue(request.headers[CSRF_HEADER]))) return;
  throw new WardenError(
    'WARDEN_CSRF_INVALID',
    `this request changes something and is signed in with the console cookie, so it needs the header ${CSRF_HEADER} with the csrfToken from POST or GET /admin/session; reload the console and try again`,
  );
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
