/**
 * Cookie sign-in for the console, at the HTTP edge: the cookie's attributes, and the cross-site
 * request checks for cookie-authenticated requests (the CSRF token header, Origin and
 * Sec-Fetch-Site). Requests with an Authorization header are not exposed to CSRF and skip them.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONSOLE_COOKIE_NAME } from '../../admin/index.js';
import type { ConsoleSession, ConsoleSessions } from '../../admin/index.js';
import { WardenError } from '../../core/index.js';

/** The header carrying the CSRF token on state-changing cookie requests. */
export const CSRF_HEADER = 'x-warden-csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Cookie sign-in settings of the admin API. */
export interface ConsoleSettings {
  sessions: ConsoleSessions;
  /** Origins a cookie request may come from, besides the request's own (e.g. server.publicUrl's). */
  allowedOrigins: readonly string[];
  /** Set the cookie's Secure attribute (server.publicUrl is https). */
  secure: boolean;
}

/** Sets the session cookie: httpOnly, SameSite=Strict, Path=/, Secure when served over https. */
export function setSessionCookie(reply: FastifyReply, settings: ConsoleSettings, value: string): void {
  void reply.setCookie(CONSOLE_COOKIE_NAME, value, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: settings.secure,
    maxAge: settings.sessions.lifetimeSeconds,
  });
}

/** Tells the browser to forget the session cookie. */
export function clearSessionCookie(reply: FastifyReply, settings: ConsoleSettings): void {
  void reply.clearCookie(CONSOLE_COOKIE_NAME, {
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

/**
 * Refuses a request from another site: an `Origin` that is neither the request's own origin nor an
 * allowed one, or `Sec-Fetch-Site: cross-site`/`same-site` without an allowed Origin.
 *
 * @throws WARDEN_CSRF_INVALID naming the origin.
 */
export function checkOrigin(request: FastifyRequest, settings: ConsoleSettings): void {
  const origin = headerValue(request.headers.origin);
  const site = headerValue(request.headers['sec-fetch-site']);
  const own = `${request.protocol}://${request.host}`;
  const allowed = origin !== undefined && (origin === own || settings.allowedOrigins.includes(origin));
  if (origin !== undefined && !allowed) {
    throw new WardenError(
      'WARDEN_CSRF_INVALID',
      `requests signed in with the console cookie must come from the console's own origin, not ${origin.slice(0, 200)}; open the console at Warden's address, or add the origin to admin.allowedOrigins`,
      { origin: origin.slice(0, 200) },
    );
  }
  if (site !== undefined && site !== 'same-origin' && site !== 'none' && !allowed) {
    throw new WardenError(
      'WARDEN_CSRF_INVALID',
      `a ${site.slice(0, 20)} request may not use the console cookie; open the console at Warden's address`,
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
